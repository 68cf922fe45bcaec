import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDtbFile, tryRequestedTree, writeRequestedTree } from '../../src/boot/dtb-fixup.js';
import { FIRMWARE_DTB_REASON, planBoot } from '../../src/boot/plan.js';
import type { BootEntry, BootSource } from '../../src/model.js';
import { readMachine } from '../../src/platform/machine.js';
import { compileDtsTo, decompileDtb } from '../helpers/dtc.js';
import { fixturePath } from '../helpers/golden.js';

const machine = (name: string) => readMachine(fixturePath('machines', name));
const firmwareFdt = (name: string) => path.join(fixturePath('machines', name), 'sys/firmware/fdt');

function entry(overrides: Partial<BootEntry>): BootEntry {
  return {
    id: 'mmcblk0p2:extlinux:1',
    label: 'Debian GNU/Linux, kernel 6.1.0-27-arm64',
    source: 'mmcblk0p2',
    kernel: '/run/kexmenu/mmcblk0p2/boot/vmlinuz-6.1.0-27-arm64',
    initrd: ['/run/kexmenu/mmcblk0p2/boot/initrd.img-6.1.0-27-arm64'],
    dtb: null,
    dtbReason: null,
    overlays: [],
    dtparams: [],
    firmwareArgs: [],
    inside: null,
    notLinux: null,
    cmdline: 'root=UUID=2f6b0c11-1d3e-4c55-9a53-3f1f0f0e2a10 ro quiet',
    default: true,
    kind: 'config',
    origin: { format: 'extlinux', file: '/run/kexmenu/mmcblk0p2/boot/extlinux/extlinux.conf', line: 4 },
    arch: 'aarch64',
    version: '6.1.0-27-arm64',
    ...overrides,
  };
}

const rawX86 = entry({
  id: 'sda2:raw:0',
  source: 'sda2',
  label: 'vmlinuz-6.1.0-27-amd64',
  kernel: '/run/kexmenu/sda2/boot/vmlinuz-6.1.0-27-amd64',
  initrd: ['/run/kexmenu/sda2/boot/initrd.img-6.1.0-27-amd64'],
  cmdline: '',
  kind: 'other',
  origin: { format: 'raw', file: '/run/kexmenu/sda2/boot/vmlinuz-6.1.0-27-amd64', line: null },
  arch: 'x86_64',
});

const sda2: BootSource = {
  id: 'sda2', root: '/run/kexmenu/sda2', device: '/dev/sda2', fstype: 'ext4', label: 'root',
  uuid: '0f3c7d7e-8a4b-4f6e-9d1c-2b5a6e7f8091', partuuid: '4a1e3c2b-02', removable: false, size: 20e9,
};

