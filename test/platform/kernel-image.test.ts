import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { identifyKernelImage, KERNEL_HEAD_BYTES } from '../../src/platform/kernel-image.js';
import { debianKernelRoot } from './kernel-image-debian.js';

/** A zeroed buffer with the given fields written in; numbers as little-endian u16/u32. */
function bytes(size: number, fields: Array<[offset: number, value: string | number, width?: 1 | 2 | 4]>): Uint8Array {
  const buf = Buffer.alloc(size);
  for (const [offset, value, width = 4] of fields) {
    if (typeof value === 'string') buf.write(value, offset, 'latin1');
    else if (width === 1) buf.writeUInt8(value, offset);
    else if (width === 2) buf.writeUInt16LE(value, offset);
    else buf.writeUInt32LE(value, offset);
  }
  return new Uint8Array(buf);
}

function bzImage(options: { protocol: number; xloadflags: number; version?: string }): Uint8Array {
  const fields: Array<[number, string | number, (1 | 2 | 4)?]> = [
    [0x1fe, 0xaa55, 2],
    [0x202, 'HdrS'],
    [0x206, options.protocol, 2],
    [0x236, options.xloadflags, 2],
  ];
  if (options.version) fields.push([0x20e, 0x1000, 2], [0x1200, `${options.version}\0`]);
  return bytes(0x2000, fields);
}

/** An arm64/RISC-V style Image with an EFI stub: "MZ", magic at 0x38, PE header at 0x40. */
function stubbedImage(magic: string, peMachine: number): Uint8Array {
  return bytes(0x200, [[0, 'MZ'], [0x38, magic], [0x3c, 0x40], [0x40, 'PE\0\0'], [0x44, peMachine, 2]]);
}

function elf(machine: number, options: { class64?: boolean; bigEndian?: boolean; type?: number } = {}): Uint8Array {
  const buf = Buffer.alloc(0x40);
  buf.write('\x7fELF', 0, 'latin1');
  buf[4] = options.class64 === false ? 1 : 2;
  buf[5] = options.bigEndian ? 2 : 1;
  const write = (offset: number, v: number) => (options.bigEndian ? buf.writeUInt16BE(v, offset) : buf.writeUInt16LE(v, offset));
  write(0x10, options.type ?? 2);
  write(0x12, machine);
  return new Uint8Array(buf);
}

function pe(machine: number): Uint8Array {
  return bytes(0x100, [[0, 'MZ'], [0x3c, 0x80], [0x80, 'PE\0\0'], [0x84, machine, 2]]);
}

