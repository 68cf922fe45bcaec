// What kind of kernel a file holds, read from its first bytes: the boot format, the architecture
// it was built for, and, when the header carries it, the kernel release. Pure: bytes in, facts out;
// anything unrecognised or truncated gives null, never a throw.
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type { Arch } from '../model.js';
import { archFromElfMachine, archFromPeMachine } from './arch.js';

export type KernelImageType =
  | 'bzImage'
  | 'arm64-image'
  | 'riscv-image'
  | 'arm-zimage'
  | 'elf'
  | 'pe'
  | 'efi-zboot'
  | 'gzip'
  | 'xz'
  | 'zstd';

export interface KernelImageInfo {
  type: KernelImageType;
  arch: Arch | null;
  /**
   * The file is a compressed container (gzip, xz, zstd, EFI zboot) that the loader must inflate.
   * Self-decompressing kernels (bzImage, zImage) count as not compressed: they are loaded as they are.
   */
  compressed: boolean;
  /** Kernel release, e.g. "6.1.0-27-amd64", when the header (or the head of the file) names it. */
  version: string | null;
  /**
   * Set when the file is another program that only borrows a kernel's header: a bzImage whose
   * kernel_version names no Linux release (memtest86+ speaks the Linux boot protocol, and kexec
   * starts it as one), or an EFI program that is no Linux EFI stub (kexec cannot start it).
   */
  notLinux?: 'linux-boot-protocol' | 'efi-program';
  /** For a gzip file: what the first inflated bytes are; null when they are not a known kernel. */
  inner?: KernelImageInfo | null;
  /** For EFI zboot: the payload's compression as the header names it ("gzip", "zstd"). */
  compression?: string;
}

/**
 * How many leading bytes to hand identifyKernelImage: enough for the x86 setup header and the
 * kernel_version string it points at (within the setup sectors, ~17 KiB on Debian), and enough
 * gzip input to inflate an Image header.
 */
export const KERNEL_HEAD_BYTES = 64 * 1024;

/** Inflated bytes we keep from a gzip head; an Image or bzImage header and its version fit. */
const MAX_INFLATED_BYTES = 256 * 1024;

export function identifyKernelImage(head: Uint8Array): KernelImageInfo | null {
  return identify(head, true);
}

function identify(head: Uint8Array, mayInflate: boolean): KernelImageInfo | null {
  const b = new Bytes(head);
  if (b.ascii(0x202, 4) === 'HdrS') return bzImage(b);
  // arm64 and RISC-V Images share a 64-byte header with the magic at 0x38; either may also carry
  // an EFI stub ("MZ" at 0), which does not change how kexec loads them.
  if (b.u32le(0x38) === ARM64_MAGIC) return plain('arm64-image', 'aarch64', b);
  if (b.u32le(0x38) === RISCV_MAGIC2) return plain('riscv-image', 'riscv64', b);
  if (b.ascii(0, 2) === 'MZ' && b.ascii(4, 4) === 'zimg') return efiZboot(b);
  if (b.u32le(0x24) === ARM_ZIMAGE_MAGIC) return plain('arm-zimage', 'arm', b);
  if (b.u32le(0) === ELF_MAGIC) return elf(b);
  if (b.ascii(0, 2) === 'MZ') return pe(b);
  if (b.u8(0) === 0x1f && b.u8(1) === 0x8b) return gzip(head, mayInflate);
  if (b.ascii(0, 6) === '\xfd7zXZ\0') return { type: 'xz', arch: null, compressed: true, version: null };
  if (b.u32le(0) === ZSTD_MAGIC) return { type: 'zstd', arch: null, compressed: true, version: null };
  return null;
}

const ARM64_MAGIC = 0x644d5241; // "ARM\x64"
const RISCV_MAGIC2 = 0x05435352; // "RSC\x05"
const ARM_ZIMAGE_MAGIC = 0x016f2818;
const ELF_MAGIC = 0x464c457f; // "\x7fELF"
const ZSTD_MAGIC = 0xfd2fb528;
const XLF_KERNEL_64 = 1;

function plain(type: KernelImageType, arch: Arch | null, b: Bytes): KernelImageInfo {
  return { type, arch, compressed: false, version: linuxVersionIn(b) };
}

// x86 boot protocol: the setup header starts at 0x1f1; "HdrS" at 0x202 marks protocol >= 2.00.
function bzImage(b: Bytes): KernelImageInfo {
  const protocol = b.u16le(0x206) ?? 0;
  const xloadflags = protocol >= 0x20c ? (b.u16le(0x236) ?? 0) : 0;
  const arch: Arch = xloadflags & XLF_KERNEL_64 ? 'x86_64' : 'i386';
  // kernel_version (protocol >= 2.00) is an offset from 0x200 to a NUL-terminated string.
  const pointer = b.u16le(0x20e) ?? 0;
  const release = pointer ? firstWord(b.cstring(pointer + 0x200, 256)) : null;
  const info: KernelImageInfo = { type: 'bzImage', arch, compressed: false, version: release ?? linuxVersionIn(b) };
  // Every Linux since boot protocol 2.00 points kernel_version at its release; memtest86+ points
  // it at its own name ("Memtest86+ v6.10").
  if (info.version === null) info.notLinux = 'linux-boot-protocol';
  return info;
}

