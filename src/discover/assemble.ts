// From what the parsers said about each source to the BootEntry list of the JSON contract.
// Per source (in that source's scan worker): resolve every file (also across sources), check it
// exists, read kernel headers and DTB compatibles, drop duplicates, bound what one disk can add.
// Across sources (in the owner): pick the one default and order the list.
import path from 'node:path';
import type { Arch, BootEntry, BootFormat, BootSource, ByteRange, DeviceTreeOverlay, InnerFile, InsideParts, Problem } from '../model.js';
import { appendArgs, joinCmdline, splitCmdline } from '../boot/cmdline.js';
import { boundedLabel } from '../parsers/label.js';
import { ENTRY_CAP } from '../parsers/limits.js';
import { ProblemLog } from '../parsers/problems.js';
import type { FileRef, ParsedEntry, ParseResult, SourceFiles } from '../parsers/types.js';
import { canKexecArch } from '../platform/arch.js';
import { identifyKernelImage, KERNEL_HEAD_BYTES, type KernelImageInfo } from '../platform/kernel-image.js';
import { bestDefault, removableSources } from './default-entry.js';
import { type DtbMatch, matchDtbDirectory } from './dtb-dir.js';

/** What one disk may add to the menu. Far above any real disk; a hostile one stops here. */
export const ENTRY_LIMITS = {
  entries: ENTRY_CAP,
  /** Bytes of a command line: no architecture's kernel takes more than a few KiB. */
  cmdline: 16 * 1024,
} as const;

export interface SourceView {
  source: BootSource;
  files: SourceFiles;
  /** For an image file read as a source (an ISO on a stick): the file, and where its files are in it. */
  image?: ImageSource;
}

export interface ImageSource {
  /** Absolute path of the image file; its path on the source that holds it; its name, which its entries' labels start with. */
  file: string;
  path: string;
  name: string;
  /** What its entry ids start with, in place of the source id (`sdb1:iso:debian.iso`). */
  entryIds: string;
  extentOf(path: string): ByteRange | null;
  /** Command-line words the booted system needs to find the image (`findiso=/x.iso`); `known` false when kexmenu knows none for it. */
  bootArgs(cmdline: string): { words: string[]; known: boolean };
}

export interface ParsedSource {
  view: SourceView;
  results: { format: BootFormat; result: ParseResult }[];
}

interface Located {
  view: SourceView;
  /** Canonical '/'-rooted path inside view's source. */
  path: string;
  size: number;
  absolute: string;
}

export interface AssembleContext {
  /** Every source of the scan: a config may name files on another disk by UUID or label. */
  views: SourceView[];
  board: string[];
  /** The machine's: kernels built for another one are listed and reported. */
  arch: Arch | null;
  problems: { push(p: Problem): unknown };
  imageCache: Map<string, KernelImageInfo | null>;
  /** FDTDIR matches by absolute directory: every label of an extlinux.conf usually names the same one. */
  dtbDirCache: Map<string, DtbMatch>;
}

export function assembleContext(views: SourceView[], board: string[], arch: Arch | null, problems: { push(p: Problem): unknown }): AssembleContext {
  return { views, board, arch, problems, imageCache: new Map(), dtbDirCache: new Map() };
}

/** Every source assembled in this process, then ordered: for tests and tools that hold the parse results. */
export function assembleScan(parsed: ParsedSource[], board: string[], arch?: Arch): { entries: BootEntry[]; problems: Problem[] } {
  const problems = new ProblemLog<Problem>();
  const ctx = assembleContext(parsed.map((p) => p.view), board, arch ?? null, problems);
  const perSource = parsed.map((source) => assembleSource(source, ctx));
  return { entries: orderWithOneDefault(perSource, ctx.views.map((v) => v.source)), problems: problems.list() };
}

