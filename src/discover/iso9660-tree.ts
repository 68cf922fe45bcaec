// The directory tree of an ISO 9660 image, read as it is looked up: each directory's records
// turned into named nodes (Rock Ridge, Joliet or plain ISO 9660 names), cached by extent, so a
// directory whose extent is its parent's costs one read and a path walk over it ends at the
// view's path bound. Every read is checked against the image's size, and directories,
// continuation areas and names are bounded, so a hostile image costs at most the metadata budget.
import {
  type AlternateName,
  type DirectoryRecord,
  directoryRecords,
  fileIdentifierName,
  isSelfOrParent,
  type NameEncoding,
  parseAlternateName,
  parseChildLink,
  parseContinuation,
  parsePosixType,
  type PosixType,
  SECTOR_BYTES,
  suspEntries,
  SymlinkTarget,
} from './iso9660-records.js';
import type { NodeKind } from './source-view.js';

/** Bytes of one directory read; a directory past this shows the names in its first MiB. */
export const MAX_DIRECTORY_BYTES = 1024 * 1024;
/** Directory and continuation-area bytes read from one image, all together. */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;
/** Metadata reads per image (directory sectors, continuation areas): a real image needs a few hundred. */
const MAX_METADATA_READS = 10_000;
/** CE hops for one record's System Use entries. */
const MAX_CONTINUATIONS = 16;
const MAX_CONTINUATION_BYTES = 4 * SECTOR_BYTES;
/** Sections of one multi-extent file (each under 4 GiB). */
const MAX_SECTIONS = 64;
/** Bytes of a Rock Ridge name (NAME_MAX is 255; this leaves room for multi-byte text). */
const MAX_NAME_BYTES = 1024;

export interface Extent {
  /** Byte offset in the image. */
  offset: number;
  size: number;
}

export interface IsoNode {
  kind: NodeKind;
  size: number;
  /** A file's sections in order, or a directory's one extent. */
  extents: Extent[];
  /** Every extent lies inside the image and none is interleaved: the node can be read. */
  intact: boolean;
  target: string | null;
}

const OTHER: IsoNode = { kind: 'other', size: 0, extents: [], intact: false, target: null };

/** Where names come from: Rock Ridge (with SUSP's skip), Joliet's tree, or the ISO 9660 identifiers. */
export type Names = { encoding: 'rock-ridge'; skip: number } | { encoding: NameEncoding };

/** Reads of the image, each checked against its size; directory and continuation reads also against the metadata budget. */
export class ImageReader {
  private metadataBytes = 0;
  private metadataReads = 0;

  constructor(
    private readonly read: (offset: number, length: number) => Uint8Array | null,
    readonly size: number,
  ) {}

  contains(offset: number, length: number): boolean {
    return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= this.size;
  }

  /** Exactly `length` bytes at `offset`, or null. */
  bytes(offset: number, length: number): Uint8Array | null {
    if (!this.contains(offset, length)) return null;
    if (length === 0) return new Uint8Array(0);
    let got: Uint8Array | null;
    try {
      got = this.read(offset, length);
    } catch {
      return null; // an I/O error on the stick: this part of the image is unreadable
    }
    if (!got || got.length < length) return null;
    return got.length === length ? got : got.subarray(0, length);
  }

  metadata(offset: number, length: number): Uint8Array | null {
    // Reads are counted too: a continuation area of a few bytes pointing at itself costs one each.
    if (this.metadataBytes + length > MAX_METADATA_BYTES || ++this.metadataReads > MAX_METADATA_READS) return null;
    this.metadataBytes += length;
    return this.bytes(offset, length);
  }
}

/** A directory's extent as a node, or null when the record is not a directory inside the image. */
export function directoryNode(record: DirectoryRecord | null, image: ImageReader): IsoNode | null {
  if (!record?.directory) return null;
  const extent = { offset: (record.lba + record.xarBlocks) * SECTOR_BYTES, size: record.dataBytes };
  if (!image.contains(extent.offset, extent.size)) return null;
  return { kind: 'dir', size: extent.size, extents: [extent], intact: true, target: null };
}

/** Directories read so far, by extent: the same extent is read once, whatever path leads to it. */
export class DirectoryCache {
  private readonly byExtent = new Map<string, Map<string, IsoNode> | null>();

  constructor(
    private readonly image: ImageReader,
    private readonly names: Names,
  ) {}

  /** The node at `parts` below `dir`, one directory read (or cache hit) a component. */
  find(dir: IsoNode, parts: readonly string[]): IsoNode | null {
    let node: IsoNode | undefined = dir;
    for (const part of parts) {
      node = node.kind === 'dir' ? this.entries(node)?.get(part) : undefined;
      if (!node) return null;
    }
    return node;
  }

  entries(dir: IsoNode): Map<string, IsoNode> | null {
    const extent = dir.extents[0]!;
    const key = `${extent.offset}:${extent.size}`;
    let entries = this.byExtent.get(key);
    if (entries === undefined) {
      entries = this.readDirectory(extent);
      this.byExtent.set(key, entries);
    }
    return entries;
  }

  private readDirectory(extent: Extent): Map<string, IsoNode> | null {
    const bytes = this.image.metadata(extent.offset, Math.min(extent.size, MAX_DIRECTORY_BYTES));
    if (!bytes) return null;
    const entries = new Map<string, IsoNode>();
    let sections: DirectoryRecord[] = [];
    const add = () => {
      const named = sections.length > 0 ? this.node(sections) : null;
      // The first of two records with one name wins, as a path can lead to only one.
      if (named && !entries.has(named.name)) entries.set(named.name, named.node);
    };
    for (const record of directoryRecords(bytes)) {
      if (isSelfOrParent(record) || record.associated) continue;
      const last = sections[sections.length - 1];
      if (last?.multiExtent && sameBytes(last.identifier, record.identifier)) {
        sections.push(record);
        continue;
      }
      add();
      sections = [record];
    }
    add();
    return entries;
  }

