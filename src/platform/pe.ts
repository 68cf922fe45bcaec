// The section table of a PE/COFF file (an EFI program: a unified kernel image, an EFI stub
// kernel), read through a bounded byte reader. Pure: bytes in, sections out; a file that is not
// PE, or whose table points outside the file, gives a reason, never a throw.

export interface PeSection {
  /** As written, e.g. ".linux"; names longer than 8 bytes (a string-table reference) are kept as "/4". */
  name: string;
  /** Where the section's bytes are in the file, and how many of them are its contents. */
  offset: number;
  size: number;
}

export interface PeImage {
  /** IMAGE_FILE_MACHINE_*, e.g. 0x8664 (x86_64), 0xaa64 (arm64). */
  machine: number;
  /** In file order, which for a multi-profile UKI is the order that matters. */
  sections: PeSection[];
}

/** The PE headers and section table sit in the first pages; the table's 96 entries at most take 3,840 bytes. */
export const PE_HEAD_BYTES = 8192;
const MAX_SECTIONS = 96;
const SECTION_HEADER_BYTES = 40;

/** The section table of `head` (the first bytes of a file of `fileSize` bytes), or why there is none. */
export function readPeSections(head: Uint8Array, fileSize: number): PeImage | string {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u16 = (at: number) => (at + 2 <= head.length ? view.getUint16(at, true) : null);
  const u32 = (at: number) => (at + 4 <= head.length ? view.getUint32(at, true) : null);
  if (head[0] !== 0x4d || head[1] !== 0x5a) return 'not a PE file (no MZ header)';
  const pe = u32(0x3c);
  if (pe === null || u32(pe) !== 0x00004550) return 'not a PE file (no PE signature)';
  const machine = u16(pe + 4);
  const count = u16(pe + 6);
  const optionalSize = u16(pe + 20);
  if (machine === null || count === null || optionalSize === null) return 'the PE header is cut short';
  if (count > MAX_SECTIONS) return `the PE header names ${count} sections (at most ${MAX_SECTIONS} exist)`;
  const table = pe + 24 + optionalSize;
  if (table + count * SECTION_HEADER_BYTES > head.length) return 'the PE section table lies beyond the file\'s first pages';
  const sections: PeSection[] = [];
  for (let i = 0; i < count; i++) {
    const at = table + i * SECTION_HEADER_BYTES;
    const name = latin1(head.subarray(at, at + 8));
    const virtualSize = u32(at + 8)!;
    const rawSize = u32(at + 16)!;
    const offset = u32(at + 20)!;
    // The raw data is padded to the file alignment; VirtualSize is the contents (0 in some linkers' output).
    const size = virtualSize > 0 ? Math.min(virtualSize, rawSize) : rawSize;
    if (size > 0 && offset + size > fileSize) return `section ${name} lies beyond the end of the file`;
    sections.push({ name, offset, size });
  }
  return { machine, sections };
}

function latin1(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return String.fromCharCode(...(end === -1 ? bytes : bytes.subarray(0, end)));
}