/** One source's entries in config order (then the kernels found by name), within ENTRY_LIMITS. */
export function assembleSource({ view, results }: ParsedSource, ctx: AssembleContext): BootEntry[] {
  const configEntries: BootEntry[] = [];
  const rawEntries: BootEntry[] = [];
  const claimed = new Map<string, BootFormat>(); // kernel+initrds of config entries, by first format
  const namedKernels = new Set<string>();
  let full = false;

  for (const { format, result } of results) {
    for (const problem of result.problems) {
      ctx.problems.push({ source: view.source.id, file: problem.file ? absoluteIn(view, problem.file) : null, line: problem.line, message: problem.message });
    }
    const ids = new Map<string, number>();
    const room = () => {
      if (configEntries.length + rawEntries.length < ENTRY_LIMITS.entries) return true;
      if (!full) ctx.problems.push({ source: view.source.id, file: null, line: null, message: `more than ${ENTRY_LIMITS.entries} entries on this disk: the rest are not listed` });
      full = true;
      return false;
    };
    result.entries.forEach((parsed, index) => {
      if (full) return;
      const prefix = view.image?.entryIds ?? view.source.id;
      const id = format === 'raw' ? uniqueId(`${prefix}:raw:${path.posix.basename(parsed.kernel.path)}`, ids) : `${prefix}:${format}:${index}`;
      const entry = resolveEntry(parsed, id, format, view, ctx);
      if (!entry) return;
      const identity = [entry.kernel, ...entry.initrd, ...(entry.inside ? [entry.inside.linux, ...entry.inside.initrds].map((f) => f.name) : [])].join('\0');
      if (format === 'raw') {
        if (!namedKernels.has(entry.kernel) && room()) rawEntries.push(entry);
        return;
      }
      const earlier = claimed.get(identity);
      if (earlier && earlier !== format) return; // e.g. BLS entries already listed through GRUB's blscfg
      if (!room()) return;
      claimed.set(identity, format);
      namedKernels.add(entry.kernel);
      configEntries.push(entry);
    });
  }
  return [...configEntries, ...rawEntries];
}

function uniqueId(base: string, seen: Map<string, number>): string {
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}#${n}`;
}

