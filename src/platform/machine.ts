// Facts about the running machine, read from /proc and /sys. Everything is read under `sysroot`,
// so a board recorded into a directory (test/fixtures/machines/) goes through the same code as the
// real one. Files that are absent mean "not on this machine" (no device tree, no PSCI), never an error.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Arch, Machine } from '../model.js';
import { archFromNode, archFromUname } from './arch.js';

export function readMachine(sysroot = '/', arch?: Arch): Machine {
  const root = path.resolve(sysroot);
  const at = (relative: string): string => path.join(root, relative);
  return {
    arch: arch ?? runningArch(at('proc/sys/kernel/arch')),
    model: firstString(readOptional(at('proc/device-tree/model'))),
    compatible: nulStrings(readOptional(at('proc/device-tree/compatible'))),
    cpuEnableMethods: cpuEnableMethods(at('proc/device-tree/cpus')),
    possibleCpus: countCpuList(readOptional(at('sys/devices/system/cpu/possible')) ?? '0'),
    psci: existsSync(at('proc/device-tree/psci')),
    cmdline: (readOptional(at('proc/cmdline')) ?? '').trim(),
    systemd: (readOptional(at('proc/1/comm')) ?? '').trim() === 'systemd',
    firmwareFdt: existsSync(at('sys/firmware/fdt')) ? at('sys/firmware/fdt') : null,
  };
}

/** "0-3" -> 4, "0" -> 1, "0-1,4-7" -> 6 (the kernel's cpulist format). */
export function countCpuList(list: string): number {
  let count = 0;
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [from, to] = part.split('-').map((n) => Number.parseInt(n, 10));
    if (from === undefined || Number.isNaN(from)) continue;
    count += to === undefined || Number.isNaN(to) ? 1 : Math.max(0, to - from + 1);
  }
  return count;
}

/** Device tree string-list properties: NUL-separated and NUL-terminated. */
export function nulStrings(value: string | null): string[] {
  return value === null ? [] : value.split('\0').filter((s) => s !== '');
}

function firstString(value: string | null): string | null {
  return nulStrings(value)[0] ?? null;
}

// /proc/sys/kernel/arch is `uname -m`; recorded boards carry it, and a kernel too old to have it
// can only be the one this process runs on.
function runningArch(unameFile: string): Arch {
  const recorded = readOptional(unameFile);
  const fromUname = recorded === null ? null : archFromUname(recorded);
  const fromNode = archFromNode(process.arch);
  if (fromUname) return fromUname;
  if (fromNode) return fromNode;
  throw new Error(`kexmenu does not know how to boot kernels on ${recorded?.trim() ?? process.arch}`);
}

function cpuEnableMethods(cpusDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(cpusDir).filter((name) => /^cpu@[0-9a-f]+$/i.test(name));
  } catch {
    return [];
  }
  names.sort((a, b) => Number.parseInt(a.slice(4), 16) - Number.parseInt(b.slice(4), 16));
  const methods: string[] = [];
  for (const name of names) {
    const method = firstString(readOptional(path.join(cpusDir, name, 'enable-method')));
    if (method !== null) methods.push(method);
  }
  return methods;
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