describe('planBoot on a Raspberry Pi 3 B+', () => {
  const piEntry = entry({
    id: 'mmcblk0p1:rpi:0',
    source: 'mmcblk0p1',
    kernel: '/run/kexmenu/mmcblk0p1/kernel8.img',
    initrd: [],
    dtb: 'firmware',
    dtbReason: 'the Pi firmware loads bcm2710-rpi-3-b-plus.dtb for this board',
    cmdline: 'console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 fsck.repair=yes rootwait',
    origin: { format: 'rpi', file: '/run/kexmenu/mmcblk0p1/config.txt', line: null },
  });

  it('refuses while four CPUs are parked with spin-table, and says nr_cpus=1 is the fix', () => {
    const plan = planBoot(piEntry, machine('rpi3b-plus'));
    expect(plan.ok).toBe(false);
    expect(plan.refusal).toContain(
      "this board parks its secondary CPUs with spin-table, so Linux cannot kexec while more than one CPU is possible (the kernel refuses with 'CPUs are stuck in the kernel'). Boot kexmenu's own kernel with nr_cpus=1 (maxcpus=1 is not enough).",
    );
    expect(plan.load).toEqual([]);
    expect(plan.exec).toEqual([]);
  });

  it("boots once the menu kernel runs with nr_cpus=1, carrying the firmware's own arguments but not the menu's", () => {
    const plan = planBoot(piEntry, machine('rpi3b-plus-nr_cpus1'));
    const cmdline =
      'coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_headphones=0 bcm2708_fb.fbwidth=656 bcm2708_fb.fbheight=416 bcm2708_fb.fbswap=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000 ' +
      'console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 fsck.repair=yes rootwait';
    expect(plan).toMatchObject({ ok: true, refusal: null, cmdline });
    expect(plan.load).toEqual([
      'kexec', '-l', '-y', '/run/kexmenu/mmcblk0p1/kernel8.img',
      `--dtb=${firmwareFdt('rpi3b-plus-nr_cpus1')}`,
      `--append=${cmdline}`,
    ]);
    expect(plan.exec).toEqual(['kexec', '-e', '-y']);
    expect(plan.dtb).toEqual({
      path: firmwareFdt('rpi3b-plus-nr_cpus1'),
      reason: `${FIRMWARE_DTB_REASON} (the Pi firmware loads bcm2710-rpi-3-b-plus.dtb for this board)`,
    });
    expect(plan.warnings).toEqual(['no initrd: the kernel has to mount its root filesystem with its built-in drivers']);
  });

  it("writes the firmware's words as the entry's config.txt would have them: 8250.nr_uarts= recomputed", () => {
    // The menu's own card was scanned too: its cmdline.txt is how the running line ends.
    const menuCmdline = 'console=ttyS0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 rootwait nr_cpus=1 kexmenu.timeout=5';
    const noUart = { ...piEntry, firmwareArgs: ['8250.nr_uarts=0'] };
    const plan = planBoot(noUart, machine('rpi3b-plus-nr_cpus1'), {}, { piCmdlines: [piEntry.cmdline, menuCmdline] });
    expect(plan.cmdline).toBe(
      'coherent_pool=1M 8250.nr_uarts=0 snd_bcm2835.enable_headphones=0 bcm2708_fb.fbwidth=656 bcm2708_fb.fbheight=416 bcm2708_fb.fbswap=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000 ' +
        piEntry.cmdline,
    );
  });

  it('drops nr_cpus=1 and kexmenu.* when the entry reuses the running command line', () => {
    // kexmenu's own SD card: its cmdline.txt is what the menu kernel runs with.
    const own = { ...piEntry, cmdline: 'console=ttyS0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 rootwait nr_cpus=1 kexmenu.timeout=5' };
    const plan = planBoot(own, machine('rpi3b-plus-nr_cpus1'));
    expect(plan.ok).toBe(true);
    expect(plan.cmdline).not.toMatch(/nr_cpus|kexmenu\./);
    expect(plan.cmdline.endsWith('console=ttyS0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 rootwait')).toBe(true);
  });

  it('keeps nr_cpus=1 that the entry itself asks for, and whatever the person typed', () => {
    const own = { ...piEntry, cmdline: 'root=/dev/mmcblk0p2 nr_cpus=1 isolcpus=1' };
    expect(planBoot(own, machine('rpi3b-plus-nr_cpus1')).cmdline).toContain('nr_cpus=1');
    const edited = planBoot(piEntry, machine('rpi3b-plus-nr_cpus1'), { cmdline: 'root=/dev/sda1 kexmenu.timeout=1 nr_cpus=1' });
    expect(edited.cmdline).toBe('root=/dev/sda1 kexmenu.timeout=1 nr_cpus=1');
  });
});

describe('planBoot on other arm64 boards', () => {
  it('does not refuse a Raspberry Pi 4 whose CPUs use PSCI', () => {
    const plan = planBoot(entry({ initrd: [] }), machine('rpi4b'));
    expect(plan.ok).toBe(true);
    expect(plan.refusal).toBeNull();
  });

  it('boots QEMU virt with the firmware tree and the entry command line as it is', () => {
    const e = entry({});
    const plan = planBoot(e, machine('qemu-virt-aarch64'));
    expect(plan).toEqual({
      ok: true,
      refusal: null,
      load: [
        'kexec', '-l', '-y', e.kernel,
        `--initrd=${e.initrd[0]}`,
        `--dtb=${firmwareFdt('qemu-virt-aarch64')}`,
        '--append=root=UUID=2f6b0c11-1d3e-4c55-9a53-3f1f0f0e2a10 ro quiet',
      ],
      exec: ['kexec', '-e', '-y'],
      cmdline: 'root=UUID=2f6b0c11-1d3e-4c55-9a53-3f1f0f0e2a10 ro quiet',
      dtb: { path: firmwareFdt('qemu-virt-aarch64'), reason: FIRMWARE_DTB_REASON },
      warnings: [],
      extract: null,
      initrdJoin: null,
      dtbBuild: null,
      deviceTree: null,
    });
  });

  it('refuses a 32-bit ARM kernel on an arm64 machine', () => {
    const plan = planBoot(entry({ arch: 'arm', kernel: '/run/kexmenu/mmcblk0p2/boot/zImage' }), machine('qemu-virt-aarch64'));
    expect(plan.ok).toBe(false);
    expect(plan.refusal).toMatch(/^this is a 32-bit ARM kernel .* cannot kexec into 32-bit ARM/);
  });

  it('refuses an x86_64 kernel on an arm64 machine', () => {
    const plan = planBoot(rawX86, machine('rpi4b'));
    expect(plan.refusal).toBe('this kernel is built for x86_64 and this machine runs aarch64: kexec can only start a kernel of the running architecture. Pick a kernel built for aarch64.');
  });

  it('warns, but tries, when the kernel header tells no architecture', () => {
    const plan = planBoot(entry({ arch: null }), machine('qemu-virt-aarch64'));
    expect(plan.ok).toBe(true);
    expect(plan.warnings).toEqual(["could not tell the kernel's architecture from its header; kexec will refuse it unless it is built for aarch64"]);
  });
});

