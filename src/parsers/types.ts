// What every parser takes and gives. A parser is pure: it sees a source only through SourceFiles
// and returns entries whose paths are still inside that source ('/'-rooted), so the scanner can
// resolve them, check them and turn them into BootEntry values.
import type { Arch, BootFormat, DtParam, InsideParts } from '../model.js';

/**
 * Why a path gives nothing: absent (a missing component ends the walk), not a regular file, over
 * the size asked for, leading above the source's root, a symlink loop, an I/O error, or past the
 * source's read budget.
 */
export type ReadFailure = 'missing' | 'not-a-file' | 'too-large' | 'escapes' | 'loop' | 'unreadable' | 'over-budget';

export type Failure = {
  ok: false;
  reason: ReadFailure;
  message: string;
  path: string;
  /** Missing, but only after a symlink on the way: the path is there and leads nowhere. */
  dangling?: boolean;
};

export type ReadResult = { ok: true; text: string; path: string } | Failure;

export interface FileStat {
  type: 'file' | 'dir' | 'other';
  size: number;
}

/** Where a path leads: its canonical form and what is there, or why it leads nowhere. */
export type Resolved = ({ ok: true; path: string } & FileStat) | Failure;

/** Read-only view of one filesystem. Every path is '/'-rooted inside the source. */
export interface SourceFiles {
  /** Reads a text file; refuses files over `maxBytes` (default 1 MiB) and anything that is not a regular file. */
  read(path: string, maxBytes?: number): ReadResult;
  /** Reads up to `length` bytes of a regular file from `offset`; null when it cannot be read. */
  readBytes(path: string, offset: number, length: number): Uint8Array | null;
  /** Follows the path component by component, symlinks included, never leaving the source. */
  resolve(path: string): Resolved;
  /** What `resolve` found; null when it found nothing. */
  stat(path: string): FileStat | null;
  /** Sorted names in a directory (at most a bounded number); null when it is not a readable directory. */
  list(dir: string): string[] | null;
  /** The path with every symlink resolved inside the source (absolute links count from the source root); null when it leads nowhere. */
  canonical(path: string): string | null;
}

/** A file named by a config, possibly on another filesystem (GRUB `search --set=root`). */
export interface FileRef {
  path: string;
  device?: DeviceRef;
}

/** A device tree overlay file and the parameters given for it. */
export interface OverlayRef extends FileRef {
  params?: DtParam[];
}

export interface DeviceRef {
  by: 'uuid' | 'label' | 'partuuid' | 'file';
  value: string;
}

export interface ParsedEntry {
  label: string;
  kernel: FileRef;
  initrd: FileRef[];
  /** A DTB the config names for this entry (FDT, devicetree, device_tree=, or the Pi firmware's pick). */
  dtb: FileRef | null;
  /** extlinux FDTDIR: a directory whose .dtb files are matched against the board by the scanner. */
  fdtdir: FileRef | null;
  overlays: OverlayRef[];
  /** The base tree's parameters (the Pi's `dtparam=`). */
  dtparams?: DtParam[];
  cmdline: string;
  /** Where the kernel and initrds are inside `kernel`'s file (a unified kernel image). */
  inside?: InsideParts;
  /** Words the Raspberry Pi firmware would derive from this config and put before `cmdline`. */
  firmwareArgs?: string[];
  isDefault: boolean;
  origin: { format: BootFormat; file: string; line: number | null };
  version?: string | null;
  /** Why `dtb` was chosen, when the parser chose it (e.g. the Pi firmware's rule). */
  dtbReason?: string | null;
}

export interface ParseProblem {
  file: string | null;
  line: number | null;
  message: string;
}

/** Where problems go while a parser works: an array, or a bounded ProblemLog. */
export interface ProblemSink {
  push(...problems: ParseProblem[]): unknown;
}

export interface ParseResult {
  entries: ParsedEntry[];
  problems: ParseProblem[];
}

export interface ParseContext {
  files: SourceFiles;
  /** The running board's device tree `compatible`, most specific first; empty off device tree. */
  board: string[];
  /** The architecture kexmenu runs on (BLS `architecture` filtering, default kernel names). */
  arch: Arch;
}

export type Parser = (ctx: ParseContext) => ParseResult;