describe('identifyKernelImage on synthetic headers', () => {
  it('reads an x86_64 bzImage and its kernel_version string', () => {
    const info = identifyKernelImage(bzImage({ protocol: 0x20f, xloadflags: 0x7f, version: '6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP' }));
    expect(info).toEqual({ type: 'bzImage', arch: 'x86_64', compressed: false, version: '6.1.0-27-amd64' });
  });

  it('calls a bzImage without the 64-bit entry flag i386', () => {
    expect(identifyKernelImage(bzImage({ protocol: 0x20f, xloadflags: 0 }))?.arch).toBe('i386');
  });

  it('ignores xloadflags on boot protocols older than 2.12, where the field is not defined', () => {
    expect(identifyKernelImage(bzImage({ protocol: 0x20a, xloadflags: 1 }))?.arch).toBe('i386');
  });

  it('gives no version when the kernel_version pointer leads past the head', () => {
    const head = bzImage({ protocol: 0x20f, xloadflags: 1, version: '6.1.0-27-amd64' }).subarray(0, 0x1100);
    expect(identifyKernelImage(head)).toMatchObject({ type: 'bzImage', arch: 'x86_64', version: null });
  });

  it('reads an arm64 Image with and without an EFI stub', () => {
    expect(identifyKernelImage(stubbedImage('ARMd', 0xaa64))).toMatchObject({ type: 'arm64-image', arch: 'aarch64', compressed: false });
    expect(identifyKernelImage(bytes(0x40, [[0x38, 'ARMd']]))).toMatchObject({ type: 'arm64-image', arch: 'aarch64' });
  });

  it('reads a RISC-V Image by its RSC\\x05 magic', () => {
    expect(identifyKernelImage(stubbedImage('RSC\x05', 0x5064))).toMatchObject({ type: 'riscv-image', arch: 'riscv64' });
  });

  it('reads an ARM zImage by its magic at 0x24', () => {
    expect(identifyKernelImage(bytes(0x40, [[0x24, 0x016f2818], [0x30, 0x04030201]]))).toMatchObject({ type: 'arm-zimage', arch: 'arm' });
  });

  it('reads the architecture of ELF kernels from e_machine', () => {
    expect(identifyKernelImage(elf(62))).toMatchObject({ type: 'elf', arch: 'x86_64' });
    expect(identifyKernelImage(elf(183, { type: 3 }))).toMatchObject({ type: 'elf', arch: 'aarch64' });
    expect(identifyKernelImage(elf(3, { class64: false }))).toMatchObject({ type: 'elf', arch: 'i386' });
    expect(identifyKernelImage(elf(40, { class64: false, bigEndian: true }))).toMatchObject({ type: 'elf', arch: 'arm' });
    expect(identifyKernelImage(elf(243))).toMatchObject({ type: 'elf', arch: 'riscv64' });
    expect(identifyKernelImage(elf(243, { class64: false }))).toMatchObject({ type: 'elf', arch: null });
  });

  it('refuses ELF object files and modules (ET_REL), which are no kernel', () => {
    expect(identifyKernelImage(elf(62, { type: 1 }))).toBeNull();
  });

  it('reads the PE machine field of other EFI images', () => {
    expect(identifyKernelImage(pe(0x8664))).toMatchObject({ type: 'pe', arch: 'x86_64' });
    expect(identifyKernelImage(pe(0xaa64))).toMatchObject({ type: 'pe', arch: 'aarch64' });
    expect(identifyKernelImage(pe(0x1c2))).toMatchObject({ type: 'pe', arch: 'arm' });
    expect(identifyKernelImage(pe(0x1c4))).toMatchObject({ type: 'pe', arch: 'arm' });
    expect(identifyKernelImage(pe(0x5064))).toMatchObject({ type: 'pe', arch: 'riscv64' });
    expect(identifyKernelImage(pe(0x9999))).toMatchObject({ type: 'pe', arch: null });
  });

  it('refuses an MZ file without a PE header (a DOS program)', () => {
    expect(identifyKernelImage(bytes(0x100, [[0, 'MZ'], [0x3c, 0x80]]))).toBeNull();
    expect(identifyKernelImage(bytes(0x40, [[0, 'MZ'], [0x3c, 0xfffffff0]]))).toBeNull();
  });

  it('reads an EFI zboot image: compressed, arch from the PE header, compression named', () => {
    const zboot = bytes(0x200, [[0, 'MZ'], [4, 'zimg'], [8, 0x1000], [12, 0x123456], [0x18, 'zstd\0'], [0x38, 0x818223cd], [0x3c, 0x80], [0x80, 'PE\0\0'], [0x84, 0xaa64, 2]]);
    expect(identifyKernelImage(zboot)).toEqual({ type: 'efi-zboot', arch: 'aarch64', compressed: true, version: null, compression: 'zstd' });
  });

  it('inflates a gzip head and identifies what is inside', () => {
    const inner = new Uint8Array(256 * 1024);
    inner.set(stubbedImage('ARMd', 0xaa64));
    let x = 0x9e3779b9; // xorshift filler: incompressible, so the gzip is longer than the head
    for (let i = 0x200; i < inner.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      inner[i] = x & 0xff;
    }
    const gz = gzipSync(inner);
    expect(gz.length).toBeGreaterThan(KERNEL_HEAD_BYTES);
    const info = identifyKernelImage(gz.subarray(0, KERNEL_HEAD_BYTES));
    expect(info).toMatchObject({ type: 'gzip', arch: 'aarch64', compressed: true, inner: { type: 'arm64-image', arch: 'aarch64' } });
  });

  it('finds the version of a gzipped bzImage inside it', () => {
    const gz = gzipSync(bzImage({ protocol: 0x20f, xloadflags: 1, version: '6.6.9-arch1-1 (linux@archlinux)' }));
    expect(identifyKernelImage(gz)).toMatchObject({ type: 'gzip', arch: 'x86_64', version: '6.6.9-arch1-1' });
  });

  it('stays bounded on a gzip bomb and on gzip around something that is no kernel', () => {
    const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024));
    expect(identifyKernelImage(bomb.subarray(0, KERNEL_HEAD_BYTES))).toEqual({ type: 'gzip', arch: null, compressed: true, version: null, inner: null });
  });

  it('does not inflate gzip inside gzip', () => {
    const twice = gzipSync(gzipSync(stubbedImage('ARMd', 0xaa64)));
    expect(identifyKernelImage(twice)).toMatchObject({ type: 'gzip', arch: null, inner: { type: 'gzip', arch: null } });
  });

  it('reports corrupt gzip as gzip of unknown contents', () => {
    expect(identifyKernelImage(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]))).toMatchObject({ type: 'gzip', inner: null });
  });

  it('names xz and zstd containers without guessing their arch', () => {
    expect(identifyKernelImage(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0, 4]))).toMatchObject({ type: 'xz', arch: null, compressed: true });
    expect(identifyKernelImage(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))).toMatchObject({ type: 'zstd', compressed: true });
  });

  it('returns null for unknown, empty and truncated input', () => {
    expect(identifyKernelImage(new Uint8Array(0))).toBeNull();
    expect(identifyKernelImage(new TextEncoder().encode('#!/bin/sh\necho not a kernel\n'))).toBeNull();
    expect(identifyKernelImage(stubbedImage('ARMd', 0xaa64).subarray(0, 0x3a))).toBeNull();
    expect(identifyKernelImage(new Uint8Array(4096))).toBeNull();
  });

  it('takes the release from a "Linux version" banner when the head holds one', () => {
    const image = bytes(0x400, [[0x38, 'ARMd'], [0x200, 'Linux version 6.12.1-arm64 (builder@host) #1 SMP\0']]);
    expect(identifyKernelImage(image)?.version).toBe('6.12.1-arm64');
  });
});