describe('planBoot on a PC', () => {
  it('makes up a command line for a kernel found by file name, never passes --dtb, and lets systemd kexec', () => {
    const plan = planBoot({ ...rawX86, dtb: '/run/kexmenu/sda2/boot/some.dtb' }, machine('x86_64-pc'), {}, { source: sda2 });
    expect(plan.ok).toBe(true);
    // The PC's running command line has no console=, so the made-up one has only the root.
    expect(plan.cmdline).toBe('root=PARTUUID=4a1e3c2b-02 rootwait');
    expect(plan.load).toEqual([
      'kexec', '-l', '-y', '/run/kexmenu/sda2/boot/vmlinuz-6.1.0-27-amd64',
      '--initrd=/run/kexmenu/sda2/boot/initrd.img-6.1.0-27-amd64',
      '--append=root=PARTUUID=4a1e3c2b-02 rootwait',
    ]);
    expect(plan.exec).toEqual(['systemctl', 'kexec']);
    expect(plan.dtb).toBeNull();
    expect(plan.warnings).toEqual([
      'the entry has no command line (the kernel was found by file name), so kexmenu made one up: "root=PARTUUID=4a1e3c2b-02 rootwait". Check root= before booting.',
      'the entry names a device tree (/run/kexmenu/sda2/boot/some.dtb), which x86_64 kernels do not use; it is left out',
    ]);
  });

  it('concatenates several initrds into one temporary file named after the entry', () => {
    const e = { ...rawX86, id: 'sda2:grub:0', cmdline: 'root=UUID=x ro', initrd: ['/b/intel-ucode.img', '/b/initrd.img'] };
    const plan = planBoot(e, machine('x86_64-pc'), {}, { tmpDir: '/run/kexmenu/tmp/' });
    expect(plan.initrdJoin).toEqual({ from: ['/b/intel-ucode.img', '/b/initrd.img'], to: expect.stringMatching(/initrd/) });
    expect(plan.load).toContain(`--initrd=${plan.initrdJoin!.to}`);
    expect(plan.load).toEqual(['kexec', '-l', '-y', e.kernel, '--initrd=/run/kexmenu/tmp/kexmenu-sda2_grub_0-initrd.img', '--append=root=UUID=x ro']);
  });

  it('applies the editor: initrds replaced, --append after the entry, and nothing after -- moved', () => {
    const e = { ...rawX86, cmdline: 'root=UUID=x ro -- single' };
    const plan = planBoot(e, machine('x86_64-pc'), { initrd: [], append: 'console=ttyS0 -- emergency' });
    expect(plan.cmdline).toBe('root=UUID=x ro console=ttyS0 -- single emergency');
    expect(plan.load).toEqual(['kexec', '-l', '-y', e.kernel, '--append=root=UUID=x ro console=ttyS0 -- single emergency']);
  });

  it('replaces the command line, then appends, when the editor gives both', () => {
    expect(planBoot(rawX86, machine('x86_64-pc'), { cmdline: 'root=/dev/sda2', append: 'quiet' }).cmdline).toBe('root=/dev/sda2 quiet');
  });

  it('loads with kexec -s when asked for a signature-checked load', () => {
    const plan = planBoot({ ...rawX86, cmdline: 'ro' }, machine('x86_64-pc'), {}, { fileSigned: true });
    expect(plan.load.slice(0, 5)).toEqual(['kexec', '-l', '-y', '-s', rawX86.kernel]);
  });

  it('boots a 32-bit x86 kernel from x86_64', () => {
    expect(planBoot({ ...rawX86, arch: 'i386' }, machine('x86_64-pc')).ok).toBe(true);
  });

  it('says when it cannot name the root of a made-up command line', () => {
    const plan = planBoot({ ...rawX86, initrd: [] }, machine('x86_64-pc'), {}, { source: { ...sda2, partuuid: null } });
    expect(plan.cmdline).toBe('');
    expect(plan.warnings[0]).toBe('the entry has no command line (the kernel was found by file name) and kexmenu cannot name its root filesystem (sda2 has no PARTUUID): add root= before booting.');
  });
});

