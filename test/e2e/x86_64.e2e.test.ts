// x86_64 end to end: our image (Debian kernel + busybox init + node + kexmenu) boots in QEMU (TCG),
// and a real Debian kernel from a real disk image is kexec'd with an exact command line.
//
// Time savers, used on purpose:
//   cryptomgr.notests=1  skips the kernel's crypto self-tests (0-5 s under TCG, in both kernels)
//   kexec -i             skips purgatory's sha256 check of the loaded segments (~1 s on x86_64)
//   quiet                less console output to scroll through the serial line
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveStallingDisk } from './nbd-server.js';
import { Guest, type Disk, type SocketConsole } from './qemu.js';
import { prepare, REPO, sha256All, TARGET_UP, type Images } from './images.js';

const BASE_APPEND = 'console=ttyS0 panic=-1 quiet cryptomgr.notests=1';
const VERSION = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let images: Images;
let before: Record<string, string>;
const guests: Guest[] = [];
const timings: Record<string, Record<string, number>> = {};

function boot(name: string, append: string, disks: Disk[] = [], timeoutMs = 90_000, usbController = false): Guest {
  const guest = Guest.start({ machine: 'x86_64', kernel: images.kernel, initrd: images.initramfs, append: `${BASE_APPEND} ${append}`, disks, timeoutMs, usbController });
  guests.push(guest);
  timings[name] = guest.timings;
  return guest;
}

interface ScanJson {
  sources: { id: string; device: string; fstype: string; uuid: string; label: string; removable: boolean }[];
  entries: {
    id: string;
    label: string;
    source: string;
    kernel: string;
    initrd: string[];
    cmdline: string;
    arch?: string;
    origin: { format: string };
  }[];
  problems: unknown[];
}

/** The JSON document a guest command printed between two console lines. */
function parseJsonBetween(output: string, after: RegExp, before: RegExp): unknown {
  const start = output.search(after);
  const rest = output.slice(start);
  const end = rest.search(before);
  const text = rest.slice(0, end);
  return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
}