function readHead(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(KERNEL_HEAD_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return new Uint8Array(buf.buffer, 0, n);
  } finally {
    closeSync(fd);
  }
}

function vmlinuzIn(root: string): { file: string; release: string } {
  const name = readdirSync(path.join(root, 'boot')).find((n) => n.startsWith('vmlinuz-'));
  if (!name) throw new Error(`no vmlinuz in ${root}/boot`);
  return { file: path.join(root, 'boot', name), release: name.slice('vmlinuz-'.length) };
}

describe('identifyKernelImage on real Debian kernels', () => {
  const amd64 = debianKernelRoot('amd64');
  const arm64 = debianKernelRoot('arm64');

  it.skipIf(!amd64)('reads Debian amd64 vmlinuz as an x86_64 bzImage with its release', () => {
    const { file, release } = vmlinuzIn(amd64!);
    expect(identifyKernelImage(readHead(file))).toEqual({ type: 'bzImage', arch: 'x86_64', compressed: false, version: release });
  });

  it.skipIf(!arm64)('reads Debian arm64 vmlinuz as an arm64 Image (with its EFI stub)', () => {
    const { file } = vmlinuzIn(arm64!);
    const head = readHead(file);
    expect(String.fromCharCode(head[0]!, head[1]!)).toBe('MZ');
    expect(identifyKernelImage(head)).toMatchObject({ type: 'arm64-image', arch: 'aarch64', compressed: false });
  });
});
