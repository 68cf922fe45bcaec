// ISO images kept on a stick (the rescue case: a stick full of distribution ISOs). Each `*.iso`
// at the top of a removable source, or one folder down, is read as a source of its own through a
// view over the image file (iso9660.ts: no loop device, no mount), and its entries boot with the
// words that tell their system where the image is (iso-boot-args.ts).
import path from 'node:path';
import type { Problem } from '../model.js';
import type { SourceFiles } from '../parsers/types.js';
import type { SourceView } from './assemble.js';
import { isoBootArgs } from './iso-boot-args.js';
import { openIso } from './iso9660.js';

/** Folders looked into, and images read, per source: a stick of ISOs has a few dozen. */
export const ISO_LIMITS = { folders: 64, images: 32 } as const;
/** The volume descriptors start at 32 KiB: anything smaller is no ISO 9660 image. */
const MIN_ISO_BYTES = 34 * 1024;

/** The images on `outer` as sources, each named `<outer id>:iso:<file name>` in entry ids. */
export function isoSources(outer: SourceView, report: (p: Problem) => void): SourceView[] {
  const files = outer.files;
  const found = isoFiles(files);
  if (found.length > ISO_LIMITS.images) {
    report({ source: outer.source.id, file: null, line: null, message: `${found.length} ISO images; only the first ${ISO_LIMITS.images} are read` });
  }
  const views: SourceView[] = [];
  const ids = new Set<string>();
  for (const file of found.slice(0, ISO_LIMITS.images)) {
    const size = files.stat(file)?.size ?? 0;
    const absolute = `${outer.source.root.replace(/\/+$/, '')}${file}`;
    const image = size >= MIN_ISO_BYTES ? openIso((offset, length) => files.readBytes(file, offset, length), size) : 'too small to be one';
    if (typeof image === 'string') {
      report({ source: outer.source.id, file: absolute, line: null, message: `not an ISO 9660 image: ${image}` });
      continue;
    }
    const name = path.posix.basename(file);
    let id = `${outer.source.id}:iso:${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    while (ids.has(id)) id += '_';
    ids.add(id);
    const location = { path: file, uuid: outer.source.uuid, label: outer.source.label };
    views.push({
      source: { ...outer.source, root: absolute, fstype: 'iso9660', label: image.volumeId, uuid: null, partuuid: null, size },
      files: image.files,
      image: { file: absolute, path: file, name, entryIds: id, extentOf: (p) => image.extentOf(p), bootArgs: (cmdline) => isoBootArgs(cmdline, location) },
    });
  }
  return views;
}

/** `*.iso` at the top and one folder down, sorted by path. */
function isoFiles(files: SourceFiles): string[] {
  const top = files.list('/') ?? [];
  const isIso = (name: string) => name.toLowerCase().endsWith('.iso') && !name.startsWith('.');
  const found = top.filter(isIso).map((n) => `/${n}`);
  const candidates = top.filter((n) => !isIso(n) && !n.startsWith('.')).slice(0, ISO_LIMITS.folders * 4);
  const folders = candidates.filter((n) => files.stat(`/${n}`)?.type === 'dir').slice(0, ISO_LIMITS.folders);
  for (const folder of folders) {
    for (const name of (files.list(`/${folder}`) ?? []).filter(isIso)) found.push(`/${folder}/${name}`);
    if (found.length > ISO_LIMITS.images * 4) break;
  }
  return found.filter((f) => files.stat(f)?.type === 'file');
}
