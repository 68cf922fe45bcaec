// The on-disk records of an ISO 9660 image (ECMA-119), with the System Use Sharing Protocol
// (SUSP, IEEE P1281) and Rock Ridge (RRIP, IEEE P1282) entries kexmenu uses, and Joliet names.
// Pure decoding of byte arrays: every offset is checked against the array it reads, and a record
// that does not fit gives null, never a throw. Multi-byte numbers are "both-endian" on disc; the
// little-endian half is read (some old mastering tools wrote a wrong big-endian half).

export const SECTOR_BYTES = 2048;
/** Volume descriptors start at sector 16, after the system area. */
export const FIRST_DESCRIPTOR_SECTOR = 16;

export type NameEncoding = 'iso' | 'joliet';

export interface VolumeDescriptor {
  type: number;
  /** Supplementary descriptors only: the Joliet level escape sequence was found. */
  joliet: boolean;
  volumeId: string | null;
  blockBytes: number;
  /** The root directory's own record. */
  root: DirectoryRecord | null;
}

export const DESCRIPTOR = { bootRecord: 0, primary: 1, supplementary: 2, terminator: 255 } as const;

/** One directory record as written: the fields kexmenu needs and the raw identifier. */
export interface DirectoryRecord {
  /** Location of the extent in logical blocks. */
  lba: number;
  /** Extended attribute record length in blocks: the data starts after it. */
  xarBlocks: number;
  dataBytes: number;
  directory: boolean;
  /** Not the last section of a file: the next record continues it. */
  multiExtent: boolean;
  /** An associated file (a Macintosh resource fork and the like): not a file of the tree. */
  associated: boolean;
  /** Interleaved files are not one run of blocks; kexmenu does not read them. */
  interleaved: boolean;
  identifier: Uint8Array;
  /** The System Use area after the identifier (SUSP entries live here). */
  systemUse: Uint8Array;
}

const FLAG_DIRECTORY = 0x02;
const FLAG_ASSOCIATED = 0x04;
const FLAG_MULTI_EXTENT = 0x80;
const RECORD_FIXED_BYTES = 33;

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array): string => String.fromCharCode(...b);
const STANDARD_ID = [0x43, 0x44, 0x30, 0x30, 0x31]; // "CD001"

/** The volume descriptor in one 2048-byte sector; null when the sector holds none. */
export function parseVolumeDescriptor(sector: Uint8Array): VolumeDescriptor | null {
  if (sector.length < SECTOR_BYTES || !STANDARD_ID.every((c, i) => sector[1 + i] === c)) return null;
  const type = sector[0]!;
  if (type !== DESCRIPTOR.primary && type !== DESCRIPTOR.supplementary) return { type, joliet: false, volumeId: null, blockBytes: 0, root: null };
  const joliet = type === DESCRIPTOR.supplementary && isJolietEscape(sector.subarray(88, 120));
  const idBytes = sector.subarray(40, 72);
  const id = (joliet ? ucs2(idBytes) : ascii(idBytes)).replace(/[\s\0]+$/, '').replace(/^[\s\0]+/, '');
  const rootBytes = sector.subarray(156, 190);
  return { type, joliet, volumeId: id === '' ? null : id, blockBytes: u16(sector, 128), root: parseDirectoryRecord(rootBytes, 0) };
}

/** Joliet levels 1, 2 and 3: the escape sequences %/@, %/C and %/E. */
function isJolietEscape(escapes: Uint8Array): boolean {
  for (let i = 0; i + 2 < escapes.length; i++) {
    if (escapes[i] === 0x25 && escapes[i + 1] === 0x2f && [0x40, 0x43, 0x45].includes(escapes[i + 2]!)) return true;
  }
  return false;
}

/** The record at `at` in `bytes`; null when its length or identifier does not fit. */
export function parseDirectoryRecord(bytes: Uint8Array, at: number): DirectoryRecord | null {
  const length = bytes[at] ?? 0;
  if (length < RECORD_FIXED_BYTES + 1 || at + length > bytes.length) return null;
  const idLength = bytes[at + 32]!;
  if (idLength === 0 || RECORD_FIXED_BYTES + idLength > length) return null;
  const flags = bytes[at + 25]!;
  const idStart = at + RECORD_FIXED_BYTES;
  // A pad byte keeps the System Use area on an even offset.
  const useStart = idStart + idLength + (idLength % 2 === 0 ? 1 : 0);
  return {
    lba: u32(bytes, at + 2),
    xarBlocks: bytes[at + 1]!,
    dataBytes: u32(bytes, at + 10),
    directory: (flags & FLAG_DIRECTORY) !== 0,
    multiExtent: (flags & FLAG_MULTI_EXTENT) !== 0,
    associated: (flags & FLAG_ASSOCIATED) !== 0,
    interleaved: bytes[at + 26] !== 0 || bytes[at + 27] !== 0,
    identifier: bytes.subarray(idStart, idStart + idLength),
    systemUse: bytes.subarray(Math.min(useStart, at + length), at + length),
  };
}

/**
 * Every record of a directory's extent, in order. A zero length byte ends a sector's records (a
 * record never crosses a sector); a record that does not parse ends its sector too, so one bad
 * record costs the rest of its sector, not the directory.
 */
export function* directoryRecords(extent: Uint8Array): Generator<DirectoryRecord> {
  let at = 0;
  while (at < extent.length) {
    const sectorEnd = Math.min(extent.length, (Math.floor(at / SECTOR_BYTES) + 1) * SECTOR_BYTES);
    const record = extent[at] === 0 ? null : parseDirectoryRecord(extent.subarray(0, sectorEnd), at);
    if (record === null) {
      at = sectorEnd;
      continue;
    }
    yield record;
    at += extent[at]!;
  }
}

