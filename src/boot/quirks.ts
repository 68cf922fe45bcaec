// What the running machine allows: which kernels it can kexec, whether its CPUs can be handed over,
// and whether it speaks device tree.
import type { Arch, Machine } from '../model.js';
import { canKexecArch } from '../platform/arch.js';

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
