// extlinux.conf (U-Boot's `sysboot`/distro boot, EXTLINUX) and syslinux.cfg/isolinux.cfg
// (SYSLINUX on BIOS machines and hybrid ISOs). Both speak the same directive language; each file
// found is its own menu. Only Linux labels become entries: LOCALBOOT, COM32 modules and other
// boot-sector or image types are skipped without complaint, since every syslinux menu has them.
// A label whose image is CONFIG restarts syslinux with another config: its entries are listed
// under that label, as picking it would show them.
import { configFilesAt } from './config-files.js';
import { type Directive, readDirectives } from './extlinux-lines.js';
import { dirOf, type ResolvePath, resolverIn } from './extlinux-paths.js';
import { extlinuxSearchPaths } from './extlinux-search.js';
import { ProblemLog } from './problems.js';
import { boundedLabel } from './label.js';
import { capFiles, FILES_PER_ENTRY } from './limits.js';
import type { FileRef, ParsedEntry, Parser, ProblemSink, SourceFiles } from './types.js';

/** KERNEL loads these by extension as something other than a Linux kernel (syslinux's KERNEL doc). */
const NOT_LINUX_EXTENSIONS = /\.(c32|com|cbt|bs|bss|bin|0|img)$/i;
/** Label keywords that boot something other than Linux, or only move around the menu. */
const NOT_LINUX_KEYWORDS = new Set(['com32', 'comboot', 'boot', 'bss', 'pxe', 'fdimage', 'localboot', 'menu exit', 'menu goto', 'menu quit']);

/** What a label boots: a Linux kernel, another config file (CONFIG), or something kexmenu cannot. */
type Image = 'linux' | 'config' | 'other';

interface Label {
  name: string;
  file: string;
  line: number;
  menuPath: string[];
  menuLabel: string | null;
  image: Image;
  kernel: string | null;
  /** CONFIG's operand: the file, and optionally the working directory to read it in. */
  config: string | null;
  initrd: string[];
  append: string | null;
  fdt: string | null;
  fdtdir: string | null;
  overlays: string[];
  menuDefault: boolean;
}

interface Submenu {
  title: string | null;
  label: string | null;
  tag: string | null;
}

interface Menu {
  labels: Label[];
  defaultName: string | null;
  defaultWhere: { file: string; line: number } | null;
  globalAppend: string | null;
}

/** MENU BEGIN inside MENU BEGIN deeper than this is read as if it were not nested. */
export const MAX_MENU_DEPTH = 16;
/** CONFIG chains, like INCLUDE chains, stop this deep... */
export const MAX_CONFIG_DEPTH = 8;
/** ...and after this many CONFIG files in all, so labels that each chain on cannot multiply. */
export const MAX_CONFIG_READS = 32;

/** One source's configs being read: what is already listed, and what the CONFIG chains spent. */
interface Reading {
  files: SourceFiles;
  problems: ProblemSink;
  /** Canonical paths of the configs listed so far, top-level or through CONFIG. */
  listed: Set<string>;
  configReads: number;
}

export const parseExtlinux: Parser = (ctx) => {
  const entries: ParsedEntry[] = [];
  const problems = new ProblemLog();
  const reading: Reading = { files: ctx.files, problems, listed: new Set(), configReads: 0 };

  for (const file of configFilesAt(ctx.files, extlinuxSearchPaths(ctx.files), problems)) {
    const canonical = ctx.files.canonical(file) ?? file;
    if (reading.listed.has(canonical)) continue;
    for (const entry of readMenu(reading, file, dirOf(file), [canonical])) entries.push(entry);
  }

  return { entries, problems: problems.list() };
};

/** The entries of one config read in `workingDir`; `chain` holds the canonical paths of the CONFIG chain so far, this one last. */
function readMenu(reading: Reading, file: string, workingDir: string, chain: string[]): ParsedEntry[] {
  reading.listed.add(chain.at(-1)!);
  const resolve = resolverIn(reading.files, workingDir);
  const directives = readDirectives(reading.files, file, resolve, reading.problems);
  if (!directives) return [];
  const menu = interpret(directives, reading.problems);
  return toEntries(menu, resolve, reading.problems, (label) => followConfig(reading, label, resolve, workingDir, chain));
}

/**
 * The entries a CONFIG label leads to, listed under it. syslinux reads the new file, changes to
 * the directory after its name (or, failing that, the first word of the label's APPEND) if one is
 * given, and otherwise stays where it was.
 */
