import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDtbBytes, describeDtbFile, withFirmwareMemory, writeFixedDtb } from '../../src/boot/dtb-fixup.js';
import { memoryRanges, parseFdt, rootCompatible } from '../../src/platform/fdt.js';
import { fixturePath } from '../helpers/golden.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-dtb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dtb(name: string, body: string, cells = '#address-cells = <1>; #size-cells = <1>;'): string {
  const dts = path.join(dir, `${name}.dts`);
  writeFileSync(dts, `/dts-v1/;\n/ { ${cells} compatible = "brcm,bcm2837"; model = "${name}"; ${body} };\n`);
  const out = path.join(dir, `${name}.dtb`);
  execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, dts]);
  return out;
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

describe('withFirmwareMemory', () => {
  it("gives the disk tree the firmware's RAM and keeps everything else", () => {
    const fixed = withFirmwareMemory(readFileSync(upstream), readFileSync(pi3Firmware));
    expect(fixed).toBeInstanceOf(Uint8Array);
    const tree = parseFdt(fixed as Uint8Array)!;
    expect(memoryRanges(tree)).toEqual([{ address: 0n, size: 0x3b400000n }]);
    expect(rootCompatible(tree)).toEqual(['brcm,bcm2837']);
    // dtc reads the result back: it is a well-formed blob, serial node and all.
    const dts = execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-'], { input: fixed as Uint8Array }).toString();
    expect(dts).toContain('serial@7e215040');
    expect(dts).toMatch(/reg = <0x00 0x3b400000>;/);
  });

  it('says why when it cannot', () => {
    const noMemory = dtb('firmware-without-memory', '');
    expect(withFirmwareMemory(readFileSync(upstream), readFileSync(noMemory))).toBe("the firmware's tree names no memory either");
    expect(withFirmwareMemory(new Uint8Array(4), readFileSync(pi3Firmware))).toBe('is not a valid device tree blob');
    expect(withFirmwareMemory(readFileSync(upstream), new Uint8Array(4))).toBe("the firmware's tree is not a valid device tree blob");
    expect(withFirmwareMemory(readFileSync(upstream), readFileSync(aboveFourGiB))).toBe("the firmware's memory ranges do not fit its #address-cells/#size-cells");
  });
});

describe('writeFixedDtb', () => {
  it('writes the fixed copy where the plan says', () => {
    const to = path.join(dir, 'fixed.dtb');
    writeFixedDtb({ from: upstream, memoryFrom: rpi4Firmware, to });
    expect(describeDtbFile(to)).toEqual({ compatible: ['brcm,bcm2837'], hasMemory: true });
    expect(memoryRanges(parseFdt(readFileSync(to))!)).toEqual([
      { address: 0n, size: 0x3b400000n },
      { address: 0x40000000n, size: 0xbc000000n },
    ]);
  });

  it('throws a sentence naming the file it could not use', () => {
    expect(() => writeFixedDtb({ from: path.join(dir, 'gone.dtb'), memoryFrom: rpi4Firmware, to: path.join(dir, 'x.dtb') })).toThrow(`cannot read the device tree ${path.join(dir, 'gone.dtb')}`);
    expect(() => writeFixedDtb({ from: upstream, memoryFrom: aboveFourGiB, to: path.join(dir, 'y.dtb') })).toThrow(
      `cannot give ${upstream} the firmware's memory: the firmware's memory ranges do not fit its #address-cells/#size-cells`,
    );
  });
});
