// Read-only mounts under /run/kexmenu. Nothing kexmenu mounts can be written: ext3/4 are mounted
// with `noload` (no journal replay), xfs with `norecovery`, btrfs without log replay.
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

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
  const result = await execa(command[0]!, command.slice(1), { reject: false, timeout: MOUNT_TIMEOUT_MS });
  if (result.failed) {
    await rmdir(target).catch(() => {});
    const why = result.timedOut ? `no answer within ${MOUNT_TIMEOUT_MS / 1000} s` : (result.stderr || result.shortMessage || '').trim();
    return { ok: false, command, error: `mount ${device} failed: ${why}` };
  }
  ourMounts.add(target);
  return { ok: true, command, error: null };
}

export async function unmount(target: string): Promise<string | null> {
  const result = await execa('umount', [target], { reject: false, timeout: MOUNT_TIMEOUT_MS });
  if (result.failed) {
    // A busy mount (a shell cd'ed into it) must not stop a boot: detach it lazily.
    const lazy = await execa('umount', ['-l', target], { reject: false, timeout: MOUNT_TIMEOUT_MS });
    if (lazy.failed) return `umount ${target} failed: ${(result.stderr || result.shortMessage || '').trim()}`;
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

export function mountTarget(deviceName: string, base = MOUNT_BASE): string {
  return path.join(base, deviceName.replace(/[^A-Za-z0-9._-]/g, '_'));
}
