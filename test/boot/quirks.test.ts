import { describe, expect, it } from 'vitest';
import { archRefusal, cpuParkingRefusal, isRaspberryPi, piFirmwareArgs, usesDeviceTree } from '../../src/boot/quirks.js';
import { splitCmdline } from '../../src/boot/cmdline.js';
import { readMachine } from '../../src/platform/machine.js';
import { fixturePath } from '../helpers/golden.js';

const machine = (name: string) => readMachine(fixturePath('machines', name));

describe('cpuParkingRefusal', () => {
  it('refuses only the spin-table board with more than one possible CPU', () => {
    expect(cpuParkingRefusal(machine('rpi3b-plus'))).toContain('Now 4 CPUs are possible');
    for (const name of ['rpi3b-plus-nr_cpus1', 'rpi4b', 'qemu-virt-aarch64', 'x86_64-pc', 'armhf-board']) {
      expect(cpuParkingRefusal(machine(name))).toBeNull();
    }
  });

  it('follows the CPUs\' enable-method: a PSCI node does not rescue CPUs started by spin-table', () => {
    expect(cpuParkingRefusal({ ...machine('rpi3b-plus'), psci: true })).not.toBeNull();
  });
});

describe('archRefusal', () => {
  it.each([
    ['aarch64', 'aarch64', false],
    ['x86_64', 'x86_64', false],
    ['i386', 'x86_64', false],
    ['x86_64', 'i386', true],
    ['arm', 'aarch64', true],
    ['aarch64', 'arm', true],
    ['x86_64', 'aarch64', true],
  ] as const)('a %s kernel on a %s machine: refused %s', (kernel, running, refused) => {
    expect(archRefusal(kernel, running) !== null).toBe(refused);
  });
  it('leaves an unknown kernel architecture to the warnings', () => {
    expect(archRefusal(null, 'aarch64')).toBeNull();
  });
});

describe('board facts', () => {
  it('knows which arches take --dtb and which board is a Pi', () => {
    expect([usesDeviceTree('aarch64'), usesDeviceTree('arm'), usesDeviceTree('x86_64')]).toEqual([true, true, false]);
    expect(isRaspberryPi(machine('rpi4b'))).toBe(true);
    expect(isRaspberryPi(machine('qemu-virt-aarch64'))).toBe(false);
  });

  it("takes the Pi firmware's leading arguments and stops at cmdline.txt's first word", () => {
    expect(piFirmwareArgs(splitCmdline(machine('rpi4b').cmdline).kernel)).toEqual([
      'coherent_pool=1M', '8250.nr_uarts=1', 'snd_bcm2835.enable_headphones=0', 'snd_bcm2835.enable_hdmi=1', 'snd_bcm2835.enable_hdmi=0',
      'smsc95xx.macaddr=DC:A6:32:12:34:56', 'vc_mem.mem_base=0x3ec00000', 'vc_mem.mem_size=0x40000000',
    ]);
    expect(piFirmwareArgs(['console=ttyS0', 'coherent_pool=1M'])).toEqual([]);
  });
});
