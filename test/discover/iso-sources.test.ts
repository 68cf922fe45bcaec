// ISO images kept on a stick, scanned as the scan worker does (scanSource): images made by the
// real xorriso, read without mounting, their entries booting from byte ranges of the image.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanSource } from '../../src/discover/scan-source.js';
import type { BootSource, InnerFile } from '../../src/model.js';
import { fakeBzImage } from '../helpers/fake-kernel.js';
import { isoMaker } from '../helpers/iso.js';
import { makeUki } from '../helpers/uki.js';

const work = mkdtempSync(path.join(tmpdir(), 'kexmenu-iso-stick-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const makeIso = isoMaker(work);

const kernel = fakeBzImage('6.1.0-27-amd64');
const initrd = 'an initrd';
// Debian live-boot's layout and the shape of its grub.cfg.
const debianLive = makeIso(
  {
    'live/vmlinuz': kernel,
    'live/initrd.img': initrd,
    'boot/grub/grub.cfg': 'menuentry "Live system (amd64)" {\n  linux /live/vmlinuz boot=live components quiet splash\n  initrd /live/initrd.img\n}\n',
    'isolinux/isolinux.cfg': 'label live\n  menu label Live system (amd64)\n  kernel /live/vmlinuz\n  append initrd=/live/initrd.img boot=live components quiet splash\n',
  },
  ['-R', '-J', '-V', 'd-live 12.8.0 gn amd64'],
);
// Ubuntu's: casper, and a loopback.cfg that passes the image's path on itself.
const ubuntu = makeIso(
  {
    'casper/vmlinuz': kernel,
    'casper/initrd': initrd,
    'boot/grub/grub.cfg': 'menuentry "Try or Install Ubuntu" {\n  linux /casper/vmlinuz quiet splash ---\n  initrd /casper/initrd\n}\n',
    'boot/grub/loopback.cfg': 'menuentry "Try or Install Ubuntu" {\n  linux /casper/vmlinuz boot=casper iso-scan/filename=${iso_path} quiet splash ---\n  initrd /casper/initrd\n}\n',
  },
  ['-R', '-J', '-V', 'Ubuntu 24.04 LTS amd64'],
);

function stick(files: Record<string, string>, removable = true) {
  const root = path.join(work, `stick-${Math.random().toString(36).slice(2)}`);
  for (const [name, from] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    if (from.startsWith('/')) copyFileSync(from, path.join(root, name));
    else writeFileSync(path.join(root, name), from);
  }
  const source: BootSource = { id: 'sdb1', root, device: '/dev/sdb1', fstype: 'vfat', label: 'RESCUE', uuid: '4B4D-5553', partuuid: null, removable, size: 8e9 };
  return { root, scan: scanSource({ sources: [source], index: 0, board: [], arch: 'x86_64' }) };
}

const bytesAt = (file: string, part: InnerFile) => readFileSync(file).subarray(part.offset, part.offset + part.size);

describe('ISO images on a stick', () => {
  it('lists a Debian live image at the top, boots its kernel and initrd out of it, and tells live-boot where it is', () => {
    const { root, scan } = stick({ 'debian-live.iso': debianLive.file });
    expect(scan.problems).toEqual([]);
    // isolinux.cfg names the same kernel and initrd: the GRUB entry stands for both.
    expect(scan.entries.map((e) => [e.id, e.label, e.cmdline, e.default])).toEqual([
      ['sdb1:iso:debian-live.iso:grub:0', 'debian-live.iso: Live system (amd64)', 'boot=live components quiet splash findiso=/debian-live.iso', false],
    ]);
    const entry = scan.entries[0]!;
    expect(entry).toMatchObject({ source: 'sdb1', kernel: `${root}/debian-live.iso`, initrd: [], arch: 'x86_64', origin: { format: 'grub', file: `${root}/debian-live.iso/boot/grub/grub.cfg` } });
    expect(entry.inside!.linux.name).toBe('/live/vmlinuz');
    expect(bytesAt(entry.kernel, entry.inside!.linux).equals(kernel)).toBe(true);
    expect(entry.inside!.initrds.map((p) => [p.name, bytesAt(entry.kernel, p).toString()])).toEqual([['/live/initrd.img', initrd]]);
  });

  it("reads an image's loopback.cfg alone, with iso_path set, one folder down", () => {
    const { scan } = stick({ 'isos/ubuntu-24.04.iso': ubuntu.file });
    expect(scan.entries.map((e) => [e.label, e.cmdline])).toEqual([
      ['ubuntu-24.04.iso: Try or Install Ubuntu', 'boot=casper iso-scan/filename=/isos/ubuntu-24.04.iso quiet splash ---'],
    ]);
  });

  it('says which files are no images and which systems it cannot tell where their image is; a fixed disk keeps its ISOs to itself', () => {
    const other = makeIso({ 'boot/vmlinuz': kernel, 'boot/grub/grub.cfg': 'menuentry "Other" {\n  linux /boot/vmlinuz root=/dev/sr0\n}\n' }, ['-R']);
    const { root, scan } = stick({ 'junk.iso': 'x'.repeat(40 * 1024), 'small.iso': 'tiny', 'other.iso': other.file });
    expect(scan.entries.map((e) => e.label)).toEqual(['other.iso: Other']);
    expect(scan.problems.map((p) => `${p.file?.slice(root.length)}: ${p.message}`).sort()).toEqual([
      '/junk.iso: not an ISO 9660 image: no ISO 9660 volume descriptor at sector 16',
      '/other.iso/boot/grub/grub.cfg: other.iso: Other: kexmenu knows no way to tell this system where ' + `${root}/other.iso is: it may not find its files`,
      '/small.iso: not an ISO 9660 image: too small to be one',
    ]);
    expect(stick({ 'debian-live.iso': debianLive.file }, false).scan.entries).toEqual([]);
  });

  it('boots a unified kernel image inside an ISO image from its own sections, where they lie in the ISO', () => {
    const uki = makeUki('x64', [['.osrel', 'PRETTY_NAME="Rescue UKI"\n'], ['.cmdline', 'boot=live quiet'], ['.initrd', initrd], ['.linux', kernel]]);
    const image = makeIso({ 'EFI/Linux/rescue.efi': uki }, ['-R', '-V', 'UKI_ISO']);
    const { root, scan } = stick({ 'rescue.iso': image.file });
    expect(scan.entries.map((e) => [e.label, e.cmdline])).toEqual([['rescue.iso: Rescue UKI', 'boot=live quiet findiso=/rescue.iso']]);
    const entry = scan.entries[0]!;
    expect(entry.kernel).toBe(`${root}/rescue.iso`);
    expect(bytesAt(entry.kernel, entry.inside!.linux).equals(kernel)).toBe(true);
    expect(bytesAt(entry.kernel, entry.inside!.initrds[0]!).toString()).toBe(initrd);
  });

  it('refuses an entry whose kernel is on the stick and whose initrd is inside the image', () => {
    const mixed = makeIso(
      {
        'live/initrd.img': initrd,
        'boot/grub/grub.cfg': 'search --set=stick --label RESCUE\nsearch --set=cd --label MIXED\nmenuentry "Mixed" {\n  linux ($stick)/k/vmlinuz boot=live\n  initrd ($cd)/live/initrd.img\n}\n',
      },
      ['-R', '-V', 'MIXED'],
    );
    const { scan } = stick({ 'k/vmlinuz': 'a kernel', 'mixed.iso': mixed.file });
    expect(scan.entries).toEqual([]);
    expect(scan.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^mixed\.iso: Mixed: initrd \/live\/initrd\.img is inside \S+mixed\.iso and the kernel is not/)]);
  });
});
