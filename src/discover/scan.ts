// One scan: find the sources (directories given, or block devices mounted read-only), run every
// parser over each, and assemble the ScanResult that the CLI prints and the menu shows.
import path from 'node:path';
import type { Arch, BootSource, Problem, ScanResult } from '../model.js';
import { PARSERS } from '../parsers/index.js';
import type { ParseResult } from '../parsers/types.js';
import { archFromNode } from '../platform/arch.js';
import { readMachine } from '../platform/machine.js';
import { assembleScan, type ParsedSource, type SourceView } from './assemble.js';
import { type BlockDevice, isScannable, listBlockDevices } from './block-devices.js';
import { MOUNT_BASE, mountReadOnly, mountTarget, unmount } from './mount.js';
import { fsSourceFiles } from './source-files.js';

export interface ScanOptions {
  /** Directories to scan as if each were a mounted partition (no mounting, no root needed). */
  roots?: string[];
  /** Directories among `roots` that stand for removable media (a stick plugged into a watched directory). */
  removableRoots?: string[];
  /** Block devices to discover (with their partitions). Without roots or devices: every block device. */
  devices?: string[];
  /** Stands in for /proc/device-tree/compatible, most specific first. */
  board?: string[];
  arch?: Arch;
  /** Leave device filesystems mounted (the menu boots from them); release them with releaseMounts(). */
  keepMounted?: boolean;
  mountBase?: string;
  /** Every command run and its outcome, for the menu's log view. */
  log?: (line: string) => void;
}

export { releaseMounts } from './mount.js';

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const arch = options.arch ?? archFromNode(process.arch) ?? 'x86_64';
  const board = options.board ?? readMachine('/', arch).compatible;
  const problems: Problem[] = [];
  const sources: BootSource[] = rootSources(options.roots ?? [], options.removableRoots ?? []);
  const mounted: string[] = [];

  if ((options.devices?.length ?? 0) > 0 || (options.roots?.length ?? 0) === 0) {
    const found = await deviceSources(options, problems, mounted);
    sources.push(...found);
  }

  // The result's problems are this array itself: the unmount errors pushed below still reach it.
  const result: ScanResult = { sources, entries: [], problems };
  try {
    const parsed: ParsedSource[] = sources.map((source) => parseSource(source, board, arch, problems));
    const assembled = assembleScan(parsed, board, arch);
    result.entries = assembled.entries;
    problems.push(...assembled.problems);
    return result;
  } finally {
    if (!options.keepMounted) {
      for (const target of mounted.reverse()) {
        const error = await unmount(target);
        if (error) problems.push({ source: null, file: null, line: null, message: error });
        options.log?.(`umount ${target}: ${error ?? 'ok'}`);
      }
    }
  }
}

function parseSource(source: BootSource, board: string[], arch: Arch, problems: Problem[]): ParsedSource {
  const view: SourceView = { source, files: fsSourceFiles(source.root) };
  const results = PARSERS.map(({ format, parse }) => {
    let result: ParseResult;
    try {
      result = parse({ files: view.files, board, arch });
    } catch (error) {
      // A parser bug must cost one format on one disk, never the menu.
      problems.push({ source: source.id, file: null, line: null, message: `${format} parser failed: ${(error as Error).message}` });
      result = { entries: [], problems: [] };
    }
    return { format, result };
  });
  return { view, results };
}

function rootSources(roots: string[], removableRoots: string[]): BootSource[] {
  const removable = new Set(removableRoots.map((r) => path.resolve(r)));
  const taken = new Set<string>();
  return roots.map((root) => {
    const absolute = path.resolve(root);
    const base = path.basename(absolute).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return { id, root: absolute, device: null, fstype: null, label: null, uuid: null, partuuid: null, removable: removable.has(absolute), size: null };
  });
}

async function deviceSources(options: ScanOptions, problems: Problem[], mounted: string[]): Promise<BootSource[]> {
  const listing = await listBlockDevices(options.devices ?? []);
  for (const error of listing.errors) problems.push({ source: null, file: null, line: null, message: error });
  const scannable = listing.devices.filter(isScannable);
  const sources = await Promise.all(scannable.map((device) => deviceSource(device, options, problems, mounted)));
  return sources.filter((s): s is BootSource => s !== null);
}

async function deviceSource(device: BlockDevice, options: ScanOptions, problems: Problem[], mounted: string[]): Promise<BootSource | null> {
  let root = device.mountpoint;
  if (!root) {
    const target = mountTarget(device.name, options.mountBase ?? MOUNT_BASE);
    const outcome = await mountReadOnly(device.path, device.fstype!, target);
    options.log?.(`${outcome.command.join(' ')}: ${outcome.error ?? 'ok'}`);
    if (!outcome.ok) {
      problems.push({ source: device.name, file: device.path, line: null, message: outcome.error! });
      return null;
    }
    mounted.push(target);
    root = target;
  }
  return {
    id: device.name,
    root,
    device: device.path,
    fstype: device.fstype,
    label: device.label,
    uuid: device.uuid,
    partuuid: device.partuuid,
    removable: device.removable,
    size: device.size,
  };
}
