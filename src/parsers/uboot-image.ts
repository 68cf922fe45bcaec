// U-Boot's legacy image format, the wrapper `mkimage -T script` puts around a boot script (and
// `mkimage -T ramdisk` around an initrd): a 64-byte big-endian header, then the data. A script's
// data is a multi-file image with one file: 32-bit lengths ended by a zero, then the files, each
// padded to 4 bytes. Both CRC32s are checked, as U-Boot's `source` does with `verify` on.

export const LEGACY_MAGIC = 0x27051956;
export const LEGACY_HEADER_BYTES = 64;
export const IH_TYPE_RAMDISK = 3;
export const IH_TYPE_SCRIPT = 6;
const IH_COMP_NONE = 0;

export interface LegacyHeader {
  headerCrc: number;
  dataSize: number;
  dataCrc: number;
  type: number;
  compression: number;
  name: string;
}

export type ScriptImage = { ok: true; text: string; name: string } | { ok: false; message: string };

/** The header's fields, or null when `bytes` does not start with one. */
export function readLegacyHeader(bytes: Uint8Array): LegacyHeader | null {
  if (bytes.length < LEGACY_HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, LEGACY_HEADER_BYTES);
  if (view.getUint32(0) !== LEGACY_MAGIC) return null;
  const nameBytes = bytes.subarray(32, 64);
  const end = nameBytes.indexOf(0);
  return {
    headerCrc: view.getUint32(4),
    dataSize: view.getUint32(12),
    dataCrc: view.getUint32(24),
    type: view.getUint8(30),
    compression: view.getUint8(31),
    name: new TextDecoder().decode(end < 0 ? nameBytes : nameBytes.subarray(0, end)),
  };
}

/** The script text inside a `mkimage -T script` image, or why it cannot be had. */
export function readScriptImage(bytes: Uint8Array): ScriptImage {
  const header = readLegacyHeader(bytes);
  if (!header) {
    const why = bytes.length < LEGACY_HEADER_BYTES ? `${bytes.length} bytes, shorter than the 64-byte header` : 'bad magic number';
    return { ok: false, message: `not a U-Boot script image: ${why}` };
  }
  const headerCopy = bytes.slice(0, LEGACY_HEADER_BYTES);
  headerCopy.fill(0, 4, 8);
  if (crc32(headerCopy) !== header.headerCrc) return { ok: false, message: 'U-Boot script image: bad header CRC' };
  if (header.type !== IH_TYPE_SCRIPT) return { ok: false, message: `U-Boot image of type ${header.type}, not a script (type ${IH_TYPE_SCRIPT})` };
  if (header.compression !== IH_COMP_NONE) return { ok: false, message: `U-Boot script image compressed (method ${header.compression}): not read` };
  const data = bytes.subarray(LEGACY_HEADER_BYTES);
  if (data.length < header.dataSize) return { ok: false, message: `U-Boot script image truncated: ${data.length} of ${header.dataSize} data bytes` };
  const payload = data.subarray(0, header.dataSize);
  if (crc32(payload) !== header.dataCrc) return { ok: false, message: 'U-Boot script image: bad data CRC' };
  const first = firstFile(payload);
  if (typeof first === 'string') return { ok: false, message: `U-Boot script image: ${first}` };
  return { ok: true, text: new TextDecoder().decode(first), name: header.name };
}

/** The first file of a multi-file payload: past the zero-ended list of lengths. */
function firstFile(payload: Uint8Array): Uint8Array | string {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let offset = 0;
  let firstLength: number | null = null;
  for (;;) {
    if (offset + 4 > payload.length) return 'the list of file lengths has no end';
    const length = view.getUint32(offset);
    offset += 4;
    if (length === 0) break;
    firstLength ??= length;
  }
  if (firstLength === null) return 'empty script';
  if (offset + firstLength > payload.length) return `the script's length (${firstLength} bytes) runs past the data`;
  return payload.subarray(offset, offset + firstLength);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of zlib and Ethernet, which U-Boot's image headers use. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