describe('planBoot on a 32-bit ARM board', () => {
  it('makes up a command line from the running consoles, leaving kexmenu.* behind', () => {
    const e = entry({
      id: 'mmcblk0p1:raw:0', source: 'mmcblk0p1', kernel: '/run/kexmenu/mmcblk0p1/boot/zImage', initrd: [], cmdline: '', kind: 'other',
      origin: { format: 'raw', file: '/run/kexmenu/mmcblk0p1/boot/zImage', line: null }, arch: 'arm',
    });
    const plan = planBoot(e, machine('armhf-board'), {}, { source: { ...sda2, id: 'mmcblk0p1', partuuid: 'c0ffee00-01' } });
    expect(plan.ok).toBe(true);
    expect(plan.cmdline).toBe('console=ttyS0,115200n8 root=PARTUUID=c0ffee00-01 rootwait');
    expect(plan.load).toEqual([
      'kexec', '-l', '-y', '/run/kexmenu/mmcblk0p1/boot/zImage',
      `--dtb=${firmwareFdt('armhf-board')}`,
      '--append=console=ttyS0,115200n8 root=PARTUUID=c0ffee00-01 rootwait',
    ]);
    expect(plan.exec).toEqual(['kexec', '-e', '-y']);
  });

  it('refuses an arm64 kernel on a 32-bit ARM board', () => {
    expect(planBoot(entry({}), machine('armhf-board')).refusal).toContain('built for aarch64 and this machine runs arm');
  });
});

