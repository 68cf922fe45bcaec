// FDTDIR reads in a likely order: the board's vendor directory and file names first, so the
// board's tree is found after a handful of reads among a thousand, and the other directories are
// never listed; in those, only files named after the board are read.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { matchDtbDirectory } from '../../src/discover/dtb-dir.js';
import { compileDtsTo, rootDts } from '../helpers/dtc.js';

const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-fdtdir-order-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(file: string, compatible: string[]): void {
  compileDtsTo(path.join(root, file), rootDts(compatible));
}

// A kernel package's layout: vendor directories, 40 boards in the other one.
for (let i = 0; i < 40; i++) tree(`dtbs/allwinner/sun50i-board-${i}.dtb`, [`vendor,board-${i}`, 'allwinner,sun50i-h6']);
tree('dtbs/broadcom/bcm2711-rpi-400.dtb', ['raspberrypi,400', 'brcm,bcm2711']);
tree('dtbs/broadcom/bcm2837-rpi-3-b.dtb', ['raspberrypi,3-model-b', 'brcm,bcm2837']);
tree('dtbs/broadcom/bcm2711-rpi-4-b.dtb', ['raspberrypi,4-model-b', 'brcm,bcm2711']);

function counted() {
  const files = fsSourceFiles(root);
  const opened = new Set<string>();
  const listed: string[] = [];
  return {
    opened,
    listed,
    files: {
      ...files,
      readBytes: (p: string, offset: number, length: number) => (opened.add(p), files.readBytes(p, offset, length)),
      list: (p: string) => (listed.push(p), files.list(p)),
    },
  };
}

describe('FDTDIR search order', () => {
  it("reads the board's own file first, in its vendor directory, and lists no other directory", () => {
    const { files, opened, listed } = counted();
    const match = matchDtbDirectory(files, '/dtbs', ['raspberrypi,4-model-b', 'brcm,bcm2711']);
    expect(match.path).toBe('/dtbs/broadcom/bcm2711-rpi-4-b.dtb');
    // "rpi-4-b" carries the SoC and two words of "4-model-b"; rpi-400 only the SoC, so it is not read.
    expect([...opened]).toEqual(['/dtbs/broadcom/bcm2711-rpi-4-b.dtb']);
    expect(listed).toEqual(['/dtbs', '/dtbs/broadcom']);
  });

  it('reads only files named after the board in directories not named after its vendor', () => {
    tree('dtbs/other/acme-widget.dtb', ['acme,widget', 'acme,soc']);
    tree('dtbs/other/renamed.dtb', ['acme,gadget', 'acme,soc']);
    const found = counted();
    expect(matchDtbDirectory(found.files, '/dtbs', ['acme,widget', 'acme,soc']).path).toBe('/dtbs/other/acme-widget.dtb');
    expect([...found.opened]).toEqual(['/dtbs/other/acme-widget.dtb']);
    // A tree named after neither its vendor nor its board is not looked for among a thousand others.
    const unnamed = counted();
    const match = matchDtbDirectory(unnamed.files, '/dtbs', ['acme,gadget', 'acme,soc']);
    expect(match.path).toBeNull();
    expect(match.reason).toContain('no .dtb in FDTDIR /dtbs (its own files, the acme directories, and files named after the board elsewhere) is compatible with acme,gadget');
    expect(unnamed.opened.size).toBe(0);
  });

  it('reads every file of a flat FDTDIR (as Debian armhf lays it out), however it is named', () => {
    const flat = mkdtempSync(path.join(tmpdir(), 'kexmenu-fdtdir-flat-'));
    try {
      const compile = (file: string, compatible: string) => compileDtsTo(path.join(flat, file), rootDts([compatible]));
      compile('a.dtb', 'vendor,a');
      compile('renamed.dtb', 'acme,gadget');
      expect(matchDtbDirectory(fsSourceFiles(flat), '/', ['acme,gadget']).path).toBe('/renamed.dtb');
    } finally {
      rmSync(flat, { recursive: true, force: true });
    }
  });

  it('lists at most 4,000 names in all, however many directories a hostile FDTDIR has', () => {
    const hostile = mkdtempSync(path.join(tmpdir(), 'kexmenu-fdtdir-wide-'));
    try {
      for (let d = 0; d < 60; d++) {
        mkdirSync(path.join(hostile, 'dtbs', `d${d}`), { recursive: true });
        for (let f = 0; f < 100; f++) writeFileSync(path.join(hostile, 'dtbs', `d${d}`, `x${f}.dtbo`), '');
      }
      const files = fsSourceFiles(hostile);
      let names = 0;
      const counting = { ...files, list: (p: string) => {
        const got = files.list(p);
        names += got?.length ?? 0;
        return got;
      } };
      expect(matchDtbDirectory(counting, '/dtbs', ['acme,widget']).path).toBeNull();
      expect(names).toBeLessThanOrEqual(4000 + 100);
    } finally {
      rmSync(hostile, { recursive: true, force: true });
    }
  });
});
