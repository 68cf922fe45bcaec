import { describe, expect, it } from 'vitest';
import { parseGrub } from '../../src/parsers/grub.js';
import type { ParseResult } from '../../src/parsers/types.js';
import { expectParsedFixture } from '../helpers/parse-fixture.js';

const ROOT_UUID = '8c2f3a41-6f0e-4f4e-9a53-2d1c5b7e90aa';
const BOOT_UUID = '1b7e4c2d-3a55-4f8e-b0c1-77d2e9a6f310';

const labels = (r: ParseResult) => r.entries.map((e) => e.label);
const theDefault = (r: ParseResult) => {
  const defaults = r.entries.filter((e) => e.isDefault);
  expect(defaults).toHaveLength(1);
  return defaults[0]!;
};

describe('parseGrub on real grub-mkconfig output (Debian 12)', () => {
  it('reads the root-partition config: submenu, recovery entries, search --fs-uuid, grubenv next_entry', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'debian-root');
    expect(r.problems).toEqual([]);
    expect(labels(r)).toEqual([
      'Debian GNU/Linux',
      'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-27-amd64',
      'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-27-amd64 (recovery mode)',
      'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-26-amd64',
      'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-26-amd64 (recovery mode)',
    ]);
    const first = r.entries[0]!;
    expect(first.kernel).toEqual({ path: '/boot/vmlinuz-6.1.0-27-amd64', device: { by: 'uuid', value: ROOT_UUID } });
    expect(first.initrd).toEqual([{ path: '/boot/initrd.img-6.1.0-27-amd64', device: { by: 'uuid', value: ROOT_UUID } }]);
    // grub-mkconfig writes "ro  quiet" with two spaces; GRUB passes words, joined by one.
    expect(first.cmdline).toBe(`root=UUID=${ROOT_UUID} ro quiet`);
    expect(r.entries[2]!.cmdline).toBe(`root=UUID=${ROOT_UUID} ro single`);
    expect(first.origin).toEqual({ format: 'grub', file: '/boot/grub/grub.cfg', line: 106 });
    // grubenv: next_entry=gnulinux-advanced-UUID>gnulinux-6.1.0-26-amd64-advanced-UUID (grub-reboot).
    expect(theDefault(r).label).toBe('Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-26-amd64');
  });

  it('reads a separate /boot partition: paths without /boot, saved_entry by title path', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'debian-separate-boot');
    expect(r.problems).toEqual([]);
    expect(r.entries).toHaveLength(5);
    for (const e of r.entries) {
      expect(e.kernel.path).toMatch(/^\/vmlinuz-6\.1\.0-2[67]-amd64$/);
      expect(e.kernel.device).toEqual({ by: 'uuid', value: BOOT_UUID });
      expect(e.origin.file).toBe('/grub/grub.cfg');
    }
    expect(theDefault(r).label).toBe('Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-26-amd64');
  });
});

describe('parseGrub on distribution layouts', () => {
  it('Fedora: blscfg reads loader/entries, $kernelopts comes from grubenv, saved_entry picks the BLS id', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'fedora-blscfg');
    expect(r.problems).toEqual([]);
    expect(r.entries.map((e) => e.version)).toEqual(['5.8.15-201.fc32.x86_64', '5.8.13-200.fc32.x86_64', '0-rescue-4f1e2a0c9b8d4e7f8a6b5c4d3e2f1a0b']);
    // grubenv's kernelopts, not the fallback grub.cfg sets only when grubenv has none.
    for (const e of r.entries) expect(e.cmdline).toBe('root=/dev/mapper/fedora-root ro resume=/dev/mapper/fedora-swap rd.lvm.lv=fedora/root rd.lvm.lv=fedora/swap rhgb quiet');
    expect(theDefault(r).kernel.path).toBe('/vmlinuz-5.8.13-200.fc32.x86_64');
  });

  it('Ubuntu: functions with arguments (gfxmode keep -> vt.handoff), linux16; Windows and the ELF memtest left out with the reason, fwsetup silently', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'ubuntu');
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^menu entry "Memory test \(memtest86\+\.elf\)" boots with knetbsd, which starts no kernel kexec can load/),
      expect.stringMatching(/^menu entry "Windows Boot Manager \(on \/dev\/nvme0n1p1\)" boots with chainloader/),
    ]);
    expect(labels(r)).toEqual([
      'Ubuntu',
      'Advanced options for Ubuntu > Ubuntu, with Linux 5.15.0-91-generic',
      'Advanced options for Ubuntu > Ubuntu, with Linux 5.15.0-91-generic (recovery mode)',
      'Memory test (memtest86+.bin, serial console 115200)',
    ]);
    expect(r.entries[0]!.cmdline).toBe('root=UUID=3e6b2f5a-8c1d-4a7e-9b0f-6d5c4e3b2a19 ro quiet splash vt.handoff=7');
    expect(r.entries[2]!.cmdline).toBe('root=UUID=3e6b2f5a-8c1d-4a7e-9b0f-6d5c4e3b2a19 ro recovery nomodeset dis_ucode_ldr');
    expect(theDefault(r).label).toBe('Ubuntu');
  });

  it("CentOS 7 install media: Red Hat's GRUB keeps \\xNN in unquoted words, so dracut finds the media by label", () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'centos7-media');
    expect(r.problems).toEqual([]);
    const stage2 = 'inst.stage2=hd:LABEL=CentOS\\x207\\x20x86_64';
    expect(r.entries.map((e) => [e.label, e.cmdline])).toEqual([
      ['Install CentOS 7', `${stage2} quiet`],
      ['Test this media & install CentOS 7', `${stage2} rd.live.check quiet`],
      ['Troubleshooting --> > Install CentOS 7 in basic graphics mode', `${stage2} xdriver=vesa nomodeset quiet`],
      ['Troubleshooting --> > Rescue a CentOS system', `${stage2} rescue quiet`],
    ]);
    expect(r.entries[0]!.kernel).toEqual({ path: '/images/pxeboot/vmlinuz', device: { by: 'label', value: 'CentOS 7 x86_64' } });
    expect(theDefault(r).label).toBe('Test this media & install CentOS 7');
  });

  it('Arch, written by hand: for over wildcards, break, a menuentry argument as $2', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'arch-handwritten');
    expect(r.problems).toEqual([]);
    expect(labels(r)).toEqual(['Arch Linux (linux)', 'Arch Linux (linux-lts)']);
    const lts = r.entries[1]!;
    expect(lts.kernel.path).toBe('/boot/vmlinuz-linux-lts');
    expect(lts.initrd.map((i) => i.path)).toEqual(['/boot/amd-ucode.img', '/boot/intel-ucode.img', '/boot/initramfs-linux-lts.img']);
    expect(theDefault(r).label).toBe('Arch Linux (linux)');
  });

  it('EFI stub that points at another partition: no entries, one problem naming the device', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'efi-stub');
    expect(r.entries).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: '/EFI/debian/grub.cfg',
        line: 3,
        message: 'configfile /boot/grub/grub.cfg: on the device with uuid 8c2f3a41-6f0e-4f4e-9a53-2d1c5b7e90aa, not on this partition',
      },
    ]);
  });

  it('EFI config whose configfile and source stay on this partition: followed, the inner menu decides the default', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'efi-local');
    expect(r.problems).toEqual([]);
    expect(labels(r)).toEqual(['Live system', 'Live system ("safe" graphics)']);
    const live = r.entries[0]!;
    expect(live.kernel).toEqual({ path: '/live/vmlinuz', device: { by: 'label', value: 'KEXMENU-ESP' } });
    expect(live.initrd.map((i) => i.path)).toEqual(['/live/initrd.img', '/live/extra.img']);
    expect(live.cmdline).toBe('boot=live components quiet splash');
    expect(live.origin).toEqual({ format: 'grub', file: '/EFI/BOOT/menus/main.cfg', line: 4 });
    expect(r.entries[1]!.cmdline).toBe('boot=live components quiet splash nomodeset');
    expect(theDefault(r).label).toBe('Live system');
  });
});

