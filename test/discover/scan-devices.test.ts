// Scans real block devices: loop devices over a partitioned disk image, discovered by lsblk,
// probed by blkid, mounted by mount(8). Proves the mounts are read-only (ext4 without journal
// replay) and that the image's bytes are the same afterwards.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseMounts, scan } from '../../src/discover/scan.js';
import type { ScanResult } from '../../src/model.js';
import { fakeArm64Image, fakeBzImage } from '../helpers/fake-kernel.js';

const isRoot = process.getuid?.() === 0;
const SECTOR = 512;
const BOOT = { start: 2048, sectors: 32 * 2048 }; // 32 MiB, the firmware's partition
const ROOT = { start: 2048 + 32 * 2048, sectors: 40 * 2048 }; // 40 MiB ext4

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function mountOptions(target: string): { mount: string[]; fstype: string; superblock: string[] } | null {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    const fields = left?.split(' ') ?? [];
    if (fields[4] !== target || !right) continue;
    const [fstype, , superOptions] = right.split(' ');
    return { mount: fields[5]!.split(','), fstype: fstype!, superblock: superOptions!.split(',') };
  }
  return null;
}

describe.skipIf(!isRoot)('scan of real block devices (loop devices, needs root)', () => {
  let work: string;
  let image: string;
  let before: string;
  const loops: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'kexmenu-dev-'));
    image = path.join(work, 'disk.img');
    await execa('truncate', ['-s', '80M', image]);
    await execa('sfdisk', ['-q', image], {
      input: `label: gpt\nstart=${BOOT.start}, size=${BOOT.sectors}, type=uefi\nstart=${ROOT.start}, size=${ROOT.sectors}, type=linux\n`,
    });

    const boot = path.join(work, 'boot-files');
    mkdirSync(boot);
    writeFileSync(path.join(boot, 'config.txt'), 'arm_64bit=1\nkernel=kernel8.img\n');
    writeFileSync(path.join(boot, 'cmdline.txt'), 'console=serial0,115200 root=PARTUUID=feedf00d-02 rootwait\n');
    writeFileSync(path.join(boot, 'kernel8.img'), fakeArm64Image());
    // ext2 rather than FAT: the kernel this runs on may have no vfat (the QEMU suite covers FAT).
    await execa('mkfs.ext2', ['-q', '-F', '-L', 'PIBOOT', '-d', boot, '-E', `offset=${BOOT.start * SECTOR}`, image, `${(BOOT.sectors * SECTOR) / 1024}K`]);

    const root = path.join(work, 'root-files');
    mkdirSync(path.join(root, 'boot/extlinux'), { recursive: true });
    writeFileSync(path.join(root, 'boot/vmlinuz-6.1.0-test-amd64'), fakeBzImage('6.1.0-test-amd64'));
    writeFileSync(path.join(root, 'boot/initrd.img-6.1.0-test-amd64'), 'initrd');
    writeFileSync(path.join(root, 'boot/vmlinuz-5.10.0-old-amd64'), fakeBzImage('5.10.0-old-amd64'));
    writeFileSync(path.join(root, 'boot/extlinux/extlinux.conf'),
      'default debian\nlabel debian\n  menu label Debian test\n  linux /boot/vmlinuz-6.1.0-test-amd64\n  initrd /boot/initrd.img-6.1.0-test-amd64\n  append root=LABEL=testroot ro quiet\n');
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'testroot', '-U', '0f5b8c3e-2b1f-4f4e-9d7a-3c1e5b6a7d80', '-d', root, '-E', `offset=${ROOT.start * SECTOR}`, image, `${(ROOT.sectors * SECTOR) / 1024}K`]);

    before = sha256(image);
    // The host's loop driver may not scan partitions, so each partition gets its own loop device.
    for (const part of [BOOT, ROOT]) {
      const { stdout } = await execa('losetup', ['-f', '--show', '-o', String(part.start * SECTOR), '--sizelimit', String(part.sectors * SECTOR), image]);
      loops.push(stdout.trim());
    }
  }, 60_000);

  afterAll(async () => {
    await releaseMounts();
    for (const loop of loops) await execa('losetup', ['-d', loop], { reject: false });
  });

  it('finds both filesystems, mounts them read-only, and writes nothing', async () => {
    const mountBase = path.join(work, 'mnt');
    const result: ScanResult = await scan({ devices: loops, keepMounted: true, mountBase, arch: 'x86_64', board: [] });
    const [bootLoop, rootLoop] = loops.map((l) => path.basename(l));
    // The Pi kernel is an arm64 Image on this x86_64 scan: listed, and reported as not bootable here.
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining('built for aarch64, and this machine is x86_64')]);

    expect(result.sources.map((s) => [s.id, s.fstype, s.label])).toEqual([
      [bootLoop, 'ext2', 'PIBOOT'],
      [rootLoop, 'ext4', 'testroot'],
    ]);
    expect(result.sources[1]!.uuid).toBe('0f5b8c3e-2b1f-4f4e-9d7a-3c1e5b6a7d80');

    const rootMount = mountOptions(path.join(mountBase, rootLoop!));
    expect(rootMount?.fstype).toBe('ext4');
    expect(rootMount?.mount).toContain('ro');
    expect(rootMount?.superblock).toContain('norecovery'); // how the kernel reports `noload`
    expect(mountOptions(path.join(mountBase, bootLoop!))?.mount).toContain('ro');

    const extlinux = result.entries.find((e) => e.origin.format === 'extlinux');
    expect(extlinux).toMatchObject({
      label: 'Debian test',
      kernel: path.join(mountBase, rootLoop!, 'boot/vmlinuz-6.1.0-test-amd64'),
      initrd: [path.join(mountBase, rootLoop!, 'boot/initrd.img-6.1.0-test-amd64')],
      cmdline: 'root=LABEL=testroot ro quiet',
      arch: 'x86_64',
      default: false,
      kind: 'config',
    });
    // The first disk's default is the one default: here the firmware partition's config.txt.
    expect(result.entries[0]).toMatchObject({ origin: { format: 'rpi' }, default: true });
    expect(result.entries.filter((e) => e.default)).toHaveLength(1);
    // The older kernel no config names is still offered, after the configured ones.
    expect(result.entries.find((e) => e.kernel.endsWith('vmlinuz-5.10.0-old-amd64'))).toMatchObject({ kind: 'other', arch: 'x86_64' });
    expect(result.entries.find((e) => e.origin.format === 'rpi')).toMatchObject({ arch: 'aarch64', cmdline: 'console=serial0,115200 root=PARTUUID=feedf00d-02 rootwait' });

    await releaseMounts();
    expect(mountOptions(path.join(mountBase, rootLoop!))).toBeNull();
    for (const loop of loops) await execa('losetup', ['-d', loop]);
    loops.length = 0;
    expect(sha256(image)).toBe(before);
  }, 60_000);

  it('says why a device named with --device gives nothing, instead of leaving it out in silence', async () => {
    const junk = path.join(work, 'junk.img');
    writeFileSync(junk, Buffer.alloc(4 * 1024 * 1024, 0x5a));
    const { stdout } = await execa('losetup', ['-f', '--show', junk]);
    const loop = stdout.trim();
    try {
      const result = await scan({ devices: [loop], mountBase: path.join(work, 'mnt2'), arch: 'x86_64', board: [] });
      expect(result.sources).toEqual([]);
      expect(result.problems).toContainEqual(expect.objectContaining({ file: loop, message: `${loop}: no filesystem found on it (blkid recognised nothing)` }));
    } finally {
      await execa('losetup', ['-d', loop], { reject: false });
    }
  }, 60_000);
});
