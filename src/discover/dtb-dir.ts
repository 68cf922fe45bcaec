// extlinux FDTDIR: pick the .dtb whose root `compatible` names this board, as U-Boot would pick
// $fdtfile. Only the board's most specific compatible counts: matching on the SoC alone
// (e.g. "brcm,bcm2837") would hand a Pi 3 B the tree of a Pi 3 A+, which is worse than the
// firmware's own tree.
// A kernel package ships a thousand trees or more, and only what identifies a tree is read (its
// header and root properties, a few KiB of each file), in the order the names make likely:
// FDTDIR's own files and the board's vendor directories (arch/arm64/boot/dts/<vendor>), the
// files whose names carry the board's (bcm2711-rpi-4-b.dtb for "raspberrypi,4-model-b",
// "brcm,bcm2711") first. Of the other directories only files named after the board are read, so
// a board with no tree there costs a listing, not a thousand reads.
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
  // An exact match ends the search once the files named as likely as it have been read too (of
  // two trees made for the board, the one sharing more of its compatible list wins).
  search: for (const batch of dtbBatches(files, dir, board)) {
    for (const { file, score } of byLikelyName(batch.files, board)) {
      if (best?.exact && score < best.score) break search;
      if (!batch.all && score === 0) break;
      if (++seen > MAX_DTB_FILES) break search;
      const compatible = readRootCompatible((offset, length) => files.readBytes(file, offset, length));
      if (!compatible?.includes(wanted)) continue;
      const exact = compatible[0] === wanted;
      const shared = compatible.filter((c) => board.includes(c)).length;
      if (!best || (exact && !best.exact) || (exact === best.exact && shared > best.shared)) best = { path: file, exact, shared, score };
    }
    if (best?.exact) break;
  }
  if (!best) {
    return {
      path: null,
      reason: `no .dtb in FDTDIR ${dir} (its own files, the ${vendorNames(board).join('/')} directories, and files named after the board elsewhere) is compatible with ${wanted}: the running firmware's tree is used`,
    };
  }
  return { path: best.path, reason: `FDTDIR ${dir}: ${path.posix.relative(dir, best.path)} is compatible with ${wanted}` };
}

/** The words of a compatible's model part ("4-model-b" -> 4, model, b), as file names split them. */
const words = (name: string) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);

/**
 * Candidates by how much of the board their file name carries, the rest in directory order after
 * them. A compatible's whole model part in the name ("rockpro64", "bcm2711") counts most, the more
 * specific compatible more; then the most specific compatible's words ("rpi-4-b" has 4 and b of
 * "4-model-b"; "rpi-400" none).
 */
function byLikelyName(candidates: string[], board: string[]): Array<{ file: string; score: number }> {
  const models = board.map((c) => c.slice(c.indexOf(',') + 1).toLowerCase());
  const hints = models.map((model, i) => ({ model, weight: (board.length - i) * 100 })).filter((h) => h.model.length >= 3);
  const boardWords = new Set(words(models[0] ?? ''));
  const score = (file: string) => {
    const name = path.posix.basename(file, '.dtb').toLowerCase();
    const whole = hints.reduce((n, hint) => n + (name.includes(hint.model) ? hint.weight : 0), 0);
    return whole + (whole > 0 ? words(name).filter((w) => boardWords.has(w)).length : 0);
  };
  return candidates.map((file, order) => ({ file, order, score: score(file) })).sort((a, b) => b.score - a.score || a.order - b.order);
}

/** The directory names the board's vendors keep their trees under. */
function vendorNames(board: string[]): string[] {
  const vendors = board.map((c) => c.slice(0, Math.max(0, c.indexOf(','))).toLowerCase()).filter((v) => v.length > 0);
  return [...new Set(vendors.flatMap((v) => [VENDOR_DIRS[v] ?? v]))];
}

/**
 * The .dtb files of dir and of its subdirectories (one level, as kernel packages lay them out),
 * in batches: dir's own with the board's vendor directories (every file read if need be), then
 * each other directory (only files named after the board), listed only when the search gets to
 * it. At most MAX_DTB_FILES names are listed in all (a hostile directory of thousands of
 * subdirectories costs that, not more).
 */
function* dtbBatches(files: SourceFiles, dir: string, board: string[]): Generator<{ files: string[]; all: boolean }> {
  let budget = MAX_DTB_FILES;
  const list = (at: string) => {
    const names = budget > 0 ? (files.list(at) ?? []).slice(0, budget) : [];
    budget -= names.length;
    return names;
  };
  const names = list(dir);
  const vendors = new Set(vendorNames(board));
  const others = names.filter((n) => !n.endsWith('.dtb'));
  const listed = (sub: string) => list(path.posix.join(dir, sub)).filter((n) => n.endsWith('.dtb')).map((n) => path.posix.join(dir, sub, n));
  const own = names.filter((n) => n.endsWith('.dtb')).map((n) => path.posix.join(dir, n));
  yield { files: [...own, ...others.filter((n) => vendors.has(n.toLowerCase())).flatMap(listed)], all: true };
  for (const sub of others.filter((n) => !vendors.has(n.toLowerCase()))) {
    if (budget <= 0) return;
    yield { files: listed(sub), all: false };
  }
}
