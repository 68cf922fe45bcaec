// Where a path written in an extlinux.conf/syslinux.cfg points inside its partition.
//
// The two readers of these files disagree about relative paths. SYSLINUX/EXTLINUX resolve them
// against the current directory, which is the directory the config was loaded from. U-Boot's
// `sysboot` is handed an absolute config path, so pxe_utils prefixes nothing and relative paths
// start at the partition root. We try the config's directory first (it is right for both when the
// file is there) and fall back to the partition root when only that holds the file; when neither
// exists the config-directory form is kept, so the scanner's "not found" names the syslinux reading.
// A config reached through a label's CONFIG keeps the working directory it was chosen from, unless
// the label names another one (syslinux changes directory only when told to).
import { normalizeSourcePath } from './source-path.js';
import type { SourceFiles } from './types.js';

export type ResolvePath = (raw: string) => string | null;

export function dirOf(file: string): string {
  const cut = file.lastIndexOf('/');
  return cut <= 0 ? '/' : file.slice(0, cut);
}

/** A resolver for paths read with `base` as the working directory (a config's own directory, unless CONFIG named another); null means the path escapes the partition. */
export function resolverIn(files: SourceFiles, base: string): ResolvePath {
  return (raw) => {
    if (raw.startsWith('/')) return normalizeSourcePath(raw);
    const fromConfigDir = normalizeSourcePath(`${base}/${raw}`);
    if (fromConfigDir === null || files.stat(fromConfigDir)) return fromConfigDir;
    const fromRoot = normalizeSourcePath(`/${raw}`);
    return fromRoot !== null && files.stat(fromRoot) ? fromRoot : fromConfigDir;
  };
}
