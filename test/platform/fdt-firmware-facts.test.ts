// The firmware's facts carried into a disk's tree, checked with dtc: both trees are written as
// dts, compiled, carried, and the result decompiled and compared with a tree computed by hand.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { carryFirmwareFacts, FIRMWARE_SEED_BYTES } from '../../src/platform/fdt-firmware-facts.js';
import { parseFdt, serializeFdt, type FdtTree } from '../../src/platform/fdt.js';

const dtb = (dts: string): FdtTree => parseFdt(new Uint8Array(execFileSync('dtc', ['-I', 'dts', '-O', 'dtb', '-q'], { input: `/dts-v1/;\n${dts}` })))!;
const dts = (tree: FdtTree): string => execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', '-s', '-q'], { input: serializeFdt(tree) }).toString();
const seed = Uint8Array.from({ length: FIRMWARE_SEED_BYTES }, (_, i) => i + 1);

// A Pi 4's tree as the firmware hands it over: its RAM in two ranges, the MAC it read from OTP,
// the board's serial and revision, a seed, the CMA area it reserved, and the spin-table page.
const FIRMWARE = `/memreserve/ 0x0 0x1000;
/ {
  #address-cells = <2>; #size-cells = <1>;
  serial-number = "10000000abcdef01";
  aliases { ethernet0 = "/scb/ethernet@7d580000"; bluetooth = "/soc/serial@7e201000/bluetooth"; };
  chosen { kaslr-seed = <0x11111111 0x22222222>; rpi-boardrev-ext = <0x0>; bootargs = "from the firmware"; };
  system { linux,serial = <0x10000000 0xabcdef01>; linux,revision = <0xc03114>; };
  memory@0 { device_type = "memory"; reg = <0x0 0x0 0x3b400000 0x0 0x40000000 0x40000000>; };
  reserved-memory { #address-cells = <2>; #size-cells = <1>; ranges;
    linux,cma { compatible = "shared-dma-pool"; size = <0x4000000>; reusable; linux,cma-default; phandle = <0x3e>; };
    nvram@0 { reg = <0x0 0x1000 0x100>; }; };
  scb { ethernet@7d580000 { local-mac-address = [dc a6 32 00 00 01]; }; };
  soc { serial@7e201000 { bluetooth { local-bd-address = [01 00 00 32 a6 dc]; }; }; };
};`;

// The same board's tree from the disk: what the kernel package ships, with no firmware facts.
const DISK = `/ {
  #address-cells = <2>; #size-cells = <1>;
  aliases { ethernet0 = "/scb/genet@7d580000"; bluetooth = "/soc/serial@7e201000/bluetooth"; };
  chosen { bootargs = ""; };
  memory@0 { device_type = "memory"; reg = <0x0 0x0 0x0>; };
  reserved-memory { #address-cells = <2>; #size-cells = <1>; ranges;
    linux,cma { compatible = "shared-dma-pool"; size = <0x2000000>; reusable; linux,cma-default; phandle = <0x3e>; }; };
  scb { genet@7d580000 { compatible = "brcm,bcm2711-genet-v5"; }; };
  soc { serial@7e201000 { bluetooth { compatible = "brcm,bcm43438-bt"; }; }; };
};`;

describe("the firmware's facts, carried into a disk's tree", () => {
  it('gives the disk tree the firmware RAM, addresses (by alias), serial, revision, reserved memory and fresh seeds; nothing else changes', () => {
    const { tree, carried } = carryFirmwareFacts(dtb(DISK), dtb(FIRMWARE), seed);
    const expected = dtb(`/memreserve/ 0x0 0x1000;
/ {
  #address-cells = <2>; #size-cells = <1>;
  serial-number = "10000000abcdef01";
  aliases { ethernet0 = "/scb/genet@7d580000"; bluetooth = "/soc/serial@7e201000/bluetooth"; };
  chosen { bootargs = ""; rpi-boardrev-ext = <0x0>; kaslr-seed = <0x01020304 0x05060708>; };
  system { linux,serial = <0x10000000 0xabcdef01>; linux,revision = <0xc03114>; };
  memory@0 { device_type = "memory"; reg = <0x0 0x0 0x3b400000 0x0 0x40000000 0x40000000>; };
  reserved-memory { #address-cells = <2>; #size-cells = <1>; ranges;
    linux,cma { compatible = "shared-dma-pool"; size = <0x2000000>; reusable; linux,cma-default; phandle = <0x3e>; };
    nvram@0 { reg = <0x0 0x1000 0x100>; }; };
  scb { genet@7d580000 { compatible = "brcm,bcm2711-genet-v5"; local-mac-address = [dc a6 32 00 00 01]; }; };
  soc { serial@7e201000 { bluetooth { compatible = "brcm,bcm43438-bt"; local-bd-address = [01 00 00 32 a6 dc]; }; }; };
};`);
    expect(dts(tree)).toBe(dts(expected));
    expect(carried).toEqual([
      'memory (2 ranges)',
      'local-mac-address of /scb/genet@7d580000',
      'local-bd-address of /soc/serial@7e201000/bluetooth',
      '/serial-number',
      '/system/linux,serial',
      '/system/linux,revision',
      '/chosen/rpi-boardrev-ext',
      '/chosen/kaslr-seed (fresh)',
      '/reserved-memory/nvram@0',
      '/memreserve/ 0x0 0x1000',
    ]);
  });

  it('leaves its inputs as they were, and a tree without firmware facts as it was', () => {
    const disk = dtb(DISK);
    const before = dts(disk);
    const bare = dtb('/ { #address-cells = <2>; #size-cells = <1>; };');
    const { tree, carried } = carryFirmwareFacts(disk, bare, seed);
    expect(dts(disk)).toBe(before);
    expect(dts(tree)).toBe(before);
    expect(carried).toEqual([]);
  });

  it('finds an address node by path when the disk tree has no alias for it', () => {
    const disk = dtb('/ { scb { ethernet@7d580000 { }; }; };');
    const { tree } = carryFirmwareFacts(disk, dtb(FIRMWARE), seed);
    expect(dts(tree)).toContain('local-mac-address = [dc a6 32 00 00 01];');
  });

  it("leaves out a reserved range whose cells the disk tree reads otherwise, and U-Boot's reservation of its own initramfs", () => {
    const firmware = dtb(`/memreserve/ 0x2000000 0x1000000;
/memreserve/ 0x0 0x1000;
/ { #address-cells = <2>; #size-cells = <1>;
  chosen { linux,initrd-start = <0x2000000>; linux,initrd-end = <0x3000000>; };
  reserved-memory { #address-cells = <2>; #size-cells = <1>; ranges; nvram@0 { reg = <0x0 0x3b500000 0x8000>; no-map; }; }; };`);
    const disk = dtb('/ { #address-cells = <1>; #size-cells = <1>; reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges; }; };');
    const { tree, carried } = carryFirmwareFacts(disk, firmware, seed);
    expect(dts(tree)).not.toContain('nvram');
    expect(tree.reservations).toEqual([{ address: 0n, size: 0x1000n }]);
    expect(carried).toEqual(["not /reserved-memory/nvram@0: the trees' #address-cells/#size-cells differ", '/memreserve/ 0x0 0x1000']);
  });
});
