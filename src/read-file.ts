// The one bounded file reader: every file kexmenu reads whole or in part (a scanned disk's files,
// a DTB to boot with, kexmenu.conf) goes through here. Only regular files are read; the open
// never blocks (a FIFO cannot hold anything up) and never takes a controlling terminal; the
// buffer is sized by the file, never by the bound.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type FileRead =
  | { ok: true; data: Uint8Array }
  | { ok: false; reason: 'missing' | 'not a regular file' | 'unreadable'; message: string };

export interface ReadOptions {
  offset?: number;
  /** At most this many bytes (to tell a file over a bound, ask for one byte more than it). */
  length: number;
  /** Refuse a symlink as the last component (the confined view resolves links itself). */
  noFollow?: boolean;
}

export function readFileBounded(file: string, options: ReadOptions): FileRead {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (options.noFollow ? constants.O_NOFOLLOW : 0);
  let fd: number;
  try {
    fd = openSync(file, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'missing' : 'unreadable', message: (error as Error).message };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not a regular file', message: st.isDirectory() ? 'is a directory' : 'not a regular file' };
    const offset = options.offset ?? 0;
    // One byte past what the file says it holds, to see a file that grew, within the bound.
    const room = Math.min(options.length, Math.max(0, st.size - offset) + 1);
    const buffer = Buffer.alloc(room);
    let got = 0;
    while (got < room) {
      const n = readSync(fd, buffer, got, room - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return { ok: true, data: new Uint8Array(buffer.buffer, buffer.byteOffset, got) };
  } catch (error) {
    return { ok: false, reason: 'unreadable', message: (error as Error).message };
  } finally {
    closeSync(fd);
  }
}
