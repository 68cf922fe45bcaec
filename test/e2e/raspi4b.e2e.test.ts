// Raspberry Pi 4 B end to end: the arm64 image on QEMU 10's `raspi4b` (Debian 13's QEMU in a chroot
// of its own, scripts/image/qemu10.sh: Debian 12's QEMU 7.2 has no Pi 4), booting the Pi firmware
// entry of the same SD card image as the raspi3b tests.
//
// The board as QEMU gives it (docs/qemu.md, "Raspberry Pi 4"): CPUs parked with spin-table, so the
// menu kernel runs with nr_cpus=1 (as on raspi3b); its console is the mini UART (ttyS1), while
// the target's is the PL011 (the card's cmdline-pi4.txt; both ports reach QEMU's stdio); the SD
// card is on the Arasan SDHCI; no power-off (QEMU is stopped once the target has reported).
// -dtb is disks.sh's rpi4b-firmware.dtb, Debian's tree as the Pi firmware would pass it (with a
// MAC address); QEMU replaces its memory nodes with one of its own, QEMU_RAM below.
// The target's /init (disks.sh) prints its command line and, one line each, the device tree
// properties the firmware fills in (what kexmenu must carry from the firmware's tree into the
// target's) and those of the nodes the card's overlays add (config.txt, disks.sh). Time savers as in arm64.e2e.test.ts: quiet, cryptomgr.notests=1.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getProp, memoryRanges, parseFdt, propStrings, stringProp, type FdtTree, type MemoryRange } from '../../src/platform/fdt.js';
import { Guest } from './qemu.js';
import { prepare, prepareQemu10, sha256, TARGET_UP, type Images } from './images.js';

const COMMON = 'console=ttyS1 panic=-1 quiet cryptomgr.notests=1 nr_cpus=1';
/** The RAM QEMU 10's raspi4b writes into the tree, whatever -m says: 0 up to its VideoCore RAM. */
const QEMU_RAM: MemoryRange[] = [{ address: 0n, size: 0x3c000000n }];

let images: Images;
let firmware: FdtTree;
let ethernet: string;
let before: string;
const guests: Guest[] = [];
const timings: Record<string, Record<string, number>> = {};

function boot(name: string, append: string, timeoutMs: number): Guest {
  const guest = Guest.start({
    machine: 'raspi4b',
    kernel: images.kernel,
    initrd: images.initramfs,
    dtb: images.rpi4Dtb,
    append: `${COMMON} ${append}`,
    disks: [{ file: images.disks.rpi }],
    timeoutMs,
  });
  guests.push(guest);
  timings[name] = guest.timings;
  return guest;
}

/** `PREFIX /path=hex` lines of a guest's output, as path -> bytes. */
function dtLines(output: string, prefix: string): Map<string, Uint8Array> {
  const lines = output.matchAll(new RegExp(`^${prefix} (/\\S*?)=([0-9a-f]*)$`, 'gm'));
  return new Map([...lines].map(([, file, hex]) => [file ?? '', Uint8Array.from(Buffer.from(hex ?? '', 'hex'))]));
}

/** The memory ranges of the `/memory*\/reg` properties a guest printed (the firmware tree's cell sizes). */
function printedMemory(props: Map<string, Uint8Array>): MemoryRange[] {
  const cells = ['#address-cells', '#size-cells'].map((name) => ({ name, value: getProp(firmware, '/', name) ?? new Uint8Array() }));
  const children = [...props]
    .filter(([file]) => /^\/memory[^/]*\/reg$/.test(file))
    .map(([file, reg]) => ({ name: file.split('/')[1] ?? '', props: [{ name: 'device_type', value: stringProp('memory') }, { name: 'reg', value: reg }], children: [] }));
  return memoryRanges({ root: { name: '', props: cells, children }, reservations: [], bootCpuidPhys: 0 });
}

const hex = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : '(none)');
const show = (ranges: MemoryRange[]) => ranges.map((r) => `0x${r.address.toString(16)}-0x${(r.address + r.size).toString(16)}`).join(' ');
const covered = (outer: MemoryRange[], r: MemoryRange) => outer.some((o) => o.address <= r.address && r.address + r.size <= o.address + o.size);

