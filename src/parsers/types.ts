// What every parser takes and gives. A parser is pure: it sees a source only through SourceFiles
// and returns entries whose paths are still inside that source ('/'-rooted), so the scanner can
// resolve them, check them and turn them into BootEntry values.
import type { Arch, BootFormat } from '../model.js';

export type ReadFailure = 'missing' | 'not-a-file' | 'too-large' | 'escapes' | 'unreadable';

export type ReadResult =
  | { ok: true; text: string; path: string }
  | { ok: false; reason: ReadFailure; message: string; path: string };

export interface FileStat {
  type: 'file' | 'dir' | 'other';
  size: number;
}

/** Read-only view of one filesystem. Every path is '/'-rooted inside the source. */
export interface SourceFiles {
  /** Reads a text file; refuses files over `maxBytes` (default 1 MiB) and paths that escape the source. */
  read(path: string, maxBytes?: number): ReadResult;
  /** Reads up to `length` bytes from `offset`; null when the file cannot be read. */
  readBytes(path: string, offset: number, length: number): Uint8Array | null;
  /** The entry's type after following symlinks inside the source; null when absent or escaping. */
  stat(path: string): FileStat | null;
  /** Sorted names in a directory; null when it is not a readable directory. */
  list(dir: string): string[] | null;
  /** The path with every symlink resolved inside the source (absolute links count from the source root). */
  canonical(path: string): string | null;
}

/** A file named by a config, possibly on another filesystem (GRUB `search --set=root`). */
export interface FileRef {
  path: string;
  device?: DeviceRef;
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
  overlays: FileRef[];
  cmdline: string;
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

export interface ParseResult {
  entries: ParsedEntry[];
  problems: ParseProblem[];
  /** Seconds the config asks to wait before booting the default, when it says. */
  timeout?: number | null;
}

export interface ParseContext {
  files: SourceFiles;
  /** The running board's device tree `compatible`, most specific first; empty off device tree. */
  board: string[];
  /** The architecture kexmenu runs on (BLS `architecture` filtering, default kernel names). */
  arch: Arch;
}

export type Parser = (ctx: ParseContext) => ParseResult;
