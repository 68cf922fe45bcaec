// extlinux FDTDIR: pick the .dtb whose root `compatible` names this board, as U-Boot would pick
// $fdtfile. Only the board's most specific compatible counts: matching on the SoC alone
// (e.g. "brcm,bcm2837") would hand a Pi 3 B the tree of a Pi 3 A+, which is worse than the
// firmware's own tree.
import path from 'node:path';
import type { SourceFiles } from '../parsers/types.js';
import { readRootCompatible } from '../platform/fdt.js';

const MAX_DTB_FILES = 4000;

export interface DtbMatch {
  path: string | null;
  reason: string;
}

export function matchDtbDirectory(files: SourceFiles, dir: string, board: string[]): DtbMatch {
  const wanted = board[0];
  if (!wanted) {
    return { path: null, reason: `FDTDIR ${dir} given, but this machine has no device tree compatible to match: the running firmware's tree is used` };
  }
  let best: { path: string; exact: boolean } | null = null;
  for (const candidate of dtbFiles(files, dir)) {
    // Only the header and the root's properties: a directory can hold thousands of trees.
    const compatible = readRootCompatible((offset, length) => files.readBytes(candidate, offset, length));
    if (!compatible?.includes(wanted)) continue;
    const exact = compatible[0] === wanted;
    if (!best || (exact && !best.exact)) best = { path: candidate, exact };
    if (exact) break;
  }
  if (!best) return { path: null, reason: `no .dtb in FDTDIR ${dir} is compatible with ${wanted}: the running firmware's tree is used` };
  return { path: best.path, reason: `FDTDIR ${dir}: ${path.posix.relative(dir, best.path)} is compatible with ${wanted}` };
}

/** .dtb files in dir and its vendor subdirectories (one level, as kernel packages lay them out). */
function dtbFiles(files: SourceFiles, dir: string): string[] {
  const found: string[] = [];
  for (const name of files.list(dir) ?? []) {
    const full = path.posix.join(dir, name);
    if (name.endsWith('.dtb')) found.push(full);
    else if (files.stat(full)?.type === 'dir') {
      for (const inner of files.list(full) ?? []) if (inner.endsWith('.dtb')) found.push(path.posix.join(full, inner));
    }
    if (found.length >= MAX_DTB_FILES) break;
  }
  return found.slice(0, MAX_DTB_FILES);
}