describe('Raspberry Pi 4 B (QEMU 10 raspi4b)', () => {
  beforeAll(async () => {
    images = await prepare('arm64');
    await prepareQemu10();
    const tree = parseFdt(readFileSync(images.rpi4Dtb));
    if (!tree) throw new Error(`${images.rpi4Dtb} is not a device tree`);
    firmware = tree;
    ethernet = propStrings(getProp(firmware, '/aliases', 'ethernet0'))[0] ?? '';
    before = await sha256(images.disks.rpi);
  });

  afterEach(async () => {
    await Promise.all(guests.splice(0).map((g) => g.stop()));
  });

  afterAll(() => {
    console.log(`e2e timings raspi4b (s): ${JSON.stringify(timings)}`);
  });

  it('the menu kernel sees the SD card, the firmware tree with its MAC address, and QEMU_RAM as its memory', async () => {
    const guest = boot('menu-kernel', 'kexmenu.cmd=version kexmenu.wait=mmcblk0p1', 90_000);
    await guest.mark('version', /Press Enter for a shell/, 60_000);
    guest.send('\r');
    await guest.mark('shell', /kexmenu# $/m, 10_000);
    // The marker is put together by the shell, so the echoed command line never matches it.
    guest.type(
      `m=MENU; cat /proc/partitions; for f in /proc/device-tree/memory*/reg /proc/device-tree${ethernet}/local-mac-address; do echo "KEXMENU-$m-DT \${f#/proc/device-tree}=$(od -An -v -tx1 $f | tr -d ' \\n')"; done; echo "KEXMENU-$m-DT-END"`,
    );
    await guest.mark('dt', /^KEXMENU-MENU-DT-END/m, 20_000);
    expect(guest.output).toMatch(/ mmcblk0p1$/m);
    const menu = dtLines(guest.output, 'KEXMENU-MENU-DT');
    console.log(`menu kernel: ${ethernet}/local-mac-address=${hex(menu.get(`${ethernet}/local-mac-address`))} memory ${show(printedMemory(menu))}`);
    expect(hex(menu.get(`${ethernet}/local-mac-address`))).toBe(hex(getProp(firmware, ethernet, 'local-mac-address')));
    expect(printedMemory(menu)).toEqual(QEMU_RAM);
  }, 120_000);

  it('boots the Pi firmware entry with its overlays applied; the target has them, the MAC address and every memory range of the menu kernel', async () => {
    const guest = boot('pi-entry', 'kexmenu.timeout=-1 kexmenu.wait=mmcblk0p1', 180_000);
    await guest.mark('menu', /> 1\. Raspberry Pi/, 90_000);
    await guest.waitForScreen(/> 1\. Raspberry Pi/, 10_000);
    // config.txt: [pi4] dtoverlay=vc4-kms-v3d; [all] dtoverlay=kexmenu-test,value=... and dtparam=count=7.
    guest.send('e');
    await guest.waitForScreen(/Overlays: +vc4-kms-v3d \(applied\), kexmenu-test \(applied\)/, 20_000);
    guest.send('\r');
    const [, seen] = await guest.mark('target', TARGET_UP, 100_000);
    // The Pi 4's cmdline-pi4.txt (config.txt [pi4] cmdline=), word for word: nr_cpus=1 and the
    // kexmenu.* arguments stay behind.
    expect(seen?.trim()).toBe('console=tty1 console=ttyAMA0,115200 root=/dev/mmcblk0p2 rootfstype=ext4 fsck.repair=yes rootwait rpi=4');
    await guest.mark('target-dt', /^KEXMENU-TARGET-DT-END lines=\d+$/m, 20_000);
    const target = dtLines(guest.output, 'KEXMENU-TARGET-DT');
    const menuMac = getProp(firmware, ethernet, 'local-mac-address');
    const targetMac = target.get(`${ethernet}/local-mac-address`);
    console.log(`local-mac-address of ${ethernet}: menu kernel ${hex(menuMac)}, target ${hex(targetMac)}`);
    console.log(`memory: menu kernel ${show(QEMU_RAM)}, target ${show(printedMemory(target))}`);
    console.log(`target device tree lines:\n${[...target].map(([file, bytes]) => `  ${file}=${hex(bytes)}`).join('\n')}`);
    // What the Pi firmware wrote into the tree kexmenu booted with, it must also find in the target's.
    expect(hex(targetMac)).toBe(hex(menuMac));
    // The overlays, with the parameters config.txt gave them (the compiled values were "as compiled" and 1).
    expect(hex(target.get('/kexmenu-test-kms/applied'))).toBe(hex(Buffer.from('vc4-kms-v3d\0')));
    expect(hex(target.get('/kexmenu-test/value'))).toBe(hex(Buffer.from('from-config-txt\0')));
    expect(hex(target.get('/kexmenu-test/count'))).toBe('00000007');
    const targetRanges = printedMemory(target);
    expect(QEMU_RAM.filter((r) => !covered(targetRanges, r)).map((r) => show([r]))).toEqual([]);
  }, 200_000);

  it('leaves the SD card image byte-for-byte unchanged', async () => {
    expect(await sha256(images.disks.rpi)).toBe(before);
  });
});
