import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchDtbDirectory } from '../../src/discover/dtb-dir.js';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { compileDtsTo, rootDts } from '../helpers/dtc.js';

const compileDtb = (file: string, compatible: string[]) => compileDtsTo(file, rootDts(compatible, '#address-cells = <1>; #size-cells = <1>;'));

describe('matchDtbDirectory (real dtbs compiled by dtc)', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kexmenu-fdtdir-'));
    const dir = path.join(root, 'usr/lib/linux-image-6.1.0-27-arm64');
    compileDtb(path.join(dir, 'broadcom/bcm2837-rpi-3-a-plus.dtb'), ['raspberrypi,3-model-a-plus', 'brcm,bcm2837']);
    compileDtb(path.join(dir, 'broadcom/bcm2837-rpi-3-b.dtb'), ['raspberrypi,3-model-b', 'brcm,bcm2837']);
    compileDtb(path.join(dir, 'rockchip/rk3399-rockpro64.dtb'), ['pine64,rockpro64', 'rockchip,rk3399']);
    writeFileSync(path.join(dir, 'broadcom/corrupt.dtb'), 'not a device tree');
  });

  it("picks the tree whose compatible names this board, in a vendor subdirectory", () => {
    const match = matchDtbDirectory(fsSourceFiles(root), '/usr/lib/linux-image-6.1.0-27-arm64', ['raspberrypi,3-model-b', 'brcm,bcm2837']);
    expect(match.path).toBe('/usr/lib/linux-image-6.1.0-27-arm64/broadcom/bcm2837-rpi-3-b.dtb');
    expect(match.reason).toContain('broadcom/bcm2837-rpi-3-b.dtb is compatible with raspberrypi,3-model-b');
  });

  it('does not settle for a tree that only shares the SoC', () => {
    const match = matchDtbDirectory(fsSourceFiles(root), '/usr/lib/linux-image-6.1.0-27-arm64', ['raspberrypi,3-model-b-plus', 'brcm,bcm2837']);
    expect(match.path).toBeNull();
    expect(match.reason).toContain("running firmware's tree");
  });

  it('says why when the board is unknown', () => {
    const match = matchDtbDirectory(fsSourceFiles(root), '/usr/lib/linux-image-6.1.0-27-arm64', []);
    expect(match).toEqual({ path: null, reason: expect.stringContaining('no device tree compatible to match') });
  });
});

describe('matchDtbDirectory over thousands of files', () => {
  it('reads the header and root properties of each .dtb, not the whole file (3,999 sparse 1 MiB files)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-fdtdir-many-'));
    const dir = path.join(root, 'dtbs');
    mkdirSync(dir);
    // The match comes last of the 4,000 a directory may hold, after every sparse file.
    for (let i = 0; i < 3999; i++) {
      const fd = openSync(path.join(dir, `board-${String(i).padStart(4, '0')}.dtb`), 'w');
      ftruncateSync(fd, 1024 * 1024);
      closeSync(fd);
    }
    compileDtb(path.join(dir, 'zz-match.dtb'), ['raspberrypi,3-model-b', 'brcm,bcm2837']);
    const files = fsSourceFiles(root);
    let bytes = 0;
    const counting = { ...files, readBytes: (p: string, offset: number, length: number) => {
      const got = files.readBytes(p, offset, length);
      bytes += got?.length ?? 0;
      return got;
    } };
    const match = matchDtbDirectory(counting, '/dtbs', ['raspberrypi,3-model-b']);
    expect(match.path).toBe('/dtbs/zz-match.dtb');
    // The whole files would be 4 GiB; the headers are 40 bytes each.
    expect(bytes).toBeLessThan(1024 * 1024);
  }, 60_000);
});