// EFI zboot: "MZ", "zimg", payload offset and size, then the compression name at 0x18; the PE
// header it still carries says which architecture the decompressed kernel is for.
function efiZboot(b: Bytes): KernelImageInfo {
  const compression = b.cstring(0x18, 32) ?? undefined;
  const info: KernelImageInfo = { type: 'efi-zboot', arch: peArch(b) ?? null, compressed: true, version: null };
  if (compression) info.compression = compression;
  return info;
}

function pe(b: Bytes): KernelImageInfo | null {
  const arch = peArch(b);
  return arch === undefined ? null : { ...plain('pe', arch, b), notLinux: 'efi-program' };
}

/** Arch from the PE header; null for an unknown machine; undefined when there is no PE header. */
function peArch(b: Bytes): Arch | null | undefined {
  const offset = b.u32le(0x3c);
  if (offset === null || b.ascii(offset, 4) !== 'PE\0\0') return undefined;
  const machine = b.u16le(offset + 4);
  return machine === null ? undefined : archFromPeMachine(machine);
}

function elf(b: Bytes): KernelImageInfo | null {
  const elfClass = b.u8(4);
  const data = b.u8(5);
  if ((elfClass !== 1 && elfClass !== 2) || (data !== 1 && data !== 2)) return null;
  const littleEndian = data === 1;
  const eType = littleEndian ? b.u16le(0x10) : b.u16be(0x10);
  const machine = littleEndian ? b.u16le(0x12) : b.u16be(0x12);
  if (eType === null || machine === null) return null;
  // ET_EXEC (2) or ET_DYN (3, relocatable kernels); an object file or module is no kernel.
  if (eType !== 2 && eType !== 3) return null;
  return plain('elf', archFromElfMachine(machine, elfClass === 2), b);
}

function gzip(head: Uint8Array, mayInflate: boolean): KernelImageInfo {
  const inflated = mayInflate ? inflateHead(head) : null;
  const inner = inflated ? identify(inflated, false) : null;
  return { type: 'gzip', arch: inner?.arch ?? null, compressed: true, version: inner?.version ?? null, inner };
}

/**
 * The first inflated bytes of a possibly truncated gzip stream. A sync flush makes zlib hand back
 * what it has instead of failing at the missing end; the output limit makes it refuse rather than
 * balloon, so when a head inflates past it (a very compressible start), a shorter input is tried:
 * deflate expands at most ~1032x, so 128 input bytes always fit.
 */
function inflateHead(head: Uint8Array): Uint8Array | null {
  for (const inputBytes of [head.length, 16 * 1024, 1024, 128]) {
    if (inputBytes > head.length) continue;
    try {
      const out = gunzipSync(head.subarray(0, inputBytes), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: MAX_INFLATED_BYTES,
      });
      return out.length > 0 ? new Uint8Array(out.buffer, out.byteOffset, out.length) : null;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') return null;
    }
  }
  return null;
}

const LINUX_VERSION = 'Linux version ';

/** The release from a "Linux version X (...)" banner inside the bytes, if the head holds one. */
function linuxVersionIn(b: Bytes): string | null {
  const at = b.indexOfAscii(LINUX_VERSION);
  return at < 0 ? null : firstWord(b.cstring(at + LINUX_VERSION.length, 128));
}

function firstWord(s: string | null): string | null {
  const word = s?.trim().split(/\s+/)[0] ?? '';
  return /^\d+\.\d+[\w.+~-]*$/.test(word) ? word : null;
}

/** Bounds-checked little reads over a byte array: out of range reads give null. */
class Bytes {
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private fits(offset: number, length: number): boolean {
    return offset >= 0 && offset + length <= this.bytes.length;
  }
  u8(offset: number): number | null {
    return this.fits(offset, 1) ? this.view.getUint8(offset) : null;
  }
  u16le(offset: number): number | null {
    return this.fits(offset, 2) ? this.view.getUint16(offset, true) : null;
  }
  u16be(offset: number): number | null {
    return this.fits(offset, 2) ? this.view.getUint16(offset, false) : null;
  }
  u32le(offset: number): number | null {
    return this.fits(offset, 4) ? this.view.getUint32(offset, true) : null;
  }
  ascii(offset: number, length: number): string | null {
    if (!this.fits(offset, length)) return null;
    return String.fromCharCode(...this.bytes.subarray(offset, offset + length));
  }
  /** A NUL-terminated printable string of at most `max` bytes; null when unterminated or binary. */
  cstring(offset: number, max: number): string | null {
    if (!this.fits(offset, 1)) return null;
    const end = Math.min(this.bytes.length, offset + max);
    let s = '';
    for (let i = offset; i < end; i++) {
      const c = this.bytes[i]!;
      if (c === 0) return s;
      if (c < 0x20 || c > 0x7e) return null;
      s += String.fromCharCode(c);
    }
    return null;
  }
  indexOfAscii(needle: string): number {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).indexOf(needle, 0, 'latin1');
  }
}
