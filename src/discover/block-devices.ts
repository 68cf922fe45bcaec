// Block devices as lsblk sees them, with blkid filling in what lsblk cannot know without udev
// (in the boot image there is no udev database, so lsblk reports no filesystem types).
import { runCommand } from '../run-command.js';

export interface BlockDevice {
  name: string;
  path: string;
  type: string;
  fstype: string | null;
  label: string | null;
  uuid: string | null;
  partuuid: string | null;
  removable: boolean;
  size: number | null;
  mountpoint: string | null;
  hasChildren: boolean;
}

/** Filesystems kexmenu knows how to mount read-only and look into. */
export const SCANNABLE_FSTYPES = new Set(['ext2', 'ext3', 'ext4', 'vfat', 'msdos', 'xfs', 'btrfs', 'iso9660', 'f2fs', 'exfat']);

const PROBE_TIMEOUT_MS = 5000;

/**
 * The label of kexmenu's own boot partition in our images. Booting what it holds would start the
 * menu again (and on a Pi without the nr_cpus=1 its cmdline.txt gives the menu kernel), so it is
 * never offered as a boot choice.
 */
export const OWN_BOOT_LABEL = 'KEXMENU';

/** Whether a filesystem is one kexmenu should look into: a known type, and not its own. */
export function isScannable(device: BlockDevice): boolean {
  return device.fstype !== null && SCANNABLE_FSTYPES.has(device.fstype) && device.label?.toUpperCase() !== OWN_BOOT_LABEL;
}

interface LsblkNode {
  name?: string;
  path?: string;
  type?: string;
  fstype?: string | null;
  label?: string | null;
  uuid?: string | null;
  partuuid?: string | null;
  rm?: boolean | string;
  hotplug?: boolean | string;
  size?: number | string | null;
  mountpoints?: (string | null)[];
  mountpoint?: string | null;
  tran?: string | null;
  children?: LsblkNode[];
}

export const LSBLK_COLUMNS = 'NAME,PATH,TYPE,FSTYPE,LABEL,UUID,PARTUUID,RM,HOTPLUG,SIZE,MOUNTPOINTS,TRAN';

/** Flattens `lsblk -J -b -o LSBLK_COLUMNS` output, parents before children. */
export function parseLsblk(json: unknown): BlockDevice[] {
  const devices: BlockDevice[] = [];
  const seen = new Set<string>();
  const visit = (node: LsblkNode, parentRemovable: boolean) => {
    if (!node.name) return;
    // An SD card in the board's own slot reports RM=1, but it is the machine's disk, not a stick
    // plugged in to be booted: only USB (or hot-plugged non-MMC) media count as removable.
    const removable = parentRemovable || node.tran === 'usb' || ((flag(node.rm) || flag(node.hotplug)) && node.tran !== 'mmc' && !node.name.startsWith('mmcblk'));
    const path = node.path ?? `/dev/${node.name}`;
    if (!seen.has(path)) {
      seen.add(path);
      devices.push({
        name: node.name,
        path,
        type: node.type ?? 'unknown',
        fstype: node.fstype || null,
        label: node.label || null,
        uuid: node.uuid || null,
        partuuid: node.partuuid || null,
        removable,
        size: node.size === null || node.size === undefined ? null : Number(node.size),
        mountpoint: (node.mountpoints ?? [node.mountpoint ?? null]).find((m): m is string => !!m) ?? null,
        hasChildren: (node.children?.length ?? 0) > 0,
      });
    }
    for (const child of node.children ?? []) visit(child, removable);
  };
  const root = json as { blockdevices?: LsblkNode[] };
  for (const node of root?.blockdevices ?? []) visit(node, false);
  return devices;
}

function flag(value: boolean | string | undefined): boolean {
  return value === true || value === '1' || value === 'true';
}

/** Parses `blkid -o export` output (KEY=value lines). */
export function parseBlkidExport(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).replace(/\\x20/g, ' ');
  }
  return out;
}

/** A device that may hold a filesystem of its own (a whole disk with partitions does not). */
export function mayHoldFilesystem(device: BlockDevice): boolean {
  if (device.hasChildren && device.type !== 'part') return false;
  if (/^(zram|ram)\d/.test(device.name)) return false;
  return ['part', 'disk', 'loop', 'lvm', 'crypt', 'rom', 'raid0', 'raid1', 'raid5', 'raid6', 'raid10', 'md'].includes(device.type);
}

export interface DeviceListing {
  devices: BlockDevice[];
  errors: string[];
  /** Devices whose probe did not answer (already among the errors). */
  unanswered: Set<string>;
}

/** Lists block devices (all, or the given ones and their partitions) with filesystem facts filled in. */
export async function listBlockDevices(only: string[] = []): Promise<DeviceListing> {
  const errors: string[] = [];
  const lsblk = await runCommand(['lsblk', '-J', '-b', '-o', LSBLK_COLUMNS, ...only], { timeoutMs: PROBE_TIMEOUT_MS });
  if (!lsblk.ok && !lsblk.stdout) {
    const why = lsblk.timedOut ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : (lsblk.stderr || lsblk.spawnError || `exit status ${lsblk.exitCode}`).trim();
    return { devices: [], errors: [`lsblk failed: ${why}`], unanswered: new Set() };
  }
  if (!lsblk.ok) errors.push(`lsblk: ${lsblk.stderr.trim()}`);
  let devices: BlockDevice[];
  try {
    devices = parseLsblk(JSON.parse(lsblk.stdout));
  } catch {
    return { devices: [], errors: ['lsblk printed something that is not JSON'], unanswered: new Set() };
  }
  const candidates = devices.filter(mayHoldFilesystem);
  const unanswered = new Set<string>();
  await Promise.all(candidates.filter((d) => !d.fstype).map(async (device) => {
    const facts = await probeFilesystem(device.path);
    if (facts.error) {
      errors.push(facts.error);
      unanswered.add(device.path);
    }
    device.fstype = facts.values.TYPE ?? null;
    device.uuid ??= facts.values.UUID ?? null;
    device.label ??= facts.values.LABEL ?? null;
    device.partuuid ??= facts.values.PART_ENTRY_UUID ?? facts.values.PARTUUID ?? null;
  }));
  return { devices: candidates, errors, unanswered };
}

async function probeFilesystem(path: string): Promise<{ values: Record<string, string>; error?: string }> {
  // -p probes the device itself (no cache file, no udev); exit 2 means "nothing recognised".
  const result = await runCommand(['blkid', '-p', '-o', 'export', path], { timeoutMs: PROBE_TIMEOUT_MS });
  if (result.timedOut) return { values: {}, error: `${path}: no answer from the device within ${PROBE_TIMEOUT_MS / 1000} s: not scanned` };
  return { values: parseBlkidExport(result.stdout) };
}