function followConfig(reading: Reading, label: Label, resolve: ResolvePath, workingDir: string, chain: string[]): ParsedEntry[] {
  const { files, problems } = reading;
  const where = { file: label.file, line: label.line };
  const [name = '', ownDir] = label.config!.split(/\s+/).filter(Boolean);
  const dirWord = ownDir ?? firstWord(label.append ?? '');
  const target = name === '' ? null : resolve(name);
  if (target === null) {
    problems.push({ ...where, message: name === '' ? `LABEL ${label.name}: CONFIG names no file` : `CONFIG path escapes its partition: ${name}` });
    return [];
  }
  const canonical = files.canonical(target) ?? target;
  if (chain.includes(canonical)) {
    problems.push({ ...where, message: `CONFIG loop: ${[...chain, canonical].join(' -> ')}` });
    return [];
  }
  if (chain.length > MAX_CONFIG_DEPTH) {
    problems.push({ ...where, message: `CONFIG chained deeper than ${MAX_CONFIG_DEPTH} files: ${target}` });
    return [];
  }
  if (++reading.configReads > MAX_CONFIG_READS) {
    if (reading.configReads === MAX_CONFIG_READS + 1) problems.push({ ...where, message: `more than ${MAX_CONFIG_READS} CONFIG files: the rest are not read` });
    return [];
  }
  const stat = files.stat(target);
  if (stat?.type !== 'file') {
    problems.push({ ...where, message: `CONFIG ${stat ? `not a file: ${target}` : `not found: ${target}`}` });
    return [];
  }
  return readMenu(reading, target, configWorkingDir(files, dirWord, resolve, workingDir, where, problems), [...chain, canonical]);
}

/** The directory a CONFIG label names, when it is one; else the working directory stays. */
function configWorkingDir(
  files: SourceFiles,
  word: string,
  resolve: ResolvePath,
  workingDir: string,
  where: { file: string; line: number },
  problems: ProblemSink,
): string {
  if (word === '' || word === '-') return workingDir;
  const dir = resolve(word);
  if (dir !== null && files.stat(dir)?.type === 'dir') return dir;
  problems.push({ ...where, message: `CONFIG working directory ${dir === null ? 'escapes its partition' : 'not found'}: ${word} (paths are read from ${workingDir})` });
  return workingDir;
}

function interpret(directives: Directive[], problems: ProblemSink): Menu {
  const menu: Menu = { labels: [], defaultName: null, defaultWhere: null, globalAppend: null };
  const submenus: Submenu[] = [];
  /** MENU BEGINs past MAX_MENU_DEPTH, each waiting for its MENU END. */
  let flattened = 0;
  let current: Label | null = null;
  let onTimeout: Directive | null = null;

  for (const d of directives) {
    const where = { file: d.file, line: d.line };
    const word = firstWord(d.value);
    switch (d.key) {
      case 'label':
        current = newLabel(d, submenus);
        menu.labels.push(current);
        break;
      case 'menu label': {
        const submenu = submenus.at(-1);
        if (current) current.menuLabel = boundedLabel(d.value);
        else if (submenu) submenu.label = boundedLabel(d.value);
        break;
      }
      case 'menu title': {
        const submenu = submenus.at(-1);
        if (submenu && !current) submenu.title = boundedLabel(d.value);
        break;
      }
      case 'menu begin':
        current = null;
        if (submenus.length >= MAX_MENU_DEPTH) {
          if (flattened++ === 0) problems.push({ ...where, message: `menus nested more than ${MAX_MENU_DEPTH} deep: the deeper ones are listed as part of the menu above them` });
          break;
        }
        submenus.push({ title: null, label: null, tag: boundedLabel(d.value) || null });
        break;
      case 'menu end':
        current = null;
        if (flattened > 0) flattened--;
        else if (submenus.pop() === undefined) problems.push({ ...where, message: 'MENU END without MENU BEGIN' });
        break;
      case 'menu default':
        if (current) current.menuDefault = true;
        break;
      case 'kernel':
      case 'linux':
        if (!current) break;
        current.kernel = word;
        current.image = d.key === 'kernel' && NOT_LINUX_EXTENSIONS.test(word) ? 'other' : 'linux';
        break;
      case 'config':
        // syslinux reads CONFIG only as a label's image; on its own line it does nothing.
        if (!current) {
          problems.push({ ...where, message: 'CONFIG outside a LABEL is ignored (syslinux reads it only as what a label boots)' });
          break;
        }
        current.config = d.value;
        current.image = 'config';
        break;

      case 'initrd':
        if (current) for (const name of splitList(d.value, ',')) if (current.initrd.length <= FILES_PER_ENTRY) current.initrd.push(name);
        break;
      case 'append':
        if (current) current.append = d.value;
        else menu.globalAppend = d.value;
        break;
      case 'fdt':
      case 'devicetree':
        if (current) current.fdt = word;
        break;
      case 'fdtdir':
      case 'devicetreedir':
        if (current) current.fdtdir = word;
        break;
      case 'fdtoverlays':
        if (current) for (const name of splitList(d.value, ' ')) if (current.overlays.length <= FILES_PER_ENTRY) current.overlays.push(name);
        break;
      case 'default':
        // DEFAULT names a label (or a whole command line); a .c32 there is a menu module instead.
        if (!NOT_LINUX_EXTENSIONS.test(word)) {
          menu.defaultName = word;
          menu.defaultWhere = where;
        }
        break;
      case 'ontimeout':
        onTimeout = d;
        break;
      case 'ui':
      case 'prompt':
      case 'timeout':
      case 'say':
        // How syslinux's own menu looks, waits and talks ("Press a key to stop the countdown"):
        // kexmenu's menu and countdown are its own.
        break;
      default:
        if (current && NOT_LINUX_KEYWORDS.has(d.key)) current.image = 'other';
    }
  }
  // What boots when the wait runs out: ONTIMEOUT, else the label marked MENU DEFAULT, else DEFAULT.
  if (onTimeout) {
    menu.defaultName = onTimeout.value.split(/\s+/)[0] ?? null;
    menu.defaultWhere = { file: onTimeout.file, line: onTimeout.line };
  } else {
    const marked = menu.labels.find((l) => l.menuDefault);
    if (marked) {
      menu.defaultName = marked.name;
      menu.defaultWhere = null;
    }
  }
  return menu;
}

