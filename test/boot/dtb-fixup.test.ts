import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDtbBytes, describeDtbFile, tryRequestedTree, writeRequestedTree } from '../../src/boot/dtb-fixup.js';
import type { DeviceTreeRequest } from '../../src/model.js';
import { memoryRanges, parseFdt, rootCompatible } from '../../src/platform/fdt.js';
import { compileDtsTo, decompileDtb } from '../helpers/dtc.js';
import { fixturePath } from '../helpers/golden.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-dtb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dtb(name: string, body: string, cells = '#address-cells = <1>; #size-cells = <1>;'): string {
  const dts = `/dts-v1/;\n/ { ${cells} compatible = "brcm,bcm2837"; model = "${name}"; ${body} };\n`;
  // The source stays beside the blob: the tests use it as a file that is no DTB.
  writeFileSync(path.join(dir, `${name}.dts`), dts);
  return compileDtsTo(path.join(dir, `${name}.dtb`), dts);
}

const pi3Firmware = fixturePath('machines', 'rpi3b-plus', 'sys/firmware/fdt');
const rpi4Firmware = fixturePath('machines', 'rpi4b', 'sys/firmware/fdt');
// RAM above 4 GiB, which a tree with one address cell cannot describe.
const aboveFourGiB = dtb('big-firmware', 'memory@0 { device_type = "memory"; reg = <1 0 0x40000000>; };', '#address-cells = <2>; #size-cells = <1>;');
const upstream = dtb('upstream', 'memory@0 { device_type = "memory"; reg = <0 0>; }; soc { serial@7e215040 { status = "okay"; }; };');

describe('describeDtbFile', () => {
  it('tells the board and whether memory is filled in', () => {
    expect(describeDtbFile(upstream)).toEqual({ compatible: ['brcm,bcm2837'], hasMemory: false });
    expect(describeDtbFile(pi3Firmware)).toEqual({ compatible: ['raspberrypi,3-model-b-plus', 'brcm,bcm2837'], hasMemory: true });
  });

  it('gives null for a file that is no DTB, or not there', () => {
    expect(describeDtbFile(path.join(dir, 'upstream.dts'))).toBeNull();
    expect(describeDtbFile(path.join(dir, 'missing.dtb'))).toBeNull();
    expect(describeDtbBytes(new Uint8Array(8))).toBeNull();
  });
});

const request = (base: string, firmware: string | null, to: string): DeviceTreeRequest => ({ base, firmware, overlays: [], dtparams: [], to });

describe('writeRequestedTree', () => {
  it("writes the disk tree with the firmware's RAM where the plan says, and keeps everything else", () => {
    const to = path.join(dir, 'fixed.dtb');
    const built = writeRequestedTree(request(upstream, rpi4Firmware, to));
    expect(built.report.carried).toContain('memory (2 ranges)');
    expect(describeDtbFile(to)).toEqual({ compatible: ['brcm,bcm2837'], hasMemory: true });
    expect(memoryRanges(parseFdt(readFileSync(to))!)).toEqual([
      { address: 0n, size: 0x3b400000n },
      { address: 0x40000000n, size: 0xbc000000n },
    ]);
    // dtc reads the result back: it is a well-formed blob, serial node and all.
    const dts = decompileDtb(readFileSync(to));
    expect(dts).toContain('serial@7e215040');
    expect(rootCompatible(parseFdt(readFileSync(to))!)).toEqual(['brcm,bcm2837']);
  });

  it('throws a sentence naming what it could not use', () => {
    expect(() => writeRequestedTree(request(path.join(dir, 'gone.dtb'), rpi4Firmware, path.join(dir, 'x.dtb')))).toThrow(`cannot read the device tree ${path.join(dir, 'gone.dtb')}`);
    expect(() => writeRequestedTree(request(upstream, path.join(dir, 'no-fdt'), path.join(dir, 'x.dtb')))).toThrow(`cannot read the firmware's device tree ${path.join(dir, 'no-fdt')} (it needs root)`);
    expect(() => writeRequestedTree(request(upstream, aboveFourGiB, path.join(dir, 'y.dtb')))).toThrow("the firmware's memory ranges do not fit the tree's #address-cells/#size-cells");
    expect(() => writeRequestedTree(request(path.join(dir, 'upstream.dts'), rpi4Firmware, path.join(dir, 'z.dtb')))).toThrow('the base tree is not a valid device tree blob');
  });
});

describe('tryRequestedTree', () => {
  it('says what an overlay that cannot be read does to the plan, and still builds the rest', () => {
    const report = tryRequestedTree({ ...request(upstream, pi3Firmware, path.join(dir, 'unused.dtb')), overlays: [{ path: path.join(dir, 'absent.dtbo'), params: [] }] });
    expect(typeof report).toBe('object');
    expect(report).toMatchObject({ steps: [{ kind: 'overlay', name: 'absent', applied: false, reason: `cannot read ${path.join(dir, 'absent.dtbo')} as a device tree overlay` }] });
    expect(existsSync(path.join(dir, 'unused.dtb'))).toBe(false);
  });
});
