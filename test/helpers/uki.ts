// Unified kernel images made as the systemd-stub manual describes: objcopy adds each part as a
// section of Debian's systemd-stub (systemd-boot-efi, scripts/fetch-systemd-stub.sh), at
// addresses past the stub's own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from './screen.js';

export type StubArch = 'x64' | 'aa64';

let stubs: Record<StubArch, string> | null = null;

export function systemdStub(arch: StubArch): string {
  stubs ??= Object.fromEntries(
    execFileSync('bash', [path.join(REPO, 'scripts/fetch-systemd-stub.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .map((line) => line.split('=') as [string, string]),
  ) as Record<StubArch, string>;
  return stubs[arch];
}

/** This machine's binutils read x86-64 PE; an arm64 stub needs the cross binutils. */
const binutils = (arch: StubArch, tool: 'objdump' | 'objcopy') => (arch === 'aa64' ? `aarch64-linux-gnu-${tool}` : tool);

/** The end of the stub's last section in memory, rounded up: where added sections may start. */
function firstFreeAddress(arch: StubArch, stub: string): number {
  const headers = execFileSync(binutils(arch, 'objdump'), ['-h', stub], { encoding: 'utf8' });
  let end = 0;
  for (const [, size, vma] of headers.matchAll(/^\s*\d+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s/gm)) {
    end = Math.max(end, parseInt(vma!, 16) + parseInt(size!, 16));
  }
  return Math.ceil(end / 0x10000) * 0x10000;
}

/** `sections` in order (e.g. [['.osrel', ...], ['.cmdline', ...], ['.linux', kernel]]); returns the image's bytes. */
export function makeUki(arch: StubArch, sections: Array<[name: string, contents: string | Uint8Array]>): Buffer {
  const stub = systemdStub(arch);
  const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-uki-'));
  try {
    let address = firstFreeAddress(arch, stub);
    const args: string[] = [];
    for (const [i, [name, contents]] of sections.entries()) {
      const file = path.join(dir, `part${i}`);
      writeFileSync(file, contents);
      args.push('--add-section', `${name}=${file}`, '--change-section-vma', `${name}=0x${address.toString(16)}`);
      address += Math.ceil(Math.max(1, Buffer.byteLength(contents)) / 0x10000) * 0x10000;
    }
    const out = path.join(dir, 'uki.efi');
    execFileSync(binutils(arch, 'objcopy'), [...args, stub, out]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The section headers of a PE file: each one's name, where its header is, and where its bytes are. */
function sectionHeaders(image: Buffer): Array<{ name: string; header: number; offset: number }> {
  const pe = image.readUInt32LE(0x3c);
  const table = pe + 24 + image.readUInt16LE(pe + 20);
  return Array.from({ length: image.readUInt16LE(pe + 6) }, (_, i) => {
    const header = table + i * 40;
    return { name: image.subarray(header, header + 8).toString('latin1').replace(/\0+$/, ''), header, offset: image.readUInt32LE(header + 20) };
  });
}

/** Where the bytes of the section `name` start in the file. */
export function sectionOffset(image: Buffer, name: string): number {
  const found = sectionHeaders(image).find((s) => s.name === name);
  if (!found) throw new Error(`no section ${name}`);
  return found.offset;
}

/**
 * Renames sections in a PE file's section table (objcopy refuses to add a second section of one
 * name, which a multi-profile UKI has: several `.profile`). Names are at most 8 bytes.
 */
export function renameSections(image: Buffer, renames: Record<string, string>): Buffer {
  const out = Buffer.from(image);
  for (const { name, header } of sectionHeaders(out)) {
    const to = renames[name];
    if (to !== undefined) out.fill(0, header, header + 8).write(to, header, 'latin1');
  }
  return out;
}