function resolveEntry(parsed: ParsedEntry, id: string, format: BootFormat, view: SourceView, ctx: AssembleContext): BootEntry | null {
  const configFile = absoluteIn(view, parsed.origin.file);
  const label = boundedLabel(view.image ? `${view.image.name}: ${parsed.label}` : parsed.label);
  const report = (message: string) => ctx.problems.push({ source: view.source.id, file: configFile, line: parsed.origin.line, message: `${label}: ${message}` });

  const kernel = locate(parsed.kernel, view, ctx, 'file');
  if (typeof kernel === 'string') {
    report(`kernel ${kernel}`);
    return null;
  }
  if (parsed.cmdline.length > ENTRY_LIMITS.cmdline) {
    report(`the command line is ${parsed.cmdline.length} bytes, more than any kernel takes (${ENTRY_LIMITS.cmdline}): not listed`);
    return null;
  }
  const initrds: Located[] = [];
  for (const ref of parsed.initrd) {
    const found = locate(ref, view, ctx, 'file');
    if (typeof found === 'string') report(`initrd ${found}`);
    else if (found.size === 0) report(`initrd ${ref.path} is empty (0 bytes): left out`);
    else initrds.push(found);
  }
  const overlays: DeviceTreeOverlay[] = [];
  for (const ref of parsed.overlays) {
    const found = locate(ref, view, ctx, 'file');
    if (typeof found === 'string') report(`device tree overlay ${found}`);
    else overlays.push({ path: found.absolute, params: ref.params ?? [] });
  }

  let dtb: string | null = null;
  let dtbReason: string | null = parsed.dtbReason ?? null;
  if (parsed.dtb) {
    const found = locate(parsed.dtb, view, ctx, 'file');
    if (typeof found === 'string') report(`device tree ${found}`);
    else {
      dtb = found.absolute;
      dtbReason ??= `named by the ${format} config`;
    }
  } else if (parsed.fdtdir) {
    const dir = locate(parsed.fdtdir, view, ctx, 'dir');
    if (typeof dir === 'string') report(`FDTDIR ${dir}`);
    else {
      const match = dtbDirMatch(dir, ctx);
      dtb = match.path ? absoluteIn(dir.view, match.path) : null;
      dtbReason = match.reason;
    }
  }

  const info = kernelInfo(kernel, ctx);
  // A unified kernel image is an EFI program too, with its kernel inside.
  if (info?.notLinux === 'efi-program' && !parsed.inside) {
    report(`${kernel.path} is an EFI program, not a Linux kernel: kexec cannot start it`);
    return null;
  }
  const imageArch = info?.arch ?? info?.inner?.arch ?? null;
  if (imageArch && ctx.arch && !canKexecArch(ctx.arch, imageArch)) {
    report(`the kernel is built for ${imageArch}, and this machine is ${ctx.arch}: it cannot be booted here`);
  }
  const image = kernel.view.image;
  const stray = image ? undefined : initrds.find((f) => f.view.image);
  if (stray) {
    report(`initrd ${stray.path} is inside ${stray.view.image!.file} and the kernel is not: kexmenu cannot hand that pair to kexec`);
    return null;
  }
  const inside = image ? insideImage(image, kernel, initrds, parsed.inside ?? null, report) : (parsed.inside ?? null);
  if (image && !inside) return null;
  if (image && (dtb || overlays.length > 0)) report("a device tree inside an image file is not used: the tree is chosen as for a kernel that names none");
  const isoArgs = image?.bootArgs(parsed.cmdline);
  if (isoArgs && !isoArgs.known) report(`kexmenu knows no way to tell this system where ${image!.file} is: it may not find its files`);
  // Before a `--`: what follows it is init's.
  const cmdline = isoArgs && isoArgs.words.length > 0 ? joinCmdline(appendArgs(splitCmdline(parsed.cmdline), { kernel: isoArgs.words, init: [] })) : parsed.cmdline;
  return {
    id,
    label,
    source: view.source.id,
    kernel: image ? image.file : kernel.absolute,
    initrd: image ? [] : initrds.map((f) => f.absolute),
    dtb: image ? null : dtb,
    dtbReason: image ? null : dtbReason,
    overlays: image ? [] : overlays,
    dtparams: image ? [] : (parsed.dtparams ?? []),
    cmdline,
    firmwareArgs: parsed.firmwareArgs ?? [],
    inside,
    // An image kept on a stick is there to be picked, not to boot when the stick is plugged in.
    default: parsed.isDefault && format !== 'raw' && !image,
    kind: format === 'raw' ? 'other' : 'config',
    origin: { format, file: configFile, line: parsed.origin.line },
    arch: imageArch,
    notLinux: info?.notLinux === 'linux-boot-protocol' ? info.notLinux : null,
    version: parsed.version ?? null,
  };
}

/**
 * A kernel and initrds found in an image file, as the parts of that file they are; null (said)
 * when one is not all in one piece. A unified kernel image inside the image (`nested`) gives its
 * own parts, moved to where the UKI lies in the image.
 */
function insideImage(image: ImageSource, kernel: Located, initrds: Located[], nested: InsideParts | null, report: (message: string) => void): InsideParts | null {
  if (nested) {
    const at = image.extentOf(kernel.path);
    const moved = (part: InnerFile): InnerFile | null => (at && part.offset + part.size <= at.size ? { ...part, offset: at.offset + part.offset } : null);
    const linux = moved(nested.linux);
    const inner = nested.initrds.map(moved);
    const dtb = nested.dtb && moved(nested.dtb);
    if (!linux || inner.includes(null) || (nested.dtb && !dtb)) {
      report(`${kernel.path} is not one run of bytes of ${image.file}: its kernel cannot be handed to kexec`);
      return null;
    }
    return { linux, initrds: inner as InnerFile[], dtb };
  }
  const parts = [kernel, ...initrds].map((f) => {
    const range = f.view.image === image ? image.extentOf(f.path) : null;
    return range && { name: f.path, ...range };
  });
  const missing = [kernel, ...initrds].find((_, i) => parts[i] === null);
  if (missing) {
    report(`${missing.path} is not one run of bytes of ${image.file} (or lies on another disk): it cannot be handed to kexec`);
    return null;
  }
  return { linux: parts[0]!, initrds: parts.slice(1) as InsideParts['initrds'], dtb: null };
}

