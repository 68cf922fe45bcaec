// extlinux FDTDIR: pick the .dtb whose root `compatible` names this board, as U-Boot would pick
// $fdtfile. Only the board's most specific compatible counts: matching on the SoC alone
// (e.g. "brcm,bcm2837") would hand a Pi 3 B the tree of a Pi 3 A+, which is worse than the
// firmware's own tree.
// A kernel package ships a thousand trees or more, so the board's file is looked for by name
// first (bcm2711-rpi-4-b.dtb names the SoC of "brcm,bcm2711"), and only what identifies a tree is
// read: its header and root properties, and its strings, a few KiB of each file.
import path from 'node:path';
import type { SourceFiles } from '../parsers/types.js';
import { readRootCompatible } from '../platform/fdt.js';

const MAX_DTB_FILES = 4000;

export interface DtbMatch {
  path: string | null;
  reason: string;
}

/**
 * Where kernel packages keep a vendor's trees (arch/arm64/boot/dts/<dir>), for the vendor
 * prefixes whose directory is not named after them. Only the reading order depends on it.
 */
const VENDOR_DIRS: Record<string, string> = { brcm: 'broadcom', fsl: 'freescale', samsung: 'exynos', xlnx: 'xilinx', raspberrypi: 'broadcom', pine64: 'rockchip' };

export function matchDtbDirectory(files: SourceFiles, dir: string, board: string[]): DtbMatch {
  const wanted = board[0];
  if (!wanted) {
    return { path: null, reason: `FDTDIR ${dir} given, but this machine has no device tree compatible to match: the running firmware's tree is used` };
  }
  let best: { path: string; exact: boolean } | null = null;
  let seen = 0;
  // The board's vendor directories first, then the rest: a match there ends the search early.
  for (const batch of dtbBatches(files, dir, board)) {
    for (const candidate of byLikelyName(batch, board)) {
      if (++seen > MAX_DTB_FILES) break;
      // Only the header and the root's properties: a directory can hold thousands of trees.
      const compatible = readRootCompatible((offset, length) => files.readBytes(candidate, offset, length));
      if (!compatible?.includes(wanted)) continue;
      const exact = compatible[0] === wanted;
      if (!best || (exact && !best.exact)) best = { path: candidate, exact };
      if (exact) break;
    }
    if (best?.exact || seen > MAX_DTB_FILES) break;
  }
  if (!best) return { path: null, reason: `no .dtb in FDTDIR ${dir} is compatible with ${wanted}: the running firmware's tree is used` };
  return { path: best.path, reason: `FDTDIR ${dir}: ${path.posix.relative(dir, best.path)} is compatible with ${wanted}` };
}

/**
 * Candidates whose file name carries more of the board's compatible names first (the part after
 * the vendor: "rockpro64", "rk3399", "bcm2711"), the rest in directory order after them.
 */
function byLikelyName(candidates: string[], board: string[]): string[] {
  const hints = board.map((c) => c.slice(c.indexOf(',') + 1).toLowerCase()).filter((h) => h.length >= 3);
  const score = (file: string) => {
    const name = path.posix.basename(file).toLowerCase();
    return hints.reduce((n, hint, i) => n + (name.includes(hint) ? board.length - i : 0), 0);
  };
  return candidates.map((file, order) => ({ file, order, score: score(file) })).sort((a, b) => b.score - a.score || a.order - b.order).map((c) => c.file);
}

/**
 * The .dtb files of dir and of its vendor subdirectories (one level, as kernel packages lay
 * them out), in batches: dir's own with the board's vendor directories, then the other
 * directories, each listed only when the search gets to it.
 */
function* dtbBatches(files: SourceFiles, dir: string, board: string[]): Generator<string[]> {
  const names = files.list(dir) ?? [];
  const vendors = new Set(board.map((c) => c.slice(0, Math.max(0, c.indexOf(','))).toLowerCase()).flatMap((v) => [v, VENDOR_DIRS[v] ?? v]));
  const others = names.filter((n) => !n.endsWith('.dtb'));
  const listed = (sub: string) => (files.list(path.posix.join(dir, sub)) ?? []).filter((n) => n.endsWith('.dtb')).map((n) => path.posix.join(dir, sub, n));
  yield [...names.filter((n) => n.endsWith('.dtb')).map((n) => path.posix.join(dir, n)), ...others.filter((n) => vendors.has(n.toLowerCase())).flatMap(listed)];
  yield others.filter((n) => !vendors.has(n.toLowerCase())).flatMap(listed);
}
