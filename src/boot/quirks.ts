// What the running machine allows: which kernels it can kexec, whether its CPUs can be handed over,
// whether it speaks device tree, and what the Raspberry Pi firmware adds to a command line.
import type { Arch, Machine } from '../model.js';
import { canKexecArch } from '../platform/arch.js';
import { argName } from './cmdline.js';

/** Why a kernel built for `kernelArch` cannot be started from `machineArch`; null when it can (or is unknown). */
export function archRefusal(kernelArch: Arch | null, machineArch: Arch): string | null {
  if (kernelArch === null || canKexecArch(machineArch, kernelArch)) return null;
  if (machineArch === 'aarch64' && kernelArch === 'arm') {
    return 'this is a 32-bit ARM kernel and the machine runs a 64-bit (aarch64) kernel, which cannot kexec into 32-bit ARM. Pick the arm64 kernel of the same system, or boot kexmenu\'s own 32-bit ARM build.';
  }
  return `this kernel is built for ${kernelArch} and this machine runs ${machineArch}: kexec can only start a kernel of the running architecture. Pick a kernel built for ${machineArch}.`;
}

/**
 * CPUs brought up with spin-table cannot be taken down again, so the running kernel refuses
 * kexec_load with EBUSY ("CPUs are stuck in the kernel") whenever more than one CPU is possible.
 * The per-CPU enable-method decides it: a PSCI node does not help CPUs that were not started through it.
 */
export function parksCpusWithSpinTable(machine: Machine): boolean {
  return machine.cpuEnableMethods.includes('spin-table');
}

export function cpuParkingRefusal(machine: Machine): string | null {
  if (!parksCpusWithSpinTable(machine) || machine.possibleCpus <= 1) return null;
  return (
    "this board parks its secondary CPUs with spin-table, so Linux cannot kexec while more than one CPU is possible " +
    "(the kernel refuses with 'CPUs are stuck in the kernel'). Boot kexmenu's own kernel with nr_cpus=1 (maxcpus=1 is not enough). " +
    `Now ${machine.possibleCpus} CPUs are possible; the kernel booted next still gets all of them.`
  );
}

/** Architectures whose kernels take a device tree from kexec (`--dtb`). */
export function usesDeviceTree(arch: Arch): boolean {
  return arch === 'aarch64' || arch === 'arm';
}

export function isRaspberryPi(machine: Machine): boolean {
  return machine.compatible.some((c) => c.startsWith('raspberrypi,'));
}

// The Pi firmware puts its own settings (memory split, UART count, framebuffer, MAC address) in
// front of cmdline.txt. A kernel kexec'd from the menu never sees the firmware, so a Pi kernel
// booted the firmware's way needs them carried over from the running command line.
const PI_FIRMWARE_NAMES = new Set([
  'coherent_pool', '8250.nr_uarts', 'smsc95xx.macaddr', 'dma.dmachans', 'dwc_otg.lpm_enable',
  'reboot', 'pci', 'numa_policy', 'cgroup_disable', 'nvme.max_host_mem_size_mb',
]);
const PI_FIRMWARE_PREFIXES = ['bcm2708_fb.', 'bcm2708.', 'bcm2709.', 'snd_bcm2835.', 'vc_mem.'];

function isPiFirmwareArg(word: string): boolean {
  const name = argName(word);
  return PI_FIRMWARE_NAMES.has(name) || PI_FIRMWARE_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The leading run of words the Pi firmware wrote before cmdline.txt. */
export function piFirmwareArgs(runningKernelWords: string[]): string[] {
  const end = runningKernelWords.findIndex((word) => !isPiFirmwareArg(word));
  return end === -1 ? [...runningKernelWords] : runningKernelWords.slice(0, end);
}