function firstWord(value: string): string {
  const end = value.search(/\s/);
  return end < 0 ? value : value.slice(0, end);
}

function newLabel(d: Directive, submenus: Submenu[]): Label {
  return {
    name: boundedLabel(d.value),
    file: d.file,
    line: d.line,
    menuPath: submenus.map((s) => s.title ?? s.label ?? s.tag ?? 'Submenu'),
    menuLabel: null,
    image: 'linux',
    kernel: null,
    config: null,
    initrd: [],
    append: null,
    fdt: null,
    fdtdir: null,
    overlays: [],
    menuDefault: false,
  };
}

/** The entries of one menu; `follow` gives those a CONFIG label leads to. */
function toEntries(menu: Menu, resolve: ResolvePath, problems: ProblemSink, follow: (label: Label) => ParsedEntry[]): ParsedEntry[] {
  const entries: ParsedEntry[] = [];
  const defaultLabel = menu.defaultName === null ? undefined : menu.labels.find((l) => l.name === menu.defaultName);
  if (menu.defaultName !== null && !defaultLabel) {
    problems.push({ file: menu.defaultWhere?.file ?? null, line: menu.defaultWhere?.line ?? null, message: `DEFAULT names no LABEL: ${menu.defaultName}` });
  }
  for (const label of menu.labels) {
    if (label.image === 'other') continue;
    if (label.image === 'config') {
      for (const entry of follow(label)) entries.push(underConfigLabel(entry, label, label === defaultLabel));
      continue;
    }
    const where = { file: label.file, line: label.line };
    if (label.kernel === null || label.kernel === '') {
      problems.push({ ...where, message: `LABEL ${label.name} has no KERNEL or LINUX line` });
      continue;
    }
    const ref = (raw: string): FileRef | null => {
      const path = resolve(raw);
      if (path === null) problems.push({ ...where, message: `path escapes its partition: ${raw}` });
      return path === null ? null : { path };
    };
    const kernel = ref(label.kernel);
    if (!kernel) continue;
    const { cmdline, initrds } = splitInitrdOptions(label.append ?? menu.globalAppend ?? '');
    const initrd = capFiles([...label.initrd, ...initrds], 'initrds');
    const overlays = capFiles(label.overlays, 'device tree overlays');
    for (const message of [initrd.problem, overlays.problem]) if (message) problems.push({ ...where, message });
    entries.push({
      label: boundedLabel([...label.menuPath, displayLabel(label)].join(' > ')),
      kernel,
      initrd: initrd.kept.map(ref).filter((r): r is FileRef => r !== null),
      dtb: label.fdt === null ? null : ref(label.fdt),
      fdtdir: label.fdtdir === null ? null : ref(label.fdtdir),
      overlays: overlays.kept.map(ref).filter((r): r is FileRef => r !== null),
      cmdline,
      isDefault: label === defaultLabel,
      origin: { format: 'extlinux', file: label.file, line: label.line },
    });
  }
  return entries;
}

/** An entry of a CONFIG label's file, as the menu above shows it: under that label, default only if both are. */
function underConfigLabel(entry: ParsedEntry, label: Label, labelIsDefault: boolean): ParsedEntry {
  const path = boundedLabel([...label.menuPath, displayLabel(label), entry.label].join(' > '));
  return { ...entry, label: path, isDefault: labelIsDefault && entry.isDefault };
}

/** MENU LABEL marks its hotkey with `^`, which is not part of what is shown. */
function displayLabel(label: Label): string {
  const shown = label.menuLabel?.replace(/\^/g, '').trim();
  return shown || label.name;
}

/**
 * syslinux lets APPEND carry `initrd=a,b` instead of an INITRD line; those files are loaded, not
 * passed to the kernel, so they move out of the command line. `APPEND -` means no options at all.
 */
function splitInitrdOptions(append: string): { cmdline: string; initrds: string[] } {
  if (append.trim() === '-') return { cmdline: '', initrds: [] };
  const initrds: string[] = [];
  const kept = append.split(/\s+/).filter((word) => {
    const match = /^initrd=(.*)$/.exec(word);
    if (match) for (const name of splitList(match[1]!, ',')) initrds.push(name);
    return word !== '' && !match;
  });
  return { cmdline: kept.join(' '), initrds };
}

function splitList(value: string, separator: ',' | ' '): string[] {
  return value.split(separator === ',' ? ',' : /\s+/).map((s) => s.trim()).filter(Boolean);
}