function diskFiles(): string[] {
  return [images.disks.gptDebian, images.disks.espBls, images.disks.usbStick, images.disks.liveStick, images.disks.wrongArch, images.disks.hostileStick];
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
    const [, seen] = await guest.mark('target', TARGET_UP, 40_000);
    expect(seen?.trim()).toBe(cmdline);
    // The target's /init powers off, and QEMU (-no-reboot) exits.
    await guest.waitForExit(20_000);
    guest.timings.poweroff = Math.round(guest.seconds * 10) / 10;
  });

  it('`kexmenu scan --json` in the guest lists every disk, the USB stick included, read-only', async () => {
    const m = images.manifest;
    // The ext4 root and the USB stick are attached WRITABLE here: only kexmenu's read-only mounts
    // keep their bytes unchanged (checked by the last test).
    const guest = boot('scan', 'kexmenu.cmd=scan,--json kexmenu.wait=sda1', [
      { file: images.disks.gptDebian, writable: true },
      { file: images.disks.espBls },
      { file: images.disks.wrongArch },
      { file: images.disks.usbStick, usb: true, writable: true },
    ]);
    await guest.mark('sysinit', /kexmenu: sysinit done/, 60_000);
    await guest.mark('exit', /KEXMENU-EXIT status=0/, 60_000);
    const scan = parseJsonBetween(guest.output, /kexmenu: sysinit done.*\n/, /KEXMENU-EXIT/) as ScanJson;

    const sources = Object.fromEntries(scan.sources.map((s) => [s.id, s]));
    expect(sources.vda1).toMatchObject({ device: '/dev/vda1', fstype: 'ext4', uuid: m.rootUuid, label: 'rootfs', removable: false });
    expect(sources.vdb1).toMatchObject({ device: '/dev/vdb1', fstype: 'vfat', uuid: m.espVolumeId, label: 'ESP' });
    expect(sources.vdc1).toMatchObject({ device: '/dev/vdc1', fstype: 'ext4', uuid: m.wrongArchUuid });
    expect(sources.sda1).toMatchObject({ device: '/dev/sda1', fstype: 'vfat', uuid: m.usbVolumeId, label: 'KEXUSB', removable: true });

    const summary = scan.entries.map((e) => `${e.source} ${e.origin.format} ${e.arch ?? '?'} ${e.label} | ${e.cmdline}`);
    const root = `root=UUID=${m.rootUuid} ro console=ttyS0`;
    expect(summary).toEqual(
      expect.arrayContaining([
        `vda1 grub x86_64 Debian GNU/Linux | ${root} quiet`,
        `vda1 grub x86_64 Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux ${m.kernelVersion} | ${root} quiet`,
        `vda1 grub x86_64 Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux ${m.previousKernelVersion} (recovery mode) | ${root} single`,
        `vdb1 bls x86_64 Debian GNU/Linux 12 (bookworm) | ${root} quiet bls=1`,
        `vdb1 uki x86_64 kexmenu e2e UKI (${m.kernelVersion}) | console=ttyS0 uki=1 quiet`,
        'sda1 extlinux x86_64 Live system from USB | console=ttyS0 usb=1 quiet',
        'sda1 grub x86_64 debian-live.iso: Debian Live (kexmenu e2e) | boot=live components console=ttyS0 quiet findiso=/isos/debian-live.iso',
        'sda1 extlinux x86_64 Rescue shell from USB | console=ttyS0 usb=1 single',
      ]),
    );
    // grub: 1 + 4 in the submenu; the BLS entry for another architecture is skipped.
    expect(scan.entries.filter((e) => e.source === 'vda1')).toHaveLength(5);
    expect(scan.entries.filter((e) => e.source === 'vdb1').map((e) => e.label)).toEqual(['Debian GNU/Linux 12 (bookworm)', `kexmenu e2e UKI (${m.kernelVersion})`]);
    // The kernel of the other architecture is found by its file name and its header says aarch64.
    const wrong = scan.entries.filter((e) => e.source === 'vdc1');
    expect(wrong.map((e) => [e.kernel, e.arch])).toEqual([[`/run/kexmenu/vdc1/boot/vmlinuz-${m.otherArchKernelVersion}`, 'aarch64']]);
    const grubDefault = scan.entries.find((e) => e.id === 'vda1:grub:1');
    expect(grubDefault?.kernel).toBe(`/run/kexmenu/vda1/boot/vmlinuz-${m.kernelVersion}`);
    expect(grubDefault?.initrd).toEqual([`/run/kexmenu/vda1/boot/initrd.img-${m.kernelVersion}`]);
  });

  // ---- the menu, driven over the serial console like a person ----

  /**
   * Presses Down until the selected line (the one with `>`) matches `label`. One key at a time,
   * and the screen is read only once the console has gone quiet and the selected row is whole
   * (`| > ... |`): a frame caught half drawn (it takes ~170 ms to arrive at 115200 baud) can show
   * part of a row, which would not match, and a key sent on that misreading moves past the entry.
   */
  async function select(guest: Guest, label: RegExp): Promise<void> {
    const selected = (): string => guest.screen().split('\n').find((l) => /^\| > .*\|$/.test(l)) ?? '';
    const seen: string[] = [];
    await guest.waitForScreen(/^\| > .*\|$/m, 20_000);
    await guest.quiet();
    for (let i = 0; i < 20; i++) {
      const line = selected();
      seen.push(line);
      if (label.test(line)) return;
      guest.send('\x1b[B');
      const moved = Date.now();
      do {
        if (Date.now() - moved > 15_000) throw new Error(`the selection did not move; seen:\n${seen.join('\n')}\nscreen:\n${guest.screen()}`);
        await guest.quiet();
      } while (selected() === line || selected() === '');
    }
    throw new Error(`could not select ${String(label)}; seen:\n${seen.join('\n')}\nscreen:\n${guest.screen()}`);
  }

  it('menu: shows every disk (the USB stick too), picks a non-default GRUB entry, edits it, boots that exact line', async () => {
    const m = images.manifest;
    const guest = boot('menu-edit', 'kexmenu.timeout=-1', [
      { file: images.disks.gptDebian },
      { file: images.disks.espBls },
      { file: images.disks.usbStick, usb: true },
    ]);
    await guest.mark('menu', /Enter boot/, 60_000);
    // The stick's USB stack comes up seconds after the menu: it appears without a key press. The
    // disks arrive in any order (on a loaded machine the ESP can come before the ext4 root), and the
    // cursor stays on its entry as others come in: the keys wait for all of them.
    await guest.waitForScreen(/Live system from USB/, 30_000);
    await guest.waitForScreen(/KEXUSB \(\/dev\/sda1\)[\s\S]*rootfs \(\/dev\/vda1\)[\s\S]*ESP \(\/dev\/vdb1\)[\s\S]*\d+\. Debian GNU\/Linux 12 \(bookworm\)/, 30_000);
    expect(guest.screen()).toMatch(/\d\. Live system from USB\s+\(default\)/);
    await select(guest, /\d\. Debian GNU\/Linux\s*\|$/);
    guest.send('e');
    await guest.waitForScreen(/Esc discard/, 10_000);
    expect(guest.screen()).toMatch(/Edit: Debian GNU\/Linux\s+\|/);
    // End, then remove "quiet" and add an argument of our own.
    await guest.sendKeys(['\x1b[F', ...Array<string>(5).fill('\x7f'), ...'kexmenu.e2e=ok']);
    await guest.waitForScreen(/console=ttyS0 kexmenu\.e2e=ok/, 10_000);
    guest.send('\r');
    const [, seen] = await guest.mark('target', TARGET_UP, 60_000);
    // Exactly the edited line: what the person typed stays (even a kexmenu.* word), nothing of the
    // menu kernel's own arguments (kexmenu.timeout, cryptomgr...) leaks in.
    expect(seen?.trim()).toBe(`root=UUID=${m.rootUuid} ro console=ttyS0 kexmenu.e2e=ok`);
    await guest.waitForExit(20_000);
  });

  it('menu: autoboots the default entry when the countdown runs out', async () => {
    const m = images.manifest;
    const guest = boot('menu-autoboot', 'kexmenu.timeout=1', [{ file: images.disks.gptDebian }]);
    const [, seen] = await guest.mark('target', TARGET_UP, 80_000);
    expect(seen?.trim()).toBe(`root=UUID=${m.rootUuid} ro console=ttyS0 quiet`);
  });

  /** Boots `disks`, waits for `shown` on the menu, picks the entry matching `entry`, and returns the command line its target got. */
  async function bootPicked(name: string, disks: Disk[], shown: RegExp, entry: RegExp): Promise<string | undefined> {
    const guest = boot(name, 'kexmenu.timeout=-1', disks);
    await guest.mark('menu', /Enter boot/, 60_000);
    await guest.waitForScreen(shown, 40_000);
    await select(guest, entry);
    guest.send('\r');
    const [, seen] = await guest.mark('target', TARGET_UP, 60_000);
    await guest.waitForExit(20_000);
    return seen?.trim();
  }

  it('menu: boots a unified kernel image from the ESP, its kernel and initrd taken out of it, with its own .cmdline', async () => {
    const seen = await bootPicked('menu-uki', [{ file: images.disks.espBls }], /kexmenu e2e UKI/, /kexmenu e2e UKI/);
    expect(seen).toBe('console=ttyS0 uki=1 quiet');
  });

  it('menu: boots a live system from an ISO image kept on the USB stick, told where the image is (findiso=)', async () => {
    const seen = await bootPicked('menu-iso', [{ file: images.disks.usbStick, usb: true }], /debian-live\.iso: Debian Live/, /debian-live\.iso: Debian Live/);
    expect(seen).toBe('boot=live components console=ttyS0 quiet findiso=/isos/debian-live.iso');
  });

  it('menu: boots a stick written from a hybrid ISO as it is: its ISO 9660 partition mounted, no findiso= needed', async () => {
    const seen = await bootPicked('menu-live-stick', [{ file: images.disks.liveStick, usb: true }], /KEXMENU_LIVE \(\/dev\/sda1\)[\s\S]*Debian Live \(kexmenu e2e\)/, /Debian Live \(kexmenu e2e\)/);
    expect(seen).toBe('boot=live components console=ttyS0 quiet');
  });

  it('menu: refuses a kernel of another architecture and says why, and stays in the menu', async () => {
    const m = images.manifest;
    const guest = boot('menu-wrong-arch', 'kexmenu.timeout=-1', [{ file: images.disks.wrongArch }]);
    await guest.mark('menu', /Enter boot/, 60_000);
    await guest.waitForScreen(new RegExp(`Linux ${m.otherArchKernelVersion.replace(/\./g, '\\.')}`), 20_000);
    await select(guest, /arm64/);
    expect(guest.screen()).not.toMatch(/cannot boot/);
    guest.send('\r');
    await guest.waitForScreen(/cannot boot Linux [^\n]*arm64[\s\S]*aarch64[\s\S]*x86_64/, 20_000);
    await guest.waitForScreen(/Enter boot/, 5_000);
    expect(guest.output).not.toMatch(/KEXMENU-TARGET-UP/);
    expect(guest.hasExited).toBe(false);
  });

  // ---- one owner, every console ----

  it('two consoles, one kexmenu: a key on one stops the countdown on both, the shell opens where asked, kill -9 brings it back, Enter boots', async () => {
    const m = images.manifest;
    // The virtio console hvc0 stands in for the screen; ttyS0 (the last console=) is /dev/console.
    // tty1 (VGA, which nobody reads here) draws too.
    const guest = Guest.start({
      machine: 'x86_64', kernel: images.kernel, initrd: images.initramfs, timeoutMs: 200_000, virtioConsole: true,
      append: `console=hvc0 ${BASE_APPEND} kexmenu.timeout=40`, disks: [{ file: images.disks.gptDebian }],
    });
    guests.push(guest);
    timings['two-consoles'] = guest.timings;
    let screen: SocketConsole | null = await guest.secondConsole();
    try {
      const counting = /Booting "Debian GNU\/Linux" in (\d+) s/;
      await guest.waitForScreen(counting, 90_000);
      await screen.waitForScreen(counting, 20_000);
      await screen.waitForScreen(/Debian GNU\/Linux, with Linux/, 20_000);
      screen.send('j');
      // Stopped on the serial console too (a whole frame: header without countdown, help bar
      // drawn), and its cursor did not move with the other console's.
      await screen.waitForSettledScreen(/> 2\. /, 10_000);
      await guest.waitForSettledScreen(/^kexmenu \S+\s*\n[\s\S]*> 1\. Debian GNU\/Linux[\s\S]*Up\/Dn/m, 10_000);
      // No boot five seconds later either.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect(guest.output).not.toMatch(TARGET_UP);
      expect(guest.screen()).not.toMatch(counting);

      // A shell on the screen console; the serial one keeps the menu. One owner holds the mounts.
      screen.send('x');
      await screen.waitForScreen(/starting \/bin\/sh/, 10_000);
      const facts = 'echo "owners=$(ps | grep -c \'[k]exmenu.mjs\') mounts=$(grep \' /run/kexmenu/\' /proc/mounts | cut -d\' \' -f1,2 | tr \' \\n\' ,:) ctty=$(tty)"';
      screen.send(`${facts}\r`);
      const [, owners, mounts] = await screen.waitForOutput(/owners=(\d+) mounts=(\S*) ctty=\/dev\/hvc0/, 10_000);
      expect(Number(owners)).toBe(1);
      expect(mounts).toBe('/dev/vda1,/run/kexmenu/vda1:');
      await guest.waitForSettledScreen(/> 1\. Debian GNU\/Linux[\s\S]*Up\/Dn/, 10_000);
      guest.send('j');
      await guest.waitForSettledScreen(/> 2\. /, 10_000);
      const from = screen.output.length;
      screen.send(`${facts}\r`);
      const [, owners2, mounts2] = await screen.waitForOutput(/owners=(\d+) mounts=(\S*) ctty=/, 10_000, from);
      expect([Number(owners2), mounts2]).toEqual([1, mounts]);

      // kill -9 the owner: init starts it again, and both consoles get the menu back.
      const killedAt = guest.seconds;
      screen.send('kill -9 $(pidof node); exit\r');
      await guest.mark('restarting', /kexmenu was killed \(signal 9\); starting it again/, 5_000);
      expect(guest.seconds - killedAt).toBeLessThan(5);
      await guest.mark('menu again', /KEXMENU-EXIT status=137[\s\S]*Enter boot/, 60_000);
      await guest.waitForScreen(counting, 30_000);
      await screen.waitForScreen(counting, 30_000);
      guest.timings['back after kill (s)'] = Math.round((guest.timings['menu again']! - killedAt) * 10) / 10;

      // Enter on the serial console boots; the screen says where it was chosen.
      guest.send('\r');
      await screen.waitForOutput(/booting Debian GNU\/Linux \(chosen on ttyS0\)/, 20_000);
      const [, seen] = await guest.mark('target', TARGET_UP, 60_000);
      expect(seen?.trim()).toBe(`root=UUID=${m.rootUuid} ro console=ttyS0 quiet`);
    } finally {
      screen?.close();
      screen = null;
    }
  });

  // ---- disks that strangers bring ----

  /** The log view's text, box borders gone and wrapped lines joined, as a person reads it. */
  function logText(guest: Guest): string {
    return guest.screen().split('\n').map((l) => l.replace(/^\| ?/, '').replace(/ *\|$/, '').trim()).join(' ');
  }

  it('menu: a hostile USB stick plugged in during the countdown costs only itself; the countdown goes on and boots the default', async () => {
    const m = images.manifest;
    const guest = boot('menu-hostile-stick', 'kexmenu.timeout=45', [{ file: images.disks.gptDebian }], 160_000, true);
    await guest.waitForScreen(/Booting "Debian GNU\/Linux" in \d+ s/, 70_000);
    await guest.plugUsb('hostile', images.disks.hostileStick);
    // Listed: its kexmenu.conf default (a regex that never finished) froze nothing, /proc/kmsg was not read.
    await guest.waitForScreen(/a{40}/, 50_000);
    const remaining = () => Number(/Booting "Debian GNU\/Linux" in (\d+) s/.exec(guest.screen())?.[1] ?? Number.NaN);
    const before = remaining();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(remaining(), guest.screen()).toBeLessThan(before);
    expect(guest.screen()).toMatch(/\d+ problems? - press l/);
    const [, seen] = await guest.mark('target', TARGET_UP, 90_000);
    expect(seen?.trim()).toBe(`root=UUID=${m.rootUuid} ro console=ttyS0 quiet`);
  });

  it("menu: the log names a hostile stick's problems", async () => {
    const guest = boot('menu-hostile-log', 'kexmenu.timeout=-1', [{ file: images.disks.gptDebian }], 120_000, true);
    await guest.waitForScreen(/Enter boot/, 70_000);
    await guest.plugUsb('hostile', images.disks.hostileStick);
    await guest.waitForScreen(/a{40}/, 50_000);
    guest.send('l');
    await guest.waitForScreen(/Problems \(\d+\)/, 10_000);
    const wanted = [
      /sda1 \/run\/kexmenu\/sda1\/boot\/grub\/grub\.cfg: not found: \/boot\/grub\/grub\.cfg \(a symlink on the way leads to nothing in this partition\)/,
      /sda1 \/run\/kexmenu\/sda1\/grub\/grub\.cfg:\d+: a value longer than 65536 characters is cut to that length/,
      /hotplug: \/sys\/class\/block: \+sda/,
    ];
    // The frame may be caught half drawn: read it until it holds all of them (or give up).
    for (let tries = 0; tries < 50 && !wanted.every((re) => re.test(logText(guest))); tries++) await new Promise((r) => setTimeout(r, 200));
    for (const re of wanted) expect(logText(guest)).toMatch(re);
  });

  it('a disk whose reads never come back costs that disk: kexmenu scan says so, the menu autoboots the other one', async () => {
    const m = images.manifest;
    // The partition table answers (the kernel reads it at attach); everything in the partition stalls.
    const stalling = await serveStallingDisk(images.disks.wrongArch, 1024 * 1024);
    try {
      const scanGuest = boot('scan-stalled-disk', 'kexmenu.cmd=scan,--json', [{ file: images.disks.gptDebian }, { file: stalling.url }], 120_000);
      await scanGuest.mark('exit', /KEXMENU-EXIT status=0/, 110_000);
      const scan = parseJsonBetween(scanGuest.output, /kexmenu: sysinit done.*\n/, /KEXMENU-EXIT/) as ScanJson;
      expect(scan.sources.map((s) => s.id)).toEqual(['vda1']);
      expect(scan.entries.filter((e) => e.source === 'vda1')).toHaveLength(5);
      expect(JSON.stringify(scan.problems)).toMatch(/\/dev\/vdb1: no answer from the device within 5 s: not scanned/);
      expect(stalling.stalled.length).toBeGreaterThan(0);
      await scanGuest.stop();

      const guest = boot('menu-stalled-disk', 'kexmenu.timeout=2', [{ file: images.disks.gptDebian }, { file: stalling.url }], 120_000);
      await guest.mark('kexec -e', /\$ kexec -e/, 90_000);
      // kexmenu is done; now the dead disk falls off the bus. (QEMU resets its virtio disks for the
      // new kernel and waits for their requests first: with the stall still there the guest freezes.)
      await stalling.close();
      const [, seen] = await guest.mark('target', TARGET_UP, 30_000);
      expect(seen?.trim()).toBe(`root=UUID=${m.rootUuid} ro console=ttyS0 quiet`);
    } finally {
      await stalling.close();
    }
  }, 300_000);

  it('leaves every disk image byte-for-byte unchanged', async () => {
    expect(await sha256All(diskFiles())).toEqual(before);
  });
});