describe('parseGrub on hostile configs', () => {
  it('unbalanced braces and an unclosed if: problems, and the entries around them still stand', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'hostile-unbalanced');
    expect(labels(r)).toEqual(['Good', 'If without fi', `Quote 'inside' and a "double"`]);
    expect(r.entries[2]!.cmdline).toBe('root=/dev/sda1 quiet a b');
    expect(r.problems.map((p) => p.line)).toEqual([7, 13, 14]);
    expect(r.problems.every((p) => p.file === '/boot/grub/grub.cfg')).toBe(true);
  });

  it('configfile of itself and a source cycle: each a problem, nothing read twice', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'hostile-loop');
    expect(labels(r)).toEqual(['Before the loops', 'From loop-a']);
    expect(r.problems.map((p) => p.message)).toEqual([
      'configfile loop: /boot/grub/grub.cfg -> /boot/grub/grub.cfg',
      'source loop: /boot/grub/grub.cfg -> /boot/grub/loop-a.cfg -> /boot/grub/loop-b.cfg -> /boot/grub/loop-a.cfg',
      'configfile loop: /boot/grub/grub.cfg -> /boot/grub/grub.cfg',
    ]);
  });

  it('paths that climb out of the partition are refused; the entry that stays inside is kept', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'hostile-escape');
    expect(labels(r)).toEqual(['Stays inside']);
    expect(r.entries[0]!.kernel).toEqual({ path: '/boot/vmlinuz' });
    // A GRUB drive name cannot be mapped to a disk: the path stays on this source.
    expect(r.entries[0]!.initrd).toEqual([{ path: '/boot/initrd.img' }]);
    expect(r.problems).toHaveLength(4);
    for (const p of r.problems) expect(p.message).toContain('path escapes its partition');
  });

  it('a default naming no entry: a problem, and the first entry is the default', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'hostile-default');
    expect(theDefault(r).label).toBe('Debian GNU/Linux, with Linux 6.1.0-27-amd64');
    expect(r.problems).toEqual([
      {
        file: '/boot/grub/grub.cfg',
        line: null,
        message: 'default "Debian GNU/Linux, with Linux 4.19.0-6-amd64" names no menu entry: the first entry is the default',
      },
    ]);
  });

  it('entries without a linux line: chainloader said, fwsetup/echo silently left out, initrd-only and bare linux reported', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'hostile-no-linux');
    expect(labels(r)).toEqual(['The only Linux entry']);
    expect(r.entries[0]!.isDefault).toBe(true);
    expect(r.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'menu entry "Windows Boot Manager (on /dev/sda1)" boots with chainloader, which starts no kernel kexec can load (only Linux and programs that speak its boot protocol): not listed'],
      [10, 'menu entry "Only an initrd" has no linux line: skipped'],
      [14, 'linux without a kernel file: entry skipped'],
      // default=1 counts the Windows entry, as GRUB does, and lands on the firmware entry.
      [null, 'default "1" names a menu entry that is not a Linux entry: the first entry is the default'],
    ]);
  });
});
