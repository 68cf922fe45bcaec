// Scan figures: a partition-like tree with 200k unrelated files (scan must look only where boot
// files live, so it should not grow with the tree) next to `find` over the same tree, and the
// scan time of every fixture layout in test/fixtures.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { scan } from '../src/discover/scan.js';
import { fakeBzImage } from '../test/helpers/fake-kernel.js';
import { median, row, timeIt } from './util.js';

const UNRELATED_FILES = 200_000;

function buildBigTree(dir: string): void {
  const stamp = path.join(dir, '.complete');
  if (existsSync(stamp)) return;
  mkdirSync(path.join(dir, 'boot/grub'), { recursive: true });
  for (const v of ['6.1.0-27-amd64', '6.1.0-26-amd64']) {
    writeFileSync(path.join(dir, `boot/vmlinuz-${v}`), fakeBzImage(v));
    writeFileSync(path.join(dir, `boot/initrd.img-${v}`), 'initrd');
  }
  writeFileSync(path.join(dir, 'boot/grub/grub.cfg'),
    "menuentry 'Debian GNU/Linux' {\n  linux /boot/vmlinuz-6.1.0-27-amd64 root=/dev/vda1 ro quiet\n  initrd /boot/initrd.img-6.1.0-27-amd64\n}\n");
  for (let d = 0; d < UNRELATED_FILES / 1000; d++) {
    const sub = path.join(dir, 'usr/share/doc', `pkg-${d}`);
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 1000; f++) writeFileSync(path.join(sub, `file-${f}.txt`), '');
  }
  writeFileSync(stamp, '');
}

export async function benchScan(cacheDir: string): Promise<string[]> {
  const lines: string[] = ['## scan'];
  const big = path.join(cacheDir, 'big-tree');
  buildBigTree(big);
  const scanTimes = await timeIt(7, () => scan({ roots: [big], board: [], arch: 'x86_64' }));
  const findTimes = await timeIt(3, () => execa('find', [big, '-type', 'f'], { stdout: 'ignore' }));
  lines.push(row(`scan, tree with ${UNRELATED_FILES / 1000}k unrelated files`, median(scanTimes)));
  lines.push(row('find -type f over the same tree', median(findTimes)));
  lines.push(`  ratio scan/find: ${(median(scanTimes) / median(findTimes)).toFixed(3)}`);

  const fixtures = path.resolve('test/fixtures');
  for (const format of readdirSync(fixtures).sort()) {
    const formatDir = path.join(fixtures, format);
    for (const name of existsSync(formatDir) ? readdirSync(formatDir).sort() : []) {
      const tree = path.join(formatDir, name, 'tree');
      if (!existsSync(tree)) continue;
      const times = await timeIt(5, () => scan({ roots: [tree], board: ['raspberrypi,3-model-b'], arch: 'x86_64' }));
      lines.push(row(`scan fixture ${format}/${name}`, median(times)));
    }
  }
  return lines;
}
