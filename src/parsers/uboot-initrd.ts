// An initrd a boot script loads is often a U-Boot image (Armbian's uInitrd: `mkimage -T ramdisk`
// around initrd.img). U-Boot takes the header off; kexec hands the kernel the file as it is, and
// the kernel cannot unpack it with the header in front. Armbian keeps the unwrapped file beside
// it (uInitrd-V made from initrd.img-V), so that one is booted when it holds the same bytes.
import { IH_TYPE_RAMDISK, LEGACY_HEADER_BYTES, readLegacyHeader } from './uboot-image.js';
import type { SourceFiles } from './types.js';

/** Bytes compared between the image's data and the unwrapped file: enough to tell two initrds apart. */
const COMPARED_BYTES = 4096;

/** The file to give kexec for the initrd at `path`, or a message saying why there is none. */
export function kexecInitrd(files: SourceFiles, path: string): { path: string } | { problem: string } {
  const header = readLegacyHeader(files.readBytes(path, 0, LEGACY_HEADER_BYTES) ?? new Uint8Array(0));
  if (!header) return { path };
  if (header.type === IH_TYPE_RAMDISK) {
    const twin = unwrappedTwin(files, path, header.dataSize);
    if (twin) return { path: twin };
  }
  return {
    problem:
      `initrd ${path} is a U-Boot image (mkimage type ${header.type}); kexec would hand the kernel its 64-byte header too, ` +
      'and no initrd.img beside it holds the same data',
  };
}

function unwrappedTwin(files: SourceFiles, path: string, dataSize: number): string | null {
  const real = files.canonical(path) ?? path;
  const cut = real.lastIndexOf('/');
  const name = /^uInitrd(-.+)?$/.exec(real.slice(cut + 1));
  if (!name) return null;
  const twin = `${real.slice(0, cut)}/initrd.img${name[1] ?? ''}`;
  if (files.stat(twin)?.size !== dataSize) return null;
  const n = Math.min(COMPARED_BYTES, dataSize);
  const ours = files.readBytes(path, LEGACY_HEADER_BYTES, n);
  const theirs = files.readBytes(twin, 0, n);
  return ours && theirs && ours.length === n && theirs.length === n && ours.every((b, i) => b === theirs[i]) ? twin : null;
}
