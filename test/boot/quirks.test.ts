import { describe, expect, it } from 'vitest';
import { archRefusal, cpuParkingRefusal, isRaspberryPi, usesDeviceTree } from '../../src/boot/quirks.js';
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
});
