// x86_64 end to end: our image (Debian kernel + busybox init + node + kexmenu) boots in QEMU (TCG),
// and a real Debian kernel from a real disk image is kexec'd with an exact command line.
//
// Time savers, used on purpose:
//   cryptomgr.notests=1  skips the kernel's crypto self-tests (0-5 s under TCG, in both kernels)
//   kexec -i             skips purgatory's sha256 check of the loaded segments (~1 s on x86_64)
//   kexmenu.tty1=off     no second menu on the (invisible) VGA console competing for the 2 cores
//   quiet                less console output to scroll through the serial line
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Guest, type Disk } from './qemu.js';
import { prepare, REPO, sha256All, type Images } from './images.js';

const BASE_APPEND = 'console=ttyS0 panic=-1 quiet cryptomgr.notests=1 kexmenu.tty1=off';
const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let images: Images;
let before: Record<string, string>;
const guests: Guest[] = [];
const timings: Record<string, Record<string, number>> = {};

function boot(name: string, append: string, disks: Disk[] = [], timeoutMs = 90_000): Guest {
  const guest = Guest.start({ machine: 'x86_64', kernel: images.kernel, initrd: images.initramfs, append: `${BASE_APPEND} ${append}`, disks, timeoutMs });
  guests.push(guest);
  timings[name] = guest.timings;
  return guest;
}

function diskFiles(): string[] {
  return [images.disks.gptDebian, images.disks.espBls, images.disks.usbStick, images.disks.wrongArch];
}

describe('x86_64 image in QEMU', () => {
  beforeAll(async () => {
    images = await prepare('x86_64');
    before = await sha256All(diskFiles());
  });

  afterEach(async () => {
    await Promise.all(guests.splice(0).map((g) => g.stop()));
  });

  afterAll(() => {
    // The measured timings (host seconds since QEMU started), for docs/qemu.md.
    console.log(`e2e timings x86_64 (s): ${JSON.stringify(timings)}`);
  });

  it('boots, runs init and the launcher, and `kexmenu version` prints the package version', async () => {
    const guest = boot('version', 'kexmenu.cmd=version');
    await guest.mark('sysinit', /kexmenu: sysinit done/, 60_000);
    await guest.mark('version', new RegExp(`^kexmenu ${VERSION.replace(/\./g, '\\.')}$`, 'm'), 40_000);
    await guest.mark('exit', /KEXMENU-EXIT status=0/, 10_000);
    // The launcher then offers a shell rather than leaving the console dead.
    await guest.waitForScreen(/Press Enter for a shell/, 5_000);
  });

  it('kexecs a Debian kernel from the ext4 disk (typed at the launcher shell) with the exact command line', async () => {
    const { kernelVersion } = images.manifest;
    const guest = boot('kexec-shell', 'kexmenu.cmd=version', [{ file: images.disks.gptDebian }]);
    await guest.waitForScreen(/Press Enter for a shell/, 60_000);
    guest.send('\r');
    await guest.mark('shell', /kexmenu# $/m, 10_000);
    const cmdline = 'console=ttyS0 cryptomgr.notests=1 quiet kexmenu-e2e=manual-kexec root=UUID=none';
    guest.type('mkdir -p /mnt/d && mount -o ro,noload /dev/vda1 /mnt/d && echo MOUNTED-$((6*7))');
    await guest.waitForOutput(/MOUNTED-42/, 10_000);
    guest.type(
      `kexec -l -i /mnt/d/boot/vmlinuz-${kernelVersion} --initrd=/mnt/d/boot/initrd.img-${kernelVersion} --append='${cmdline}' && echo LOADED-$((6*7))`,
    );
    await guest.mark('loaded', /LOADED-42/, 30_000);
    guest.type('umount /mnt/d && sync && kexec -e');
    const [, seen] = await guest.mark('target', /KEXMENU-TARGET-UP cmdline=(.*)$/m, 40_000);
    expect(seen?.trim()).toBe(cmdline);
    // The target's /init powers off, and QEMU (-no-reboot) exits.
    await guest.waitForExit(20_000);
    guest.timings.poweroff = Math.round(guest.seconds * 10) / 10;
  });

  it('leaves every disk image byte-for-byte unchanged', async () => {
    expect(await sha256All(diskFiles())).toEqual(before);
  });
});