/** The record for the directory itself (identifier 0x00) or its parent (0x01). */
export function isSelfOrParent(record: DirectoryRecord): boolean {
  return record.identifier.length === 1 && record.identifier[0]! <= 1;
}

/** `NAME.EXT;1` -> `NAME.EXT`, `NAME.;1` -> `NAME`; case as written. */
export function fileIdentifierName(record: DirectoryRecord, encoding: NameEncoding): string {
  const raw = encoding === 'joliet' ? ucs2(record.identifier) : ascii(record.identifier);
  if (record.directory) return raw;
  const version = raw.lastIndexOf(';');
  const name = version >= 0 ? raw.slice(0, version) : raw;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** UCS-2 big-endian, as Joliet writes names. */
function ucs2(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return out;
}

// ---- SUSP and Rock Ridge ----

export interface SuspEntry {
  signature: string;
  version: number;
  data: Uint8Array;
}

/** The SUSP entries of one System Use area or continuation area, up to the first that does not fit or ST. */
export function* suspEntries(area: Uint8Array): Generator<SuspEntry> {
  let at = 0;
  while (at + 4 <= area.length) {
    const length = area[at + 2]!;
    if (length < 4 || at + length > area.length) return;
    const signature = ascii(area.subarray(at, at + 2));
    if (signature === 'ST') return;
    yield { signature, version: area[at + 3]!, data: area.subarray(at + 4, at + length) };
    at += length;
  }
}

/** SP (in the root's own record): SUSP is in use, and this many bytes start each System Use area before its entries. */
export function sharingProtocolSkip(rootSelf: DirectoryRecord): number | null {
  const first = suspEntries(rootSelf.systemUse).next();
  if (first.done || first.value.signature !== 'SP' || first.value.data.length < 3) return null;
  const { data } = first.value;
  return data[0] === 0xbe && data[1] === 0xef ? data[2]! : null;
}

/** A CE entry: where the System Use entries go on. */
export interface Continuation {
  lba: number;
  offset: number;
  length: number;
}

export function parseContinuation(entry: SuspEntry): Continuation | null {
  if (entry.data.length < 24) return null;
  return { lba: u32(entry.data, 0), offset: u32(entry.data, 8), length: u32(entry.data, 16) };
}

/** CL (deep directory relocation): the block of the directory this file record stands for. */
export function parseChildLink(entry: SuspEntry): number | null {
  return entry.data.length < 8 ? null : u32(entry.data, 0);
}

/** PX: the POSIX file mode's file type. */
export type PosixType = 'file' | 'dir' | 'symlink' | 'other';

export function parsePosixType(entry: SuspEntry): PosixType | null {
  if (entry.data.length < 4) return null;
  switch (u32(entry.data, 0) & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

const NM_CONTINUE = 0x01;
const NM_CURRENT = 0x02;
const NM_PARENT = 0x04;

/** One NM entry's part of the name, and whether the next NM entry continues it; '.'/'..' for the flags that mean them. */
export interface AlternateName {
  part: Uint8Array;
  continues: boolean;
  special: '.' | '..' | null;
}

export function parseAlternateName(entry: SuspEntry): AlternateName | null {
  if (entry.data.length < 1) return null;
  const flags = entry.data[0]!;
  const special = flags & NM_CURRENT ? '.' : flags & NM_PARENT ? '..' : null;
  return { part: entry.data.subarray(1), continues: (flags & NM_CONTINUE) !== 0, special };
}

const SL_CONTINUE = 0x01;
const COMPONENT_CONTINUE = 0x01;
const COMPONENT_CURRENT = 0x02;
const COMPONENT_PARENT = 0x04;
const COMPONENT_ROOT = 0x08;
const COMPONENT_VOLUME_ROOT = 0x10;
const COMPONENT_HOST = 0x20;

/** A symlink target being assembled from SL entries' component records. */
export class SymlinkTarget {
  private readonly components: string[] = [];
  /** The last component is continued by the next component record (a long name split). */
  private open = false;
  private absolute = false;
  /** A component this reader cannot follow (the host name). */
  broken = false;
  /** The next SL entry continues this link. */
  continues = false;

  add(entry: SuspEntry): void {
    const data = entry.data;
    if (data.length < 1) {
      this.broken = true;
      return;
    }
    this.continues = (data[0]! & SL_CONTINUE) !== 0;
    const decoder = new TextDecoder();
    for (let at = 1; at + 2 <= data.length; ) {
      const flags = data[at]!;
      const length = data[at + 1]!;
      if (at + 2 + length > data.length) {
        this.broken = true;
        return;
      }
      const text =
        flags & COMPONENT_CURRENT ? '.' : flags & COMPONENT_PARENT ? '..' : flags & (COMPONENT_ROOT | COMPONENT_VOLUME_ROOT) ? null : decoder.decode(data.subarray(at + 2, at + 2 + length));
      if (flags & COMPONENT_HOST) this.broken = true;
      if (text === null) {
        if (this.components.length === 0) this.absolute = true;
        else this.broken = true;
      } else if (this.open) this.components[this.components.length - 1] += text;
      else this.components.push(text);
      this.open = (flags & COMPONENT_CONTINUE) !== 0;
      at += 2 + length;
    }
  }

  /** The target as a path; null when it cannot be followed. */
  text(): string | null {
    if (this.broken || (!this.absolute && this.components.length === 0)) return null;
    return (this.absolute ? '/' : '') + this.components.join('/');
  }
}
