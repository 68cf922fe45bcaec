// Read-only mounts under /run/kexmenu. Nothing kexmenu mounts can be written: ext3/4 are mounted
// with `noload` (no journal replay), xfs with `norecovery`, btrfs without log replay.
import { readFileSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../run-command.js';

export const MOUNT_BASE = '/run/kexmenu';
const MOUNT_TIMEOUT_MS = 15_000;

export function readOnlyMountOptions(fstype: string): string {
  switch (fstype) {
    case 'ext3':
    case 'ext4':
      return 'ro,noload';
    case 'xfs':
      return 'ro,norecovery';
    case 'btrfs':
      return 'ro,rescue=nologreplay';
    default:
      return 'ro';
  }
}

export interface MountOutcome {
  ok: boolean;
  /** The mount command did not answer in time and may still mount `target` later. */
  pending?: boolean;
  /** The exact command, for the log. */
  command: string[];
  error: string | null;
}

const ourMounts = new Set<string>();

export async function mountReadOnly(device: string, fstype: string, target: string): Promise<MountOutcome> {
  const command = ['mount', '-t', fstype, '-o', readOnlyMountOptions(fstype), device, target];
  try {
    await mkdir(target, { recursive: true });
  } catch (error) {
    return { ok: false, command, error: `cannot create ${target}: ${(error as Error).message}` };
  }
  const result = await runCommand(command, { timeoutMs: MOUNT_TIMEOUT_MS });
  if (result.timedOut) {
    // The mount may still happen once the device answers: unmount it then, with the others.
    ourMounts.add(target);
    return { ok: false, pending: true, command, error: `mount ${device} failed: no answer from the device within ${MOUNT_TIMEOUT_MS / 1000} s` };
  }
  if (!result.ok) {
    await rmdir(target).catch(() => {});
    return { ok: false, command, error: `mount ${device} failed: ${(result.stderr || result.spawnError || '').trim()}` };
  }
  ourMounts.add(target);
  return { ok: true, command, error: null };
}

export async function unmount(target: string): Promise<string | null> {
  if (!isMountPoint(target)) {
    // A mount that timed out and never happened, or one already gone.
    ourMounts.delete(target);
    await rmdir(target).catch(() => {});
    return null;
  }
  const result = await runCommand(['umount', target], { timeoutMs: MOUNT_TIMEOUT_MS });
  if (!result.ok) {
    // A busy mount (a shell cd'ed into it, a reader stuck on a dead device) must not stop a boot: detach it lazily.
    const lazy = await runCommand(['umount', '-l', target], { timeoutMs: MOUNT_TIMEOUT_MS });
    if (!lazy.ok) {
      const why = result.timedOut ? `no answer within ${MOUNT_TIMEOUT_MS / 1000} s` : (result.stderr || result.spawnError || '').trim();
      return `umount ${target} failed: ${why}`;
    }
  }
  ourMounts.delete(target);
  await rmdir(target).catch(() => {});
  return null;
}

/** Unmounts every filesystem this process mounted; returns the errors, if any. */
export async function releaseMounts(): Promise<string[]> {
  const errors: string[] = [];
  for (const target of [...ourMounts].reverse()) {
    const error = await unmount(target);
    if (error) errors.push(error);
  }
  return errors;
}

/**
 * Every mount target in the kernel's own table (which never blocks), octal escapes undone; null
 * when the table cannot be read.
 */
function mountTargets(): string[] | null {
  let table: string;
  try {
    table = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return null;
  }
  const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return table.split('\n').filter(Boolean).map((line) => unescape(line.split(' ')[1] ?? ''));
}

/** Targets mounted under `base`, deepest first. */
function mountsUnder(base: string): string[] {
  return (mountTargets() ?? []).filter((target) => target.startsWith(`${base}/`)).sort().reverse();
}

/**
 * Unmounts what a menu owner that died (kill -9, a crash) left mounted under `base`: called by the
 * next owner, which holds the lock, before it mounts anything. Says which it let go and what failed.
 */
export async function releaseStaleMounts(base = MOUNT_BASE): Promise<{ released: string[]; errors: string[] }> {
  const released: string[] = [];
  const errors: string[] = [];
  for (const target of mountsUnder(base)) {
    ourMounts.add(target);
    const error = await unmount(target);
    if (error) errors.push(error);
    else released.push(target);
  }
  return { released, errors };
}

/** Whether something is mounted at `target`. */
function isMountPoint(target: string): boolean {
  return mountTargets()?.includes(target) ?? true; // cannot tell: try to unmount
}

export function mountTarget(deviceName: string, base = MOUNT_BASE): string {
  return path.join(base, deviceName.replace(/[^A-Za-z0-9._-]/g, '_'));
}
