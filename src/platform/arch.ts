// Architecture names and numbers: the many spellings of the same five architectures
// (uname -m, Node's process.arch, Debian's package architectures, ELF and PE machine fields)
// turned into one Arch, and which kernel architectures a running kernel can kexec into.
import type { Arch } from '../model.js';

/** `uname -m` (also /proc/sys/kernel/arch) to Arch; null for anything we cannot boot. */
export function archFromUname(machine: string): Arch | null {
  const m = machine.trim();
  if (m === 'x86_64' || m === 'amd64') return 'x86_64';
  if (/^i[3-6]86$/.test(m)) return 'i386';
  if (m === 'aarch64' || m === 'arm64') return 'aarch64';
  if (/^arm(v[5-8]\w*)?$/.test(m)) return 'arm';
  if (m === 'riscv64') return 'riscv64';
  return null;
}

/** Node's `process.arch` to Arch. */
export function archFromNode(nodeArch: string): Arch | null {
  switch (nodeArch) {
    case 'x64':
      return 'x86_64';
    case 'ia32':
      return 'i386';
    case 'arm64':
      return 'aarch64';
    case 'arm':
      return 'arm';
    case 'riscv64':
      return 'riscv64';
    default:
      return null;
  }
}

/** Debian's architecture name for an Arch (package names like linux-image-amd64). */
export function debianArch(arch: Arch): string {
  const names: Record<Arch, string> = { x86_64: 'amd64', i386: 'i386', aarch64: 'arm64', arm: 'armhf', riscv64: 'riscv64' };
  return names[arch];
}

const ELF_MACHINES: ReadonlyMap<number, Arch> = new Map<number, Arch>([
  [3, 'i386'],
  [40, 'arm'],
  [62, 'x86_64'],
  [183, 'aarch64'],
]);
const EM_RISCV = 243;

/** ELF e_machine (and class, which tells RISC-V 64 from 32) to Arch. */
export function archFromElfMachine(machine: number, is64Bit: boolean): Arch | null {
  if (machine === EM_RISCV) return is64Bit ? 'riscv64' : null;
  return ELF_MACHINES.get(machine) ?? null;
}

const PE_MACHINES: ReadonlyMap<number, Arch> = new Map<number, Arch>([
  [0x014c, 'i386'],
  [0x8664, 'x86_64'],
  [0xaa64, 'aarch64'],
  [0x01c0, 'arm'],
  [0x01c2, 'arm'],
  [0x01c4, 'arm'],
  [0x5064, 'riscv64'],
]);

/** PE/COFF Machine field to Arch (EFI stub kernels, EFI zboot images). */
export function archFromPeMachine(machine: number): Arch | null {
  return PE_MACHINES.get(machine) ?? null;
}

/**
 * Whether a kernel running on `running` can kexec a kernel built for `image`. Only the same
 * architecture, except that x86_64 kexec also loads 32-bit x86 kernels through their 32-bit entry
 * point; arm64 kernels cannot kexec 32-bit ARM kernels.
 */
export function canKexecArch(running: Arch, image: Arch): boolean {
  return running === image || (running === 'x86_64' && image === 'i386');
}
