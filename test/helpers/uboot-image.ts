// U-Boot images for tests: the real mkimage (Debian's u-boot-tools) where a test wants what boards
// really get, and an in-process writer where thousands are needed (the fuzz suite) or a header
// must be bent on purpose.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from '../../src/parsers/uboot-image.js';

/** `mkimage ARGS...`, failing the test when it fails. */
export function mkimage(...args: string[]): void {
  execFileSync('mkimage', args, { stdio: 'pipe' });
}

/** A copy of a fixture tree in a temporary directory, to add what mkimage makes; removed by `done`. */
export function treeCopy(tree: string): { root: string; done: () => void } {
  const base = mkdtempSync(path.join(tmpdir(), 'kexmenu-uboot-'));
  const root = path.join(base, 'tree');
  cpSync(tree, root, { recursive: true, verbatimSymlinks: true });
  return { root, done: () => rmSync(base, { recursive: true, force: true }) };
}

/** boot.scr from boot.cmd, as `mkimage -A arm64 -T script -C none -d boot.cmd boot.scr` makes it. */
export function mkimageScript(dir: string, from = 'boot.cmd', to = 'boot.scr'): void {
  mkimage('-A', 'arm64', '-T', 'script', '-C', 'none', '-d', path.join(dir, from), path.join(dir, to));
}

/** Armbian's uInitrd-V from initrd.img-V, and the uInitrd symlink to it. */
export function mkimageUInitrd(dir: string, version: string): void {
  mkimage('-A', 'arm64', '-O', 'linux', '-T', 'ramdisk', '-C', 'gzip', '-n', 'uInitrd', '-d', path.join(dir, `initrd.img-${version}`), path.join(dir, `uInitrd-${version}`));
  symlinkSync(`uInitrd-${version}`, path.join(dir, 'uInitrd'));
}

/** A legacy script image of `text`, laid out as mkimage lays it out (type 6, no compression). */
export function scriptImage(text: string | Uint8Array, type = 6): Uint8Array {
  const script = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const data = new Uint8Array(8 + script.length);
  const dataView = new DataView(data.buffer);
  dataView.setUint32(0, script.length);
  data.set(script, 8);
  const image = new Uint8Array(64 + data.length);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x27051956);
  view.setUint32(12, data.length);
  view.setUint32(24, crc32(data));
  image.set([5, 22, type, 0], 28); // os linux, arch arm64, type, compression none
  image.set(new TextEncoder().encode('test script'), 32);
  image.set(data, 64);
  view.setUint32(4, crc32(image.subarray(0, 64)));
  return image;
}
