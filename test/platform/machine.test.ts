import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { countCpuList, readMachine } from '../../src/platform/machine.js';
import { fixturePath } from '../helpers/golden.js';

const board = (name: string): string => fixturePath('machines', name);

describe('readMachine on recorded boards', () => {
  it('reads a Raspberry Pi 3 B+ whose CPUs are parked with spin-table', () => {
    expect(readMachine(board('rpi3b-plus'))).toEqual({
      arch: 'aarch64',
      model: 'Raspberry Pi 3 Model B Plus Rev 1.3',
      compatible: ['raspberrypi,3-model-b-plus', 'brcm,bcm2837'],
      cpuEnableMethods: ['spin-table', 'spin-table', 'spin-table', 'spin-table'],
      possibleCpus: 4,
      psci: false,
      cmdline:
        'coherent_pool=1M 8250.nr_uarts=1 snd_bcm2835.enable_headphones=0 bcm2708_fb.fbwidth=656 bcm2708_fb.fbheight=416 bcm2708_fb.fbswap=1 vc_mem.mem_base=0x3ec00000 vc_mem.mem_size=0x40000000  console=ttyS0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 rootwait',
      systemd: false,
      firmwareFdt: path.join(board('rpi3b-plus'), 'sys/firmware/fdt'),
    });
  });

  it('sees a single possible CPU when the menu kernel was booted with nr_cpus=1', () => {
    const machine = readMachine(board('rpi3b-plus-nr_cpus1'));
    expect(machine.possibleCpus).toBe(1);
    expect(machine.cmdline.endsWith('rootwait nr_cpus=1 kexmenu.timeout=5')).toBe(true);
  });

  it('sees PSCI on a Raspberry Pi 4 with recent firmware', () => {
    const machine = readMachine(board('rpi4b'));
    expect(machine.psci).toBe(true);
    expect(machine.cpuEnableMethods).toEqual(['psci', 'psci', 'psci', 'psci']);
    expect(machine.compatible).toEqual(['raspberrypi,4-model-b', 'brcm,bcm2711']);
  });

  it('reads QEMU virt', () => {
    const machine = readMachine(board('qemu-virt-aarch64'));
    expect(machine).toMatchObject({ arch: 'aarch64', model: 'linux,dummy-virt', compatible: ['linux,dummy-virt'], possibleCpus: 2, psci: true });
    expect(machine.firmwareFdt).toBe(path.join(board('qemu-virt-aarch64'), 'sys/firmware/fdt'));
  });

  it('reads a PC: no device tree at all, systemd as PID 1', () => {
    expect(readMachine(board('x86_64-pc'))).toEqual({
      arch: 'x86_64',
      model: null,
      compatible: [],
      cpuEnableMethods: [],
      possibleCpus: 6,
      psci: false,
      cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-27-amd64 root=UUID=0f3c7d7e-8a4b-4f6e-9d1c-2b5a6e7f8091 ro quiet',
      systemd: true,
      firmwareFdt: null,
    });
  });

  it('maps armv7l to arm and keeps a CPU without enable-method out of the list', () => {
    const machine = readMachine(board('armhf-board'));
    expect(machine).toMatchObject({ arch: 'arm', model: 'TI AM335x BeagleBone Black', cpuEnableMethods: [], possibleCpus: 1 });
    expect(machine.compatible[0]).toBe('ti,am335x-bone-black');
  });

  it('lets the caller override the architecture', () => {
    expect(readMachine(board('x86_64-pc'), 'i386').arch).toBe('i386');
  });
});

describe('readMachine on odd sysroots', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-machine-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('orders CPU nodes by their unit address, not by name', () => {
    for (const [name, method] of [['cpu@10', 'psci'], ['cpu@2', 'spin-table'], ['cpu@0', 'spin-table']] as const) {
      mkdirSync(path.join(dir, 'proc/device-tree/cpus', name), { recursive: true });
      writeFileSync(path.join(dir, 'proc/device-tree/cpus', name, 'enable-method'), `${method}\0`);
    }
    mkdirSync(path.join(dir, 'proc/device-tree/cpus/l2-cache0'), { recursive: true });
    expect(readMachine(dir, 'aarch64').cpuEnableMethods).toEqual(['spin-table', 'spin-table', 'psci']);
  });

  it('treats an empty sysroot as a machine without device tree or extras', () => {
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    expect(readMachine(empty, 'x86_64')).toEqual({
      arch: 'x86_64', model: null, compatible: [], cpuEnableMethods: [], possibleCpus: 1, psci: false, cmdline: '', systemd: false, firmwareFdt: null,
    });
  });

  it('reads this very machine', () => {
    const machine = readMachine();
    expect(machine.cmdline).toBe(readFileSync('/proc/cmdline', 'utf8').trim());
    expect(machine.possibleCpus).toBeGreaterThanOrEqual(1);
  });
});

describe('countCpuList', () => {
  it.each([
    ['0', 1],
    ['0-3', 4],
    ['0-1,4-7', 6],
    ['0,2,4', 3],
    ['0-3\n', 4],
    ['', 0],
  ])('%j has %i CPUs', (list, count) => {
    expect(countCpuList(list)).toBe(count);
  });
});

describe('recorded firmware trees', () => {
  it.each(['rpi3b-plus', 'rpi3b-plus-nr_cpus1', 'rpi4b', 'qemu-virt-aarch64', 'armhf-board'])('%s/sys/firmware/fdt is dts/%s.dts compiled', (name) => {
    const compiled = execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', fixturePath('machines', 'dts', `${name}.dts`)]);
    expect(Buffer.compare(compiled, readFileSync(path.join(board(name), 'sys/firmware/fdt')))).toBe(0);
  });
});
