// One Boot Loader Specification type #1 entry file, read as plain keys (no paths resolved yet).
// https://uapi-group.org/specifications/specs/boot_loader_specification/#type-1-boot-loader-specification-entries
import { splitKeyword } from './keyword-line.js';
import { FILES_PER_ENTRY } from './limits.js';

/** A path as written, with the line it is on (for problems). */
export interface WrittenPath {
  path: string;
  line: number;
}

export interface BlsEntryFile {
  /** File name without `.conf` and without the boot counting suffix (`foo+3-1.conf` -> `foo`). */
  id: string;
  fileName: string;
  /** Boot counting: tries left, or null when the name carries no counter. */
  triesLeft: number | null;
  triesDone: number | null;
  title: string | null;
  version: string | null;
  machineId: string | null;
  sortKey: string | null;
  linux: WrittenPath | null;
  /** A unified kernel image the entry boots (its .cmdline unless `options` are given). */
  uki: WrittenPath | null;
  efi: string | null;
  /** At most FILES_PER_ENTRY + 1: one more than can be used, to tell that there were too many. */
  initrd: WrittenPath[];
  options: string[];
  devicetree: WrittenPath | null;
  overlays: WrittenPath[];
  architecture: string | null;
}

const BOOT_COUNTING = /^(.*?)\+(\d+)(?:-(\d+))?$/;

/** Splits `foo+3-1.conf` into id `foo`, 3 tries left, 1 done (section "Boot counting"). */
export function parseEntryName(fileName: string): Pick<BlsEntryFile, 'id' | 'fileName' | 'triesLeft' | 'triesDone'> {
  const stem = fileName.replace(/\.conf$/, '');
  const counted = BOOT_COUNTING.exec(stem);
  if (!counted || counted[1] === '') return { id: stem, fileName, triesLeft: null, triesDone: null };
  return {
    id: counted[1]!,
    fileName,
    triesLeft: Number(counted[2]),
    triesDone: counted[3] === undefined ? 0 : Number(counted[3]),
  };
}

/** Reads `key value` lines; `#` comments, blank lines and unknown keys are skipped. */
export function parseEntryText(fileName: string, text: string): BlsEntryFile {
  const entry: BlsEntryFile = {
    ...parseEntryName(fileName),
    title: null,
    version: null,
    machineId: null,
    sortKey: null,
    linux: null,
    uki: null,
    efi: null,
    initrd: [],
    options: [],
    devicetree: null,
    overlays: [],
    architecture: null,
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const at = (path: string): WrittenPath => ({ path, line: index + 1 });
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const { keyword: key, rest } = splitKeyword(line);
    const value = rest.trim();
    switch (key) {
      case 'title':
        entry.title = value;
        break;
      case 'version':
        entry.version = value;
        break;
      case 'machine-id':
        entry.machineId = value;
        break;
      case 'sort-key':
        entry.sortKey = value;
        break;
      case 'linux':
        entry.linux = at(value);
        break;
      case 'uki':
        entry.uki = at(value);
        break;
      case 'efi':
        entry.efi = value;
        break;
      case 'initrd':
        // One path per line in the spec; GRUB's blscfg also takes several on one line (Fedora's
        // `initrd /initramfs-V.img $tuned_initrd`), and paths with spaces do not occur on $BOOT.
        for (const path of value.split(/\s+/)) if (path && entry.initrd.length <= FILES_PER_ENTRY) entry.initrd.push(at(path));
        break;
      case 'options':
        if (value !== '') entry.options.push(value);
        break;
      case 'devicetree':
        entry.devicetree = at(value);
        break;
      case 'devicetree-overlay':
        for (const path of value.split(/\s+/)) if (path && entry.overlays.length <= FILES_PER_ENTRY) entry.overlays.push(at(path));
        break;
      case 'architecture':
        entry.architecture = value;
        break;
    }
  });
  return entry;
}