describe('planBoot with device trees from disk', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const compile = (name: string, memory: string, compatible = '"raspberrypi,4-model-b", "brcm,bcm2711"'): string => {
    const dts = `/dts-v1/;\n/ {\n#address-cells = <2>;\n#size-cells = <1>;\ncompatible = ${compatible};\n${memory}\n};\n`;
    // The source stays beside the blob: a test hands full.dts over as a file that is no DTB.
    writeFileSync(path.join(dir, `${name}.dts`), dts);
    return compileDtsTo(path.join(dir, `${name}.dtb`), dts);
  };
  /** A whole dts (overlays with /plugin/), compiled with symbols as the Pi's trees are. */
  const compileWith = (name: string, body: string): string =>
    compileDtsTo(path.join(dir, `${name}${body.includes('/plugin/') ? '.dtbo' : '.dtb'}`), `/dts-v1/;\n${body}\n`, { symbols: true });
  const withMemory = compile('full', 'memory@0 { device_type = "memory"; reg = <0 0 0x3b400000>; };');
  const emptyMemory = compile('empty', 'memory@0 { device_type = "memory"; reg = <0 0 0>; };');
  const noMemory = compile('none', '');
  const otherBoard = compile('other', 'memory@0 { device_type = "memory"; reg = <0 0 0x40000000>; };', '"pine64,rockpro64", "rockchip,rk3399"');

  const fdtdirEntry = (dtb: string) => entry({ dtb, dtbReason: 'FDTDIR match for raspberrypi,4-model-b' });

  it.each([
    ['a full memory node (the Pi 3 tree claims all RAM from 0, over the GPU share)', withMemory],
    ['reg = <0 0 0>', emptyMemory],
    ['no memory node', noMemory],
  ])("uses the entry's own DTB with the firmware's memory ranges (%s), through a temporary copy", (_what, dtb) => {
    const plan = planBoot(fdtdirEntry(dtb), machine('rpi4b'), {}, { describeDtb: describeDtbFile, tmpDir: '/tmp' });
    expect(plan.dtbBuild).toEqual({ base: dtb, firmware: firmwareFdt('rpi4b'), overlays: [], dtparams: [], to: '/tmp/kexmenu-mmcblk0p2_extlinux_1.dtb' });
    expect(plan.load).toContain('--dtb=/tmp/kexmenu-mmcblk0p2_extlinux_1.dtb');
    expect(plan.dtb).toEqual({ path: dtb, reason: "FDTDIR match for raspberrypi,4-model-b; its memory node is taken from the firmware's tree" });
    expect(plan.warnings).toEqual([]);
  });

  it('uses a disk DTB as it is when the firmware left no tree to take memory from', () => {
    const noFirmware = { ...machine('rpi4b'), firmwareFdt: null };
    const plan = planBoot(fdtdirEntry(withMemory), noFirmware, {}, { describeDtb: describeDtbFile });
    expect(plan.dtbBuild).toBeNull();
    expect(plan.load).toContain(`--dtb=${withMemory}`);
    const empty = planBoot(fdtdirEntry(emptyMemory), noFirmware, {}, { describeDtb: describeDtbFile });
    expect(empty.warnings).toEqual([expect.stringContaining('has no memory node and the firmware left no tree')]);
  });

  it('warns when the DTB is for another board or not a DTB at all', () => {
    const other = planBoot(fdtdirEntry(otherBoard), machine('rpi4b'), {}, { describeDtb: describeDtbFile });
    expect(other.warnings).toEqual([`${otherBoard} is made for pine64,rockpro64, but this board is raspberrypi,4-model-b`]);
    const bogus = planBoot(fdtdirEntry(path.join(dir, 'full.dts')), machine('rpi4b'), {}, { describeDtb: describeDtbFile });
    expect(bogus.warnings).toEqual([`${path.join(dir, 'full.dts')} cannot be read as a device tree blob; kexec will fail to load it`]);
  });

  it('takes the DTB chosen in the editor, and "firmware" from the editor over the entry', () => {
    const chosen = planBoot(fdtdirEntry(withMemory), machine('rpi4b'), { dtb: otherBoard });
    expect(chosen.dtb).toEqual({ path: otherBoard, reason: 'chosen in the editor' });
    const firmware = planBoot(fdtdirEntry(withMemory), machine('rpi4b'), { dtb: 'firmware' });
    expect(firmware.dtb).toEqual({ path: firmwareFdt('rpi4b'), reason: FIRMWARE_DTB_REASON });
  });

  it('refuses to boot a tree that cannot be built, or one with no RAM at all', () => {
    const base = compileWith('no-ram', '/ { #address-cells = <2>; #size-cells = <1>; compatible = "raspberrypi,4-model-b"; memory@0 { device_type = "memory"; reg = <0 0 0>; }; };');
    const firmwareWithoutRam = compileWith('fw-no-ram', '/ { #address-cells = <2>; #size-cells = <1>; compatible = "raspberrypi,4-model-b"; };');
    const options = { describeDtb: describeDtbFile, tryDeviceTree: tryRequestedTree, tmpDir: dir };
    const noRam = planBoot(entry({ dtb: base }), { ...machine('rpi4b'), firmwareFdt: firmwareWithoutRam }, {}, options);
    expect(noRam.ok).toBe(false);
    expect(noRam.refusal).toBe(`neither ${base} nor the firmware's tree names any RAM: the kernel would find none. Choose the firmware's tree in the editor.`);
    const unreadable = planBoot(entry({ dtb: base }), { ...machine('rpi4b'), firmwareFdt: path.join(dir, 'no-such-fdt') }, {}, options);
    expect(unreadable.refusal).toBe(`the device tree cannot be built: cannot read the firmware's device tree ${path.join(dir, 'no-such-fdt')} (it needs root)`);
    expect(unreadable.load).toEqual([]);
  });

  it("warns that an entry's overlays go on top of the firmware's own tree", () => {
    const plan = planBoot(entry({ dtb: null, overlays: [{ path: '/boot/overlays/x.dtbo', params: [] }] }), machine('rpi4b'), {}, { tmpDir: dir });
    expect(plan.dtbBuild).toMatchObject({ base: firmwareFdt('rpi4b'), firmware: firmwareFdt('rpi4b') });
    expect(plan.warnings).toContain("the entry's overlays go on top of the firmware's own tree, which already has the overlays of kexmenu's own config.txt");
  });

  it('says that overlays and dtparams need a tree, on a board with no tree at all', () => {
    const noFirmware = { ...machine('qemu-virt-aarch64'), firmwareFdt: null };
    const plan = planBoot(entry({ overlays: [{ path: '/boot/overlays/uart.dtbo', params: [] }] }), noFirmware);
    expect(plan.dtb).toBeNull();
    expect(plan.dtbBuild).toBeNull();
    expect(plan.load.some((a) => a.startsWith('--dtb'))).toBe(false);
    expect(plan.warnings).toEqual([
      "no device tree: the entry names none and the firmware left none in /sys/firmware/fdt, so kexec-tools falls back to the running kernel's /proc/device-tree",
      "with no tree to apply them to, the entry's overlays and dtparams are not applied: /boot/overlays/uart.dtbo",
    ]);
  });

  it("applies the entry's overlays with their parameters to its tree, and says which did not apply and why", () => {
    const base = compileWith(
      'base',
      `/ { #address-cells = <2>; #size-cells = <1>; compatible = "raspberrypi,4-model-b", "brcm,bcm2711";
        memory@0 { device_type = "memory"; reg = <0 0 0>; };
        i2c1: i2c@7e804000 { status = "disabled"; };
        __overrides__ { i2c_arm = <&i2c1>,"status"; }; };`,
    );
    const rtc = compileWith(
      'i2c-rtc',
      `/plugin/; / { fragment@0 { target = <&i2c1>; __overlay__ { rtc: rtc@68 { compatible = "dallas,ds1307"; reg = <0x68>; status = "disabled"; }; }; };
        __overrides__ { ds3231 = <&rtc>,"compatible=maxim,ds3231", <&rtc>,"status"; }; };`,
    );
    const wants = compileWith('wants-spi', '/plugin/; / { fragment@0 { target = <&spi0>; __overlay__ { status = "okay"; }; }; };');
    const e = entry({
      dtb: base,
      // i2c_arm after the overlay's line is the base tree's (the overlay has none); addr neither has.
      overlays: [{ path: rtc, params: [{ name: 'ds3231', value: null }, { name: 'i2c_arm', value: 'on' }, { name: 'addr', value: '0x51' }] }, { path: wants, params: [] }],
      dtparams: [],
    });
    const plan = planBoot(e, machine('rpi4b'), {}, { describeDtb: describeDtbFile, tryDeviceTree: tryRequestedTree, tmpDir: dir });
    expect(plan.dtbBuild).toMatchObject({ base, firmware: firmwareFdt('rpi4b'), overlays: e.overlays, dtparams: e.dtparams });
    expect(plan.deviceTree?.steps.map((s) => [s.kind, s.name, s.applied, s.reason])).toEqual([
      ['dtparam', 'base', true, "addr=0x51: no parameter addr in this tree's __overrides__"],
      ['overlay', 'i2c-rtc', true, null],
      ['overlay', 'wants-spi', false, expect.stringContaining('spi0')],
    ]);
    expect(plan.deviceTree?.carried).toContain('memory (2 ranges)');
    expect(plan.warnings).toEqual([
      "dtparam: addr=0x51: no parameter addr in this tree's __overrides__",
      expect.stringMatching(/^overlay wants-spi is not applied: .*spi0.*; the rest of the tree still boots$/),
    ]);
    // What the loader writes is that tree: the RTC as the parameters made it, on an enabled bus.
    const out = path.join(dir, 'built.dtb');
    writeRequestedTree(plan.dtbBuild!, out);
    const dts = decompileDtb(readFileSync(out), { sorted: true });
    expect(dts).toMatch(/i2c@7e804000 \{[^}]*rtc@68 \{\s*compatible = "maxim,ds3231";\s*phandle = <[^>]+>;\s*reg = <0x68>;\s*status = "okay";/);
    expect(dts).toMatch(/i2c@7e804000 \{\s*phandle = <0x01>;\s*status = "okay";/);
    expect(dts).toMatch(/memory@0 \{\s*device_type = "memory";\s*reg = <0x00 0x00 0x3b400000 0x00 0x40000000 0xbc000000>;/);
    // Switched off in the editor: the disk's tree with the firmware's facts, and nothing else.
    const bare = planBoot(e, machine('rpi4b'), { overlays: false }, { describeDtb: describeDtbFile, tryDeviceTree: tryRequestedTree, tmpDir: dir });
    expect(bare.dtbBuild).toMatchObject({ base, overlays: [], dtparams: [] });
    expect(bare.deviceTree?.steps).toEqual([]);
    expect(bare.warnings).toEqual([]);
  });
});
