// SourceFiles over a directory on disk: the only way parsers see a filesystem. It keeps every
// path inside the source (absolute symlinks count from the source root, `..` cannot climb out)
// and bounds every read, so a hostile or broken disk cannot point kexmenu at the host's files.
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileStat, ReadResult, SourceFiles } from '../parsers/types.js';

export const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_SYMLINK_HOPS = 40;

/** Splits a '/'-rooted source path into components; null when `..` would climb above the root. */
export function sourcePathParts(p: string): string[] | null {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts;
}

/** Joins a possibly relative path onto a '/'-rooted base directory, without resolving `..`. */
export function joinSourcePath(baseDir: string, p: string): string {
  return p.startsWith('/') ? p : `${baseDir.replace(/\/+$/, '')}/${p}`;
}

export function fsSourceFiles(root: string): SourceFiles {
  const host = (parts: string[]) => path.join(root, ...parts);

  function resolveParts(p: string): string[] | null {
    const pending = sourcePathParts(p);
    if (!pending) return null;
    const done: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        if (done.length === 0) return null;
        done.pop();
        continue;
      }
      done.push(part);
      let st;
      try {
        st = lstatSync(host(done));
      } catch {
        // A missing tail is still a well-formed path; callers find out it is missing from stat.
        return [...done, ...pending];
      }
      if (!st.isSymbolicLink()) continue;
      if (++hops > MAX_SYMLINK_HOPS) return null;
      const target = readlinkSync(host(done));
      done.pop();
      const targetParts = target.split('/').filter((s) => s !== '' && s !== '.');
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...targetParts);
    }
    return done;
  }

  function statParts(parts: string[]): FileStat | null {
    try {
      const st = statSync(host(parts));
      return { type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other', size: st.size };
    } catch {
      return null;
    }
  }

  return {
    read(p, maxBytes = MAX_CONFIG_BYTES): ReadResult {
      const parts = resolveParts(p);
      if (!parts) return { ok: false, reason: 'escapes', path: p, message: `path escapes its partition: ${p}` };
      const st = statParts(parts);
      if (!st) return { ok: false, reason: 'missing', path: p, message: `not found: ${p}` };
      if (st.type !== 'file') return { ok: false, reason: 'not-a-file', path: p, message: `not a file: ${p}` };
      if (st.size > maxBytes) {
        return { ok: false, reason: 'too-large', path: p, message: `refused ${p}: ${st.size} bytes is over the ${maxBytes}-byte limit` };
      }
      const bytes = readBounded(host(parts), 0, maxBytes + 1);
      if (!bytes) return { ok: false, reason: 'unreadable', path: p, message: `cannot read ${p}` };
      if (bytes.length > maxBytes) {
        return { ok: false, reason: 'too-large', path: p, message: `refused ${p}: over the ${maxBytes}-byte limit` };
      }
      return { ok: true, path: p, text: new TextDecoder('utf-8').decode(bytes) };
    },
    readBytes(p, offset, length) {
      const parts = resolveParts(p);
      return parts ? readBounded(host(parts), offset, length) : null;
    },
    stat(p) {
      const parts = resolveParts(p);
      return parts ? statParts(parts) : null;
    },
    list(dir) {
      const parts = resolveParts(dir);
      if (!parts) return null;
      try {
        return readdirSync(host(parts)).sort();
      } catch {
        return null;
      }
    },
    canonical(p) {
      const parts = resolveParts(p);
      return parts ? `/${parts.join('/')}` : null;
    },
  };
}

function readBounded(file: string, offset: number, length: number): Uint8Array | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, got);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
