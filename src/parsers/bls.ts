// Boot Loader Specification type #1 entries (loader/entries/*.conf), as written by systemd's
// kernel-install, Fedora's grub2/grubby and ostree, and read by systemd-boot and GRUB's blscfg.
// https://uapi-group.org/specifications/specs/boot_loader_specification/
import { sourcePathParts } from './source-path.js';
import type { Arch } from '../model.js';
import { type BlsEntryFile, parseEntryText, type WrittenPath } from './bls-entry.js';
import { globMatches, type LoaderConf, parseLoaderConf } from './bls-loader-conf.js';
import { compareEntries, isBad } from './bls-sort.js';
import { boundedLabel } from './label.js';
import { capFiles } from './limits.js';
import { ProblemLog } from './problems.js';
import { readUki } from './uki-image.js';
import type { FileRef, ParseContext, ParsedEntry, ParseResult, ProblemSink } from './types.js';

export interface BlsOptions {
  /** Entry directories to read, '/'-rooted in the source. */
  dirs?: string[];
  /** Expands variables in options and paths (GRUB's `$kernelopts` when blscfg calls us). */
  expand?: (text: string) => string;
  /** An entry id chosen by the caller (GRUB's saved_entry); wins over loader.conf. */
  defaultId?: string | null;
}

/** An ESP or XBOOTLDR partition has /loader/entries; a root filesystem with /boot inside, the other. */
export const DEFAULT_BLS_DIRS = ['/loader/entries', '/boot/loader/entries'];

/** Directory entries beyond this are ignored, so a broken disk cannot make the menu crawl. */
const MAX_ENTRY_FILES = 256;

/** An entry is a dozen short lines; anything this big is not one. */
const MAX_ENTRY_BYTES = 64 * 1024;

/** `architecture` values the spec names, for each architecture kexmenu runs on. */
const SPEC_ARCH: Record<Arch, string> = {
  x86_64: 'x64',
  i386: 'ia32',
  aarch64: 'aa64',
  arm: 'arm',
  riscv64: 'riscv64',
};

interface Found {
  entry: BlsEntryFile;
  dir: string;
  file: string;
}

export function parseBls(ctx: ParseContext, options: BlsOptions = {}): ParseResult {
  const problems = new ProblemLog();
  const found: Found[] = [];
  let loaderConf: LoaderConf | null = null;

  for (const dir of (options.dirs ?? DEFAULT_BLS_DIRS).map((d) => d.replace(/(.)\/+$/, '$1'))) {
    const names = ctx.files.list(dir);
    if (!names) continue;
    loaderConf ??= readLoaderConf(ctx, dir, problems);
    const confs = names.filter((name) => name.endsWith('.conf') && !name.startsWith('.'));
    if (confs.length > MAX_ENTRY_FILES) {
      problems.push({ file: dir, line: null, message: `${confs.length} entry files; only the first ${MAX_ENTRY_FILES} are read` });
    }
    for (const name of confs.slice(0, MAX_ENTRY_FILES)) {
      const file = `${dir}/${name}`;
      const read = ctx.files.read(file, MAX_ENTRY_BYTES);
      if (!read.ok) {
        if (read.reason !== 'not-a-file') problems.push({ file, line: null, message: read.message });
        continue;
      }
      const entry = parseEntryText(name, read.text);
      if (appliesHere(entry, ctx.arch, file, problems)) found.push({ entry, dir, file });
    }
  }

  found.sort((a, b) => compareEntries(a.entry, b.entry));
  const labels = distinctLabels(found.map((f) => f.entry));
  const usable = found
    .map((f, index) => ({ entry: f.entry, parsed: toParsedEntry(ctx, f, labels[index]!, options.expand, problems) }))
    .filter((u): u is { entry: BlsEntryFile; parsed: ParsedEntry } => u.parsed !== null);
  const chosen = pickDefault(
    usable.map((u) => u.entry),
    options.defaultId ?? null,
    loaderConf?.default ?? null,
  );
  const entries = usable.map((u) => ({ ...u.parsed, isDefault: u.entry === chosen }));
  return { entries, problems: problems.list() };
}

function readLoaderConf(ctx: ParseContext, entriesDir: string, problems: ProblemSink): LoaderConf | null {
  const file = `${entriesDir.replace(/\/entries\/?$/, '')}/loader.conf`;
  const read = ctx.files.read(file);
  if (read.ok) return parseLoaderConf(read.text);
  if (read.reason !== 'missing') problems.push({ file, line: null, message: read.message });
  return null;
}

/** Entries for another architecture, or for an EFI program instead of Linux, are not ours to show. */
function appliesHere(entry: BlsEntryFile, arch: Arch, file: string, problems: ProblemSink): boolean {
  if (entry.architecture !== null && entry.architecture.toLowerCase() !== SPEC_ARCH[arch]) return false;
  if (entry.linux === null && entry.uki === null) {
    if (entry.efi === null) problems.push({ file, line: null, message: 'entry has no linux line' });
    return false;
  }
  return true;
}

