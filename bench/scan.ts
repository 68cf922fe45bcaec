// Scan figures: a partition-like tree with 200k unrelated files (scan must look only where boot
// files live, so it should not grow with the tree) next to `find` over the same tree, the scan
// time of every fixture layout in test/fixtures, of 10,000 ordinary entries, and of each hostile
// disk (test/fixtures/hostile and the large ones test/helpers/hostile-disks.ts writes).
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { scan } from '../src/discover/scan.js';
import { scanSource } from '../src/discover/scan-source.js';
import type { BootSource } from '../src/model.js';
import { fakeBzImage } from '../test/helpers/fake-kernel.js';
import { GENERATED, makeHostileDisk } from '../test/helpers/hostile-disks.js';
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

  lines.push(...(await benchHostile(cacheDir)));
  return lines;
}

/** A directory as a source, for scanSource in this process (no worker: the parse alone). */
function dirSource(root: string): BootSource {
  return { id: path.basename(root), root, device: null, fstype: null, label: null, uuid: null, partuuid: null, removable: false, size: null };
}

async function benchHostile(cacheDir: string): Promise<string[]> {
  const lines = ['## scan of many entries and of hostile disks (scan: a worker per disk, as kexmenu runs; in process: the same work without the worker)'];
  const dir = path.join(cacheDir, 'hostile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const disks: [string, string][] = Object.keys(GENERATED).map((name) => [name, makeHostileDisk(name as keyof typeof GENERATED, path.join(dir, name))]);
  const committed = path.resolve('test/fixtures/hostile');
  for (const name of readdirSync(committed).sort()) {
    if (name === 'README.md') continue;
    if (name === 'escapes') for (const sub of ['configs', 'includes']) disks.push([`escapes/${sub}`, path.join(committed, name, sub)]);
    else disks.push([name, path.join(committed, name)]);
  }
  const small = path.resolve('test/fixtures/disks/debian-root');
  lines.push(row('scan of one small disk (worker start included)', median(await timeIt(5, () => scan({ roots: [small], board: [], arch: 'x86_64' })))));
  for (const [name, root] of disks.sort(([a], [b]) => (a === 'grub-10000-entries' ? -1 : b === 'grub-10000-entries' ? 1 : a.localeCompare(b)))) {
    let entries = 0;
    const scanned = median(await timeIt(3, async () => {
      entries = (await scan({ roots: [root], board: ['raspberrypi,3-model-b'], arch: 'x86_64' })).entries.length;
    }));
    const inProcess = median(await timeIt(3, () => scanSource({ sources: [dirSource(root)], index: 0, board: ['raspberrypi,3-model-b'], arch: 'x86_64' })));
    lines.push(`${row(`${name} (${entries} entries)`, scanned)}   in process ${inProcess.toFixed(1).padStart(7)} ms`);
  }
  rmSync(dir, { recursive: true, force: true });
  return lines;
}
