// One scan: find the sources (directories given, or block devices mounted read-only), scan each
// in its own worker under budgets (isolate.ts, scan-source.ts), and assemble the ScanResult that
// the CLI prints and the menu shows. A source that does not answer, or costs more than its
// budget, is one problem in the result; the rest of the scan goes on without waiting for it.
import path from 'node:path';
import type { Arch, BootSource, DiskConfig, Problem, ScanResult } from '../model.js';
import { archFromNode } from '../platform/arch.js';
import { readMachine } from '../platform/machine.js';
import { orderWithOneDefault } from './assemble.js';
import { type BlockDevice, isScannable, listBlockDevices, OWN_BOOT_LABEL } from './block-devices.js';
import { type IsolationLimits, type Isolated, runSourceJob, SOURCE_ISOLATION } from './isolate.js';
import { MOUNT_BASE, mountReadOnly, mountTarget, unmount } from './mount.js';
import type { SourceScan } from './scan-source.js';

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
  /** The result so far, each time a source is done: the menu shows disks as they answer. */
  onProgress?: (partial: ScanResult) => void;
  isolation?: IsolationLimits;
}

export { releaseMounts } from './mount.js';

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const arch = options.arch ?? archFromNode(process.arch) ?? 'x86_64';
  const board = options.board ?? readMachine('/', arch).compatible;
  const problems: Problem[] = [];
  const sources: BootSource[] = rootSources(options.roots ?? [], options.removableRoots ?? []);
  const mounted: string[] = [];
  let result: ScanResult | null = null;

  try {
    if ((options.devices?.length ?? 0) > 0 || (options.roots?.length ?? 0) === 0) {
      for (const source of await deviceSources(options, problems, mounted)) sources.push(source);
    }
    const scanned: (SourceScan | null)[] = sources.map(() => null);
    await Promise.all(
      sources.map(async (source, index) => {
        const outcome = await runSourceJob({ sources, index, board, arch }, options.isolation ?? SOURCE_ISOLATION);
        scanned[index] = outcome.ok ? outcome.value : failedSource(source, outcome);
        options.log?.(`scan ${source.id}: ${outcome.ok ? `${outcome.value.entries.length} entries` : outcome.message}`);
        if (scanned.some((s) => s === null)) options.onProgress?.(combine(sources, scanned, problems, false));
      }),
    );
    result = combine(sources, scanned, problems, true);
    return result;
  } finally {
    if (!options.keepMounted) {
      for (const target of mounted.reverse()) {
        const error = await unmount(target);
        // Into the result being returned: an unmount that failed must reach what kexmenu scan prints.
        if (error) (result?.problems ?? problems).push({ source: null, file: null, line: null, message: error });
        options.log?.(`umount ${target}: ${error ?? 'ok'}`);
      }
    }
  }
}

function failedSource(source: BootSource, outcome: Exclude<Isolated<SourceScan>, { ok: true }>): SourceScan {
  const what = { deadline: 'it took too long', memory: 'it needed too much memory', crash: 'the scan of it failed' }[outcome.reason];
  return {
    entries: [],
    problems: [{ source: source.id, file: null, line: null, message: `nothing listed from this disk: ${what} (${outcome.message})` }],
    settings: null,
  };
}

/** The ScanResult of the sources scanned so far, in source order; `problems` (device-level) first. */
function combine(sources: BootSource[], scanned: (SourceScan | null)[], problems: Problem[], complete: boolean): ScanResult {
  const done = scanned.filter((s): s is SourceScan => s !== null);
  const allProblems = [...problems];
  for (const s of done) for (const p of s.problems) allProblems.push(p);
  let config: DiskConfig | null = null;
  scanned.forEach((s, i) => {
    if (!config && s?.settings) config = { source: sources[i]!.id, file: path.join(sources[i]!.root, 'kexmenu.conf'), ...s.settings };
  });
  const entries = orderWithOneDefault(
    done.map((s) => s.entries),
    sources,
    complete,
  );
  return { sources: [...sources], entries, problems: allProblems, config };
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
  const named = options.devices ?? [];
  const listing = await listBlockDevices(named);
  for (const error of listing.errors) problems.push({ source: null, file: null, line: null, message: error });
  const scannable = listing.devices.filter(isScannable);
  for (const name of named) {
    if (listing.unanswered.has(name)) continue; // said already
    const why = unscannableReason(name, listing.devices, scannable);
    if (why) problems.push({ source: null, file: name, line: null, message: why });
  }
  const sources = await Promise.all(scannable.map((device) => deviceSource(device, options, problems, mounted)));
  return sources.filter((s): s is BootSource => s !== null);
}

/** Why a device named with --device gives no source, when neither it nor a partition of it does. */
function unscannableReason(name: string, listed: BlockDevice[], scannable: BlockDevice[]): string | null {
  const path = name.startsWith('/') ? name : `/dev/${name}`;
  const partitionOf = (d: BlockDevice) => d.path.startsWith(path) && /^p?\d+$/.test(d.path.slice(path.length));
  if (scannable.some((d) => d.path === path || partitionOf(d))) return null;
  const device = listed.find((d) => d.path === path);
  if (!device) return null; // lsblk said why
  if (device.label?.toUpperCase() === OWN_BOOT_LABEL) return `${path} is kexmenu's own boot partition (label ${OWN_BOOT_LABEL}): not listed`;
  if (device.fstype) return `${path} holds ${device.fstype}, which kexmenu does not look into`;
  return `${path}: no filesystem found on it (blkid recognised nothing)`;
}

async function deviceSource(device: BlockDevice, options: ScanOptions, problems: Problem[], mounted: string[]): Promise<BootSource | null> {
  let root = device.mountpoint;
  if (!root) {
    const target = mountTarget(device.name, options.mountBase ?? MOUNT_BASE);
    const outcome = await mountReadOnly(device.path, device.fstype!, target);
    options.log?.(`${outcome.command.join(' ')}: ${outcome.error ?? 'ok'}`);
    if (!outcome.ok) {
      problems.push({ source: device.name, file: device.path, line: null, message: outcome.error! });
      // A mount that timed out may still happen when the device answers: undo it then.
      if (outcome.pending) mounted.push(target);
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