/** Finds a file a config names: on its own source, or on the source its DeviceRef names. */
function locate(ref: FileRef, view: SourceView, ctx: AssembleContext, want: 'file' | 'dir'): Located | string {
  let target = view;
  if (ref.device) {
    const { by, value } = ref.device;
    const match = ctx.views.find((v) => {
      const s = v.source;
      if (by === 'uuid') return s.uuid?.toLowerCase() === value.toLowerCase();
      if (by === 'partuuid') return s.partuuid?.toLowerCase() === value.toLowerCase();
      if (by === 'label') return s.label === value;
      return v.files.stat(value)?.type === 'file';
    });
    // A directory given on the command line has no UUID or label of its own: a config on it that
    // names its own disk that way still means this tree.
    const unknownHere = by !== 'file' && view.source[by] === null && view.files.stat(ref.path) !== null;
    if (!match && !unknownHere) return `not found: ${ref.path} (on the disk with ${by.toUpperCase()}=${value}, which is not attached)`;
    target = match ?? view;
  }
  const found = target.files.resolve(ref.path);
  if (!found.ok) {
    if (found.reason === 'escapes') return `refused: ${ref.path} escapes its partition`;
    if (found.reason === 'loop') return `refused: ${ref.path} is a symlink loop`;
    if (found.reason === 'over-budget') return found.message;
    return `not found: ${ref.path}`;
  }
  if (want === 'file' && found.type !== 'file') return `is not a file: ${ref.path}`;
  if (want === 'dir' && found.type !== 'dir') return `is not a directory: ${ref.path}`;
  return { view: target, path: found.path, size: found.size, absolute: absoluteIn(target, found.path) };
}

function dtbDirMatch(dir: Located, ctx: AssembleContext): DtbMatch {
  let match = ctx.dtbDirCache.get(dir.absolute);
  if (!match) {
    match = matchDtbDirectory(dir.view.files, dir.path, ctx.board);
    ctx.dtbDirCache.set(dir.absolute, match);
  }
  return match;
}

/** What the kernel's header says it is (read once per file and scan). */
function kernelInfo(kernel: Located, ctx: AssembleContext): KernelImageInfo | null {
  if (!ctx.imageCache.has(kernel.absolute)) {
    const head = kernel.view.files.readBytes(kernel.path, 0, KERNEL_HEAD_BYTES);
    ctx.imageCache.set(kernel.absolute, head ? identifyKernelImage(head) : null);
  }
  return ctx.imageCache.get(kernel.absolute) ?? null;
}

function absoluteIn(view: SourceView, sourcePath: string): string {
  const root = view.source.root;
  // Canonical paths are already normal; only a parser's own (problem) paths need path.join.
  if (sourcePath.startsWith('/') && !sourcePath.includes('/.') && !sourcePath.includes('//') && !root.endsWith('/')) return root + sourcePath;
  return path.join(root, sourcePath);
}

/**
 * One default: the best by `bestDefault` (a removable disk's own default over a fixed disk's),
 * else (`fallback`) the first configured entry. It moves to the
 * front; every other entry keeps its place. The entries given are left as they are (a scan in
 * progress orders them again as more disks answer). Without `fallback` (disks still to answer,
 * one of which may hold the real default) only a config's own default counts.
 */
export function orderWithOneDefault(perSource: BootEntry[][], sources: BootSource[], fallback = true): BootEntry[] {
  const all = perSource.flat();
  const chosen = bestDefault(all, removableSources(sources))?.entry ?? (fallback ? all.find((e) => e.kind === 'config') : undefined);
  const marked = all.map((e) => (e.default === (e === chosen) ? e : { ...e, default: e === chosen }));
  const first = chosen ? marked[all.indexOf(chosen)]! : null;
  return first ? [first, ...marked.filter((e) => e !== first)] : marked;
}
