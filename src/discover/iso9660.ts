// An ISO 9660 image file as a source: the confined view of source-view.ts over a backend that
// reads the image's directories itself (iso9660-tree.ts), so a distribution ISO on a USB stick can
// be scanned without mounting it. Names come from Rock Ridge when the image has it (SUSP's SP in
// the root's own record), else from Joliet's tree when there is one, else from the plain ISO 9660
// identifiers. Nothing is walked eagerly: a directory is read when a path is looked up in it.
import type { ByteRange } from '../model.js';
import type { SourceFiles } from '../parsers/types.js';
import {
  DESCRIPTOR,
  directoryRecords,
  FIRST_DESCRIPTOR_SECTOR,
  parseVolumeDescriptor,
  SECTOR_BYTES,
  sharingProtocolSkip,
  type VolumeDescriptor,
} from './iso9660-records.js';
import { DirectoryCache, directoryNode, type Extent, ImageReader, type IsoNode, type Names, readFileData } from './iso9660-tree.js';
import { DEFAULT_VIEW_LIMITS, type SourceBackend, sourceView, type ViewLimits } from './source-view.js';
export interface IsoImage {
  /** The image as a confined, bounded view (symlinks from Rock Ridge resolved inside it). */
  files: SourceFiles;
  /**
   * Where a regular file's bytes are in the image file; null when the path is not a regular
   * file, or its data is not one contiguous run. '/'-rooted as the view's, symlinks followed.
   */
  extentOf(path: string): ByteRange | null;
  /** The primary volume descriptor's volume identifier, trimmed; null when blank. */
  volumeId: string | null;
}

/** Descriptors read before giving up on a terminator. */
const MAX_DESCRIPTORS = 64;

/** `read` reads up to `length` bytes of the image at `offset` (null when it cannot); `size` is the image file's size. A string says why it is no ISO 9660 image. */
export function openIso(read: (offset: number, length: number) => Uint8Array | null, size: number, limits: ViewLimits = DEFAULT_VIEW_LIMITS): IsoImage | string {
  if (!Number.isSafeInteger(size) || size < (FIRST_DESCRIPTOR_SECTOR + 1) * SECTOR_BYTES) return `too small for an ISO 9660 image (${size} bytes)`;
  const image = new ImageReader(read, size);
  const descriptors = readDescriptors(image);
  if (typeof descriptors === 'string') return descriptors;
  const { primary } = descriptors;
  if (primary.blockBytes !== SECTOR_BYTES) return `logical blocks of ${primary.blockBytes} bytes (only 2048-byte blocks are read)`;
  const root = directoryNode(primary.root, image);
  if (!root) return 'the root directory record is not a directory inside the image';
  const chosen = chooseNames(image, root, descriptors.joliet);
  if (typeof chosen === 'string') return chosen;
  const { names, tree } = chosen;

  const directories = new DirectoryCache(image, names);
  const find = (parts: readonly string[]) => directories.find(tree, parts);

  const backend: SourceBackend = {
    lstat: (parts) => {
      const node = find(parts);
      return node && { kind: node.kind, size: node.size };
    },
    readlink: (parts) => {
      const node = find(parts);
      return node?.kind === 'symlink' ? node.target : null;
    },
    list: (parts, max) => {
      const node = find(parts);
      const entries = node?.kind === 'dir' ? directories.entries(node) : null;
      return entries ? [...entries.keys()].slice(0, max) : null;
    },
    read: (parts, offset, length) => {
      const node = find(parts);
      return node?.kind === 'file' && node.intact ? readFileData(image, node, offset, length) : null;
    },
  };
  const files = sourceView(backend, limits);

  return {
    files,
    volumeId: primary.volumeId,
    extentOf(path) {
      const resolved = files.resolve(path);
      if (!resolved.ok || resolved.type !== 'file') return null;
      const node = find(resolved.path.split('/').filter(Boolean));
      return node?.kind === 'file' && node.intact ? oneRun(node.extents) : null;
    },
  };
}

/** The primary descriptor and the first Joliet one, from sector 16 to the terminator. */
function readDescriptors(image: ImageReader): { primary: VolumeDescriptor; joliet: VolumeDescriptor | null } | string {
  let primary: VolumeDescriptor | null = null;
  let joliet: VolumeDescriptor | null = null;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const sector = image.bytes((FIRST_DESCRIPTOR_SECTOR + i) * SECTOR_BYTES, SECTOR_BYTES);
    const descriptor = sector && parseVolumeDescriptor(sector);
    if (!descriptor) {
      if (i === 0) return 'no ISO 9660 volume descriptor at sector 16';
      break; // no terminator: what was found before it is all there is
    }
    if (descriptor.type === DESCRIPTOR.terminator) break;
    if (descriptor.type === DESCRIPTOR.primary) primary ??= descriptor;
    if (descriptor.type === DESCRIPTOR.supplementary && descriptor.joliet) joliet ??= descriptor;
  }
  return primary ? { primary, joliet } : 'no primary volume descriptor before the terminator';
}

/** Rock Ridge names when SUSP's SP opens the root's own record; else Joliet's tree; else the ISO 9660 names. */
function chooseNames(image: ImageReader, root: IsoNode, joliet: VolumeDescriptor | null): { names: Names; tree: IsoNode } | string {
  const rootStart = image.metadata(root.extents[0]!.offset, Math.min(root.size, SECTOR_BYTES));
  if (!rootStart) return 'cannot read the root directory';
  const self = directoryRecords(rootStart).next();
  const skip = self.done ? null : sharingProtocolSkip(self.value);
  if (skip !== null) return { names: { encoding: 'rock-ridge', skip }, tree: root };
  const jolietRoot = joliet?.blockBytes === SECTOR_BYTES ? directoryNode(joliet.root, image) : null;
  if (jolietRoot) return { names: { encoding: 'joliet' }, tree: jolietRoot };
  return { names: { encoding: 'iso' }, tree: root };
}

/** The sections as one range when each starts where the one before ends. */
function oneRun(extents: Extent[]): ByteRange | null {
  const first = extents[0];
  if (!first) return null;
  let size = first.size;
  for (const extent of extents.slice(1)) {
    if (extent.offset !== first.offset + size) return null;
    size += extent.size;
  }
  return { offset: first.offset, size };
}
