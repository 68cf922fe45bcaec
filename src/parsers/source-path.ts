// Paths as a config writes them, read lexically inside one source: '/'-rooted, `.` dropped, `..`
// taken against what came before. This only tidies what a parser names; where the path really
// leads (symlinks included) is decided by the source's view (src/discover/source-view.ts).

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

/** The path in normal form ('/a/b'); null when `..` climbs out of the source. */
export function normalizeSourcePath(p: string): string | null {
  const parts = sourcePathParts(p);
  return parts === null ? null : `/${parts.join('/')}`;
}
