// arm64 end to end: the same image on QEMU's `virt` board (PSCI CPUs) and on `raspi3b` (spin-table
// CPUs, the Raspberry Pi quirk), booting real Debian arm64 kernels from real disk images.
//
// Time savers, used on purpose: cryptomgr.notests=1 (the kernel's crypto self-tests, 0-5 s under
// TCG), quiet. kexmenu's own `kexec -l` keeps purgatory's sha256 check (13-16 s on arm64 under TCG): the runs allow for it.
// raspi3b: the console is the mini UART (ttyS1), because the PL011 serves Bluetooth in the Pi 3
// device tree; its SD card cannot be read-only in QEMU, so it is attached with snapshot=on.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Guest, type Disk, type MachineType } from './qemu.js';
import { prepare, sha256All, TARGET_UP, type Images } from './images.js';

const COMMON = 'panic=-1 quiet cryptomgr.notests=1';

let images: Images;
let before: Record<string, string>;
const guests: Guest[] = [];
const timings: Record<string, Record<string, number>> = {};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function boot(name: string, machine: MachineType, append: string, disks: Disk[] = [], timeoutMs = 120_000): Guest {
  const console = machine === 'raspi3b' ? 'console=ttyS1' : 'console=ttyAMA0';
  const guest = Guest.start({
    machine,
    kernel: images.kernel,
    initrd: images.initramfs,
    dtb: machine === 'raspi3b' ? images.rpiDtb : undefined,
    append: `${console} ${COMMON} ${append}`,
    disks,
    timeoutMs,
  });
  guests.push(guest);
  timings[name] = guest.timings;
  return guest;
}

function diskFiles(): string[] {
  const d = images.disks;
  return [d.gptDebian, d.espBls, d.usbStick, d.wrongArch, d.rpi];
}

describe('arm64 image in QEMU', () => {
  beforeAll(async () => {
    images = await prepare('arm64');
    before = await sha256All(diskFiles());
  });

  afterEach(async () => {
    await Promise.all(guests.splice(0).map((g) => g.stop()));
  });

  afterAll(() => {
    console.log(`e2e timings arm64 (s): ${JSON.stringify(timings)}`);
  });

  it('virt: boots, runs init and the launcher, and `kexmenu version` prints', async () => {
    const guest = boot('virt-version', 'virt', 'kexmenu.cmd=version');
    await guest.mark('sysinit', /kexmenu: sysinit done/, 60_000);
    await guest.mark('version', /^kexmenu \d+\.\d+\.\d+/m, 40_000);
    await guest.mark('exit', /KEXMENU-EXIT status=0/, 10_000);
  });

  it('virt: menu boots the edited GRUB default from the GPT disk with exactly that command line', async () => {
    const m = images.manifest;
    const guest = boot('virt-menu-edit', 'virt', 'kexmenu.timeout=-1', [{ file: images.disks.gptDebian }]);
    await guest.mark('menu', /1\. Debian GNU\/Linux/, 60_000);
    await guest.waitForScreen(/> 1\. Debian GNU\/Linux/, 10_000);
    guest.send('e');
    await guest.waitForScreen(/Esc discard/, 10_000);
    await guest.sendKeys(['\x1b[F', ...' arm64-e2e=edited']);
    await guest.waitForScreen(/arm64-e2e=edited/, 10_000);
    guest.send('\r');
    const [, seen] = await guest.mark('target', TARGET_UP, 90_000);
    expect(seen?.trim()).toBe(`root=UUID=${m.rootUuid} ro console=ttyAMA0 quiet arm64-e2e=edited`);
    await guest.waitForExit(20_000);
  }, 150_000);

  it('raspi3b without nr_cpus=1: the menu refuses to kexec and says why', async () => {
    const guest = boot('raspi3b-refusal', 'raspi3b', 'kexmenu.timeout=-1 kexmenu.wait=mmcblk0p1', [{ file: images.disks.rpi }]);
    await guest.mark('menu', /> 1\. Raspberry Pi/, 90_000);
    expect(guest.screen()).not.toMatch(/spin-table/);
    guest.send('\r');
    // Refused before kexec is even tried (the kernel would answer EBUSY, "CPUs are stuck").
    await guest.waitForScreen(/cannot boot Raspberry Pi[\s\S]*spin-table/, 60_000);
    guest.timings.refused = Math.round(guest.seconds * 10) / 10;
    await guest.waitForScreen(/Enter boot/, 5_000);
    await sleep(2_000);
    expect(guest.output).not.toMatch(/KEXMENU-TARGET-UP/);
  }, 150_000);

  it('raspi3b with nr_cpus=1: boots the Pi firmware entry (config.txt + cmdline.txt) with its own DTB as chosen', async () => {
    const guest = boot('raspi3b-boot', 'raspi3b', 'nr_cpus=1 kexmenu.timeout=-1 kexmenu.wait=mmcblk0p1', [{ file: images.disks.rpi }], 150_000);
    await guest.mark('menu', /> 1\. Raspberry Pi/, 90_000);
    // The disk's tree claims 1 GB of RAM from 0, over the VideoCore's share and the peripherals;
    // booted as it is the kernel hangs. The plan gives it the firmware tree's memory ranges, as
    // the Pi firmware does, so the default choice boots with no editing.
    guest.send('\r');
    const [, seen] = await guest.mark('target', TARGET_UP, 100_000);
    // cmdline.txt, word for word: nr_cpus=1 and the kexmenu.* arguments stay behind.
    expect(seen?.trim()).toBe('console=tty1 console=ttyS1,115200 root=/dev/mmcblk0p2 rootfstype=ext4 fsck.repair=yes rootwait rpi=1');
  }, 200_000);

  it('leaves every disk image byte-for-byte unchanged', async () => {
    expect(await sha256All(diskFiles())).toEqual(before);
  });
});
