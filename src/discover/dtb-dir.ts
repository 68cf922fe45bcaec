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
  let best: { path: string; exact: boolean; shared: number; score: number } | null = null;
  let seen = 0;
  // The board's vendor directories first, then the rest: an exact match ends the search early,
  // once the files named as likely as it have been read too (of two trees made for the board,
  // the one sharing more of its compatible list wins).
  search: for (const batch of dtbBatches(files, dir, board)) {
    for (const { file, score } of byLikelyName(batch, board)) {
      if (best?.exact && score < best.score) break search;
      if (++seen > MAX_DTB_FILES) break search;
      // Only the header and the root's properties: a directory can hold thousands of trees.
      const compatible = readRootCompatible((offset, length) => files.readBytes(file, offset, length));
      if (!compatible?.includes(wanted)) continue;
      const exact = compatible[0] === wanted;
      const shared = compatible.filter((c) => board.includes(c)).length;
      if (!best || (exact && !best.exact) || (exact === best.exact && shared > best.shared)) best = { path: file, exact, shared, score };
    }
    if (best?.exact) break;
  }
  if (!best) return { path: null, reason: `no .dtb in FDTDIR ${dir} is compatible with ${wanted}: the running firmware's tree is used` };
  return { path: best.path, reason: `FDTDIR ${dir}: ${path.posix.relative(dir, best.path)} is compatible with ${wanted}` };
}

/**
 * Candidates whose file name carries more of the board's compatible names first (the part after
 * the vendor: "rockpro64", "rk3399", "bcm2711"), the rest in directory order after them.
 */
function byLikelyName(candidates: string[], board: string[]): Array<{ file: string; score: number }> {
  const hints = board.map((c) => c.slice(c.indexOf(',') + 1).toLowerCase()).filter((h) => h.length >= 3);
  const score = (file: string) => {
    const name = path.posix.basename(file).toLowerCase();
    return hints.reduce((n, hint, i) => n + (name.includes(hint) ? board.length - i : 0), 0);
  };
  return candidates.map((file, order) => ({ file, order, score: score(file) })).sort((a, b) => b.score - a.score || a.order - b.order);
}

/**
 * The .dtb files of dir and of its vendor subdirectories (one level, as kernel packages lay
 * them out), in batches: dir's own with the board's vendor directories, then each other
 * directory, listed only when the search gets to it. At most MAX_DTB_FILES names are listed
 * in all (a hostile directory of thousands of subdirectories costs that, not more).
 */
function* dtbBatches(files: SourceFiles, dir: string, board: string[]): Generator<string[]> {
  let budget = MAX_DTB_FILES;
  const list = (at: string) => {
    const names = budget > 0 ? (files.list(at) ?? []).slice(0, budget) : [];
    budget -= names.length;
    return names;
  };
  const names = list(dir);
  const vendors = new Set(board.map((c) => c.slice(0, Math.max(0, c.indexOf(','))).toLowerCase()).flatMap((v) => [v, VENDOR_DIRS[v] ?? v]));
  const others = names.filter((n) => !n.endsWith('.dtb'));
  const listed = (sub: string) => list(path.posix.join(dir, sub)).filter((n) => n.endsWith('.dtb')).map((n) => path.posix.join(dir, sub, n));
  yield [...names.filter((n) => n.endsWith('.dtb')).map((n) => path.posix.join(dir, n)), ...others.filter((n) => vendors.has(n.toLowerCase())).flatMap(listed)];
  for (const sub of others.filter((n) => !vendors.has(n.toLowerCase()))) {
    if (budget <= 0) return;
    yield listed(sub);
  }
}