function toParsedEntry(
  ctx: ParseContext,
  found: Found,
  label: string,
  callerExpand: ((text: string) => string) | undefined,
  problems: ProblemSink,
): ParsedEntry | null {
  const { entry, dir, file } = found;
  const line = (entry.linux ?? entry.uki)!.line;
  const unset = new Set<string>();
  const expand = callerExpand ?? ((text: string) => dropVariables(text, unset));
  const resolve = (written: WrittenPath): FileRef | null => {
    const expanded = expand(written.path).trim();
    if (expanded === '') return null;
    const path = resolvePath(ctx, dir, expanded);
    if (path === null) problems.push({ file, line: written.line, message: `path escapes its partition: ${written.path}` });
    return path === null ? null : { path };
  };
  const linux = (entry.linux ?? entry.uki)!;
  const kernel = resolve(linux);
  if (!kernel) {
    if (expand(linux.path).trim() === '') {
      problems.push({ file, line, message: linux.path ? `linux path is empty once expanded: ${linux.path}` : 'linux line names no file' });
    }
    return null;
  }
  const initrds = capFiles(entry.initrd, 'initrds');
  const overlayList = capFiles(entry.overlays, 'device tree overlays');
  for (const message of [initrds.problem, overlayList.problem]) if (message) problems.push({ file, line, message });
  const initrd = initrds.kept.map(resolve).filter((ref): ref is FileRef => ref !== null);
  const overlays = overlayList.kept.map(resolve).filter((ref): ref is FileRef => ref !== null);
  const dtb = entry.devicetree === null ? null : resolve(entry.devicetree);
  const uki = entry.linux === null ? readUki(ctx.files, kernel.path) : null;
  if (typeof uki === 'string') {
    problems.push({ file, line, message: `uki ${linux.path}: not a unified kernel image: ${uki}` });
    return null;
  }
  // The image's first profile, as systemd-boot boots a type #1 entry's `uki`; `options` replace its .cmdline.
  const image = uki?.[0] ?? null;
  const options = expand(entry.options.join(' ')).replace(/\s+/g, ' ').trim();
  const cmdline = image && entry.options.length === 0 ? (image.cmdline ?? '') : options;
  if (unset.size > 0) {
    const names = [...unset].map((n) => `$${n}`).join(', ');
    problems.push({ file, line, message: `${names} left empty: GRUB sets these from grubenv, and no GRUB config read this entry` });
  }
  return {
    label,
    kernel,
    initrd,
    dtb,
    fdtdir: null,
    overlays,
    cmdline,
    ...(image && { inside: image.parts }),
    isDefault: false,
    origin: { format: 'bls', file, line },
    version: entry.version,
  };
}

/** Without GRUB to expand them, `$name` and `${name}` are empty, as unset variables are in GRUB. */
function dropVariables(text: string, dropped: Set<string>): string {
  return text.replace(/\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced?: string, bare?: string) => {
    dropped.add((braced ?? bare)!);
    return '';
  });
}

/**
 * Paths are relative to the root of the partition that holds loader/entries. When that is a root
 * filesystem's /boot/loader/entries, a path that is missing from the root but present under /boot
 * was written for a separate /boot partition (the usual Fedora layout), so it is taken from there.
 */
function resolvePath(ctx: ParseContext, entriesDir: string, raw: string): string | null {
  const parts = sourcePathParts(`/${raw}`);
  if (parts === null) return null;
  const path = `/${parts.join('/')}`;
  if (!entriesDir.startsWith('/boot/') || path.startsWith('/boot/') || ctx.files.stat(path)) return path;
  return ctx.files.stat(`/boot${path}`) ? `/boot${path}` : path;
}

/** The title, told apart by version (then by id) when several entries share it, as the spec suggests. */
function distinctLabels(entries: BlsEntryFile[]): string[] {
  const base = entries.map((e) => boundedLabel(e.title || e.version || e.id));
  const count = (labels: string[], label: string) => labels.filter((l) => l === label).length;
  const withVersion = base.map((label, i) => {
    const version = entries[i]!.version;
    return count(base, label) > 1 && entries[i]!.title && version ? `${label} (${version})` : label;
  });
  return withVersion.map((label, i) => (count(withVersion, label) > 1 ? `${label} (${entries[i]!.id})` : label));
}

/**
 * The caller's choice, else loader.conf's `default` glob (first match in menu order; `@saved` and
 * other `@` names refer to EFI variables we cannot see, so they match nothing), else the first
 * entry that is not "bad", as systemd-boot and GRUB's blscfg both do.
 */
function pickDefault(sorted: BlsEntryFile[], defaultId: string | null, pattern: string | null): BlsEntryFile | null {
  if (defaultId !== null) {
    const match = sorted.find((e) => e.id === defaultId || e.fileName === defaultId || e.fileName === `${defaultId}.conf`);
    if (match) return match;
  }
  if (pattern !== null && !pattern.startsWith('@')) {
    const match = sorted.find((e) => globMatches(pattern, e.id) || globMatches(pattern, e.fileName));
    if (match) return match;
  }
  return sorted.find((e) => !isBad(e)) ?? sorted[0] ?? null;
}
