// The boot images and test disks the e2e tests use, built by the project's own scripts (idempotent:
// each script rebuilds only when its inputs changed, so a warm run costs a few seconds).
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The TARGET initrd's report, once its whole line has arrived (group 1: the booted kernel's /proc/cmdline). */
export const TARGET_UP = /KEXMENU-TARGET-UP cmdline=(.*)\n/;

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export type ImageArch = 'x86_64' | 'arm64';

export interface Manifest {
  arch: ImageArch;
  kernelVersion: string;
  previousKernelVersion: string;
  otherArchKernelVersion: string;
  rootUuid: string;
  wrongArchUuid: string;
  espVolumeId: string;
  usbVolumeId: string;
  rpiVolumeId: string;
  machineId: string;
  targetMarker: string;
}

export interface Images {
  kernel: string;
  initramfs: string;
  /** arm64 only: the DTB for qemu -M raspi3b. */
  rpiDtb: string;
  /**
   * arm64 only: the DTB for qemu -M raspi4b, the Pi 4 tree as its firmware hands it to the kernel
   * (disks.sh: Debian's bcm2711-rpi-4-b.dtb made bootable in QEMU, with a MAC address).
   */
  rpi4Dtb: string;
  disks: {
    gptDebian: string;
    espBls: string;
    usbStick: string;
    /** A Debian live-style hybrid ISO written to a whole stick (its first partition is the ISO 9660). */
    liveStick: string;
    wrongArch: string;
    /** ext4 with the hostile configs of test/fixtures/hostile/, plugged in while the menu runs. */
    hostileStick: string;
    /** arm64 only */
    rpi: string;
  };
  manifest: Manifest;
}

async function script(name: string, ...args: string[]): Promise<void> {
  // stderr goes to the test log: a first run downloads packages and that takes a while.
  await execa('bash', [path.join(REPO, 'scripts/image', name), ...args], { cwd: REPO, stdout: 'ignore', stderr: 'inherit' });
}

/** Installs the host tools, builds the image and the disks for `arch`; returns their paths. */
export async function prepare(arch: ImageArch): Promise<Images> {
  await script('ensure-deps.sh');
  await script('build.sh', '--arch', arch);
  await script('disks.sh', '--arch', arch);
  const images = path.join(REPO, '.cache/images', arch);
  const disks = path.join(REPO, '.cache/disks', arch);
  return {
    kernel: path.join(images, 'kernel'),
    initramfs: path.join(images, 'initramfs.cpio.zst'),
    rpiDtb: path.join(images, 'bcm2837-rpi-3-b.dtb'),
    rpi4Dtb: path.join(disks, 'rpi4b-firmware.dtb'),
    disks: {
      gptDebian: path.join(disks, 'gpt-debian.img'),
      espBls: path.join(disks, 'esp-bls.img'),
      usbStick: path.join(disks, 'usb-stick.img'),
      liveStick: path.join(disks, 'live-stick.img'),
      wrongArch: path.join(disks, 'wrong-arch.img'),
      hostileStick: path.join(disks, 'hostile-stick.img'),
      rpi: path.join(disks, 'rpi.img'),
    },
    manifest: JSON.parse(readFileSync(path.join(disks, 'manifest.json'), 'utf8')) as Manifest,
  };
}

/**
 * QEMU 10 for -M raspi4b (scripts/image/qemu10.sh: Debian 13's QEMU in a chroot, set up once,
 * about half a minute); returns the runner, the command qemu.ts starts for raspi4b.
 */
export async function prepareQemu10(): Promise<string> {
  const { stdout } = await execa('bash', [path.join(REPO, 'scripts/image/qemu10.sh')], { cwd: REPO, stderr: 'inherit' });
  return stdout.trim().split('\n').pop() ?? '';
}

export function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function sha256All(files: string[]): Promise<Record<string, string>> {
  const entries = await Promise.all(files.map(async (f) => [path.basename(f), await sha256(f)] as const));
  return Object.fromEntries(entries);
}
