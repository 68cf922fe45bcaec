// FDTDIR figures: the Debian extlinux layout (u-boot-menu's extlinux.conf naming FDTDIR, over the
// device trees a Debian arm64 kernel package ships: Debian 13's, about a thousand files) scanned
// without a board, and with boards whose tree is found by name, found by content only, or absent.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/discover/scan.js';
import { fakeArm64Image } from '../test/helpers/fake-kernel.js';
import { REPO } from '../test/helpers/screen.js';
import { median, row, timeIt } from './util.js';

function buildLayout(dir: string): { tree: string; files: number } | null {
  const fetched = execFileSync('bash', [path.join(REPO, 'scripts/fetch-trixie-kernel-dtbs.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dtbs = /^dtbs=(.*)$/m.exec(fetched)?.[1];
  if (!dtbs) return null;
  const version = '6.12-arm64';
  const tree = path.join(dir, 'debian-extlinux');
  if (!existsSync(path.join(tree, '.complete'))) {
    mkdirSync(path.join(tree, 'boot/extlinux'), { recursive: true });
    writeFileSync(path.join(tree, `boot/vmlinuz-${version}`), fakeArm64Image());
    writeFileSync(path.join(tree, `boot/initrd.img-${version}`), 'initrd');
    writeFileSync(
      path.join(tree, 'boot/extlinux/extlinux.conf'),
      `default l0\nmenu title U-Boot menu\nprompt 0\ntimeout 50\n\nlabel l0\n\tmenu label Debian GNU/Linux 13 (trixie) ${version}\n\tlinux /boot/vmlinuz-${version}\n\tinitrd /boot/initrd.img-${version}\n\tfdtdir /usr/lib/linux-image-${version}/\n\tappend root=UUID=x ro quiet\n`,
    );
    mkdirSync(path.join(tree, 'usr/lib'), { recursive: true });
    execFileSync('cp', ['-al', dtbs, path.join(tree, 'usr/lib', `linux-image-${version}`)]);
    writeFileSync(path.join(tree, '.complete'), '');
  }
  const files = Number(execFileSync('bash', ['-c', `find "${tree}/usr/lib" -name '*.dtb' | wc -l`], { encoding: 'utf8' }).trim());
  return { tree, files };
}

export async function benchFdtdir(cacheDir: string): Promise<string[]> {
  const layout = buildLayout(cacheDir);
  if (!layout) return ['## FDTDIR: the Debian 13 device trees could not be fetched'];
  const lines = [`## FDTDIR: the Debian extlinux layout, ${layout.files} .dtb files (scan in a worker, median of 7)`];
  const boards: Array<[string, string[]]> = [
    ['without --board', []],
    ['--board raspberrypi,4-model-b (bcm2711-rpi-4-b.dtb)', ['raspberrypi,4-model-b', 'brcm,bcm2711']],
    ['--board pine64,rockpro64 (rk3399-rockpro64*.dtb)', ['pine64,rockpro64-v2.1', 'pine64,rockpro64', 'rockchip,rk3399']],
    ['--board of a board with no tree there', ['example,no-such-board', 'example,no-such-soc']],
  ];
  let without = 0;
  for (const [what, board] of boards) {
    const ms = median(await timeIt(7, () => scan({ roots: [layout.tree], board, arch: 'aarch64' })));
    if (board.length === 0) without = ms;
    lines.push(row(`scan ${what}`, ms) + (board.length > 0 ? `  (${(ms / without).toFixed(2)}x without --board)` : ''));
  }
  return lines;
}