  /** The named node of one file's records (several for a multi-extent file); null for what the tree should not show. */
  private node(sections: DirectoryRecord[]): { name: string; node: IsoNode } | null {
    const first = sections[0]!;
    const rr = this.names.encoding === 'rock-ridge' ? this.rockRidge(first, this.names.skip) : null;
    // A relocated directory is shown where its CL record stands, not in the relocation directory.
    if (rr?.special || rr?.relocated) return null;
    const name = rr?.name ?? fileIdentifierName(first, this.names.encoding === 'joliet' ? 'joliet' : 'iso');
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return null;

    if (rr?.childLink != null) return { name, node: this.relocatedDirectory(rr.childLink) ?? OTHER };
    if (first.directory) {
      const dir = directoryNode(first, this.image);
      const isDir = rr?.type === undefined || rr.type === null || rr.type === 'dir';
      return { name, node: dir && isDir ? dir : OTHER };
    }
    const type: PosixType = rr?.type ?? (rr?.target !== undefined ? 'symlink' : 'file');
    if (type === 'symlink') return { name, node: { kind: 'symlink', size: 0, extents: [], intact: false, target: rr?.target ?? null } };
    if (type !== 'file') return { name, node: OTHER };

    const extents = sections.map((s) => ({ offset: (s.lba + s.xarBlocks) * SECTOR_BYTES, size: s.dataBytes }));
    const size = extents.reduce((n, e) => n + e.size, 0);
    const intact =
      sections.length <= MAX_SECTIONS &&
      !sections[sections.length - 1]!.multiExtent &&
      sections.every((s) => !s.interleaved) &&
      extents.every((e) => this.image.contains(e.offset, e.size));
    return { name, node: { kind: 'file', size, extents, intact, target: null } };
  }

  /** The directory a CL entry names, by the record it has for itself. */
  private relocatedDirectory(lba: number): IsoNode | null {
    const sector = this.image.metadata(lba * SECTOR_BYTES, SECTOR_BYTES);
    const self = sector && directoryRecords(sector).next();
    if (!self || self.done || !isSelfOrParent(self.value) || self.value.lba !== lba) return null;
    return directoryNode(self.value, this.image);
  }

  /** What Rock Ridge says of a record: its name, its file type, its symlink target (undefined: no SL). */
  private rockRidge(record: DirectoryRecord, skip: number): RockRidgeInfo {
    const info: RockRidgeInfo = { name: null, special: false, type: null, target: undefined, childLink: null, relocated: false };
    const name: Uint8Array[] = [];
    let nameBytes = 0;
    let nameDone = false;
    let link: SymlinkTarget | null = null;
    let area: Uint8Array | null = record.systemUse.subarray(Math.min(skip, record.systemUse.length));
    for (let hops = 0; area && hops <= MAX_CONTINUATIONS; hops++) {
      let next: Uint8Array | null = null;
      for (const entry of suspEntries(area)) {
        switch (entry.signature) {
          case 'NM': {
            const piece: AlternateName | null = nameDone ? null : parseAlternateName(entry);
            if (!piece) break;
            if (piece.special) info.special = true;
            nameBytes += piece.part.length;
            if (nameBytes <= MAX_NAME_BYTES) name.push(piece.part);
            nameDone = !piece.continues;
            break;
          }
          case 'SL':
            if (!link || link.continues) {
              link ??= new SymlinkTarget();
              link.add(entry);
            }
            break;
          case 'PX':
            info.type = parsePosixType(entry);
            break;
          case 'CL':
            info.childLink = parseChildLink(entry);
            break;
          case 'RE':
            info.relocated = true;
            break;
          case 'CE': {
            const ce = parseContinuation(entry);
            const at = ce && ce.lba * SECTOR_BYTES + ce.offset;
            next = ce && ce.length <= MAX_CONTINUATION_BYTES ? this.image.metadata(at!, ce.length) : null;
            break;
          }
        }
      }
      area = next;
    }
    if (name.length > 0 && nameDone && nameBytes <= MAX_NAME_BYTES) info.name = new TextDecoder().decode(Buffer.concat(name));
    if (link) info.target = link.text();
    return info;
  }
}

interface RockRidgeInfo {
  name: string | null;
  /** NM names the directory itself or its parent. */
  special: boolean;
  type: PosixType | null;
  target: string | null | undefined;
  /** CL: the record stands for the directory at this block. */
  childLink: number | null;
  /** RE: a directory moved here from deep in the tree. */
  relocated: boolean;
}

/** Bytes of a file from its sections: up to `length` from `offset`, fewer at its end. */
export function readFileData(image: ImageReader, node: IsoNode, offset: number, length: number): Uint8Array | null {
  if (!Number.isSafeInteger(offset) || offset < 0 || length < 0) return null;
  const end = Math.min(node.size, offset + length);
  const out = new Uint8Array(Math.max(0, end - offset));
  let fileAt = 0;
  for (const extent of node.extents) {
    const from = Math.max(offset, fileAt);
    const to = Math.min(end, fileAt + extent.size);
    if (from < to) {
      const piece = image.bytes(extent.offset + (from - fileAt), to - from);
      if (!piece) return null;
      out.set(piece, from - offset);
    }
    fileAt += extent.size;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
