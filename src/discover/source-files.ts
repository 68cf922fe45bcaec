// SourceFiles over a directory on disk (a read-only mount, or a ROOT given on the command line):
// the confined view of source-view.ts on top of the host filesystem. Files are opened without
// following a final symlink, without blocking (a FIFO cannot hold the scan) and without becoming
// a controlling terminal, and only regular files are read.
import { lstatSync, opendirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { SourceFiles } from '../parsers/types.js';
import { readFileBounded } from '../read-file.js';
import { DEFAULT_VIEW_LIMITS, type NodeInfo, type SourceBackend, sourceView, type ViewLimits } from './source-view.js';

export { MAX_CONFIG_BYTES } from './source-view.js';

export function fsSourceFiles(root: string, limits: ViewLimits = DEFAULT_VIEW_LIMITS): SourceFiles {
  return sourceView(fsBackend(root), limits);
}

function fsBackend(root: string): SourceBackend {
  const host = (parts: readonly string[]) => path.join(root, ...parts);
  return {
    lstat(parts) {
      try {
        const st = lstatSync(host(parts), { throwIfNoEntry: false });
        if (!st) return null;
        const kind: NodeInfo['kind'] = st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
        return { kind, size: st.size };
      } catch {
        return null; // ENAMETOOLONG, EACCES, EIO: nothing this scan can use
      }
    },
    readlink(parts) {
      try {
        return readlinkSync(host(parts));
      } catch {
        return null;
      }
    },
    list(parts, max) {
      let dir;
      try {
        dir = opendirSync(host(parts));
      } catch {
        return null;
      }
      const names: string[] = [];
      try {
        for (let entry = dir.readSync(); entry && names.length < max; entry = dir.readSync()) names.push(entry.name);
      } catch {
        return names.length > 0 ? names : null;
      } finally {
        dir.closeSync();
      }
      return names;
    },
    read(parts, offset, length) {
      const read = readFileBounded(host(parts), { offset, length, noFollow: true });
      return read.ok ? read.data : null;
    },
  };
}
