// Boot Loader Specification type #2: unified kernel images built with objcopy over Debian's
// systemd-stub (test/helpers/uki.ts), read off a directory laid out as an ESP.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { parseBls } from '../../src/parsers/bls.js';
import { parseUki } from '../../src/parsers/uki.js';
import type { ByteRange } from '../../src/model.js';
import { fakeBzImage } from '../helpers/fake-kernel.js';
import { makeUki, renameSections, sectionOffset } from '../helpers/uki.js';

// Debian 12's /etc/os-release, as kernel-install would embed it.
const DEBIAN_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;
const kernel = fakeBzImage('6.1.0-27-amd64');
const initrd = Buffer.from('070701 an initrd, as far as this test cares');
const ucode = Buffer.from('070701 early microcode');

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function esp(images: Record<string, Uint8Array | string>) {
  const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-uki-esp-'));
  roots.push(root);
  for (const [name, bytes] of Object.entries(images)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), bytes);
  }
  return { root, result: parseUki({ files: fsSourceFiles(root), board: [], arch: 'x86_64' }) };
}

const bytesOf = (root: string, file: string, part: ByteRange) => readFileSync(path.join(root, file)).subarray(part.offset, part.offset + part.size);

describe('parseUki: /EFI/Linux/*.efi', () => {
  const debian = makeUki('x64', [
    ['.osrel', DEBIAN_OS_RELEASE],
    ['.cmdline', 'root=UUID=5f0c6b4e-8d7a-4c39-9a51-6b1e2d3c4a01 ro quiet\n'],
    ['.uname', '6.1.0-27-amd64'],
    ['.ucode', ucode],
    ['.initrd', initrd],
    ['.linux', kernel],
  ]);

  it("gives an image its os-release title, its uname version and its .cmdline, and where its kernel and initrds are", () => {
    const { root, result } = esp({ 'EFI/Linux/debian-6.1.0-27-amd64.efi': debian });
    expect(result.problems).toEqual([]);
    expect(result.entries).toHaveLength(1);
    const entry = result.entries[0]!;
    expect(entry).toMatchObject({
      label: 'Debian GNU/Linux 12 (bookworm) (6.1.0-27-amd64)',
      kernel: { path: '/EFI/Linux/debian-6.1.0-27-amd64.efi' },
      cmdline: 'root=UUID=5f0c6b4e-8d7a-4c39-9a51-6b1e2d3c4a01 ro quiet',
      version: '6.1.0-27-amd64',
      isDefault: true,
      origin: { format: 'uki', file: '/EFI/Linux/debian-6.1.0-27-amd64.efi', line: null },
    });
    const file = 'EFI/Linux/debian-6.1.0-27-amd64.efi';
    expect(Buffer.from(bytesOf(root, file, entry.inside!.linux)).equals(kernel)).toBe(true);
    // The microcode first, as the stub hands them over.
    expect(entry.inside!.initrds.map((r) => Buffer.from(bytesOf(root, file, r)).toString())).toEqual([ucode.toString(), initrd.toString()]);
  });

  it('lists the newest image first and makes it the default; falls back to NAME and VERSION_ID', () => {
    const older = makeUki('x64', [['.osrel', 'NAME=Fedora\nVERSION_ID=40\n'], ['.cmdline', 'root=/dev/vda2'], ['.linux', kernel]]);
    const { result } = esp({ 'EFI/Linux/fedora-6.8.5.efi': older, 'EFI/Linux/fedora-6.10.1.efi': older });
    expect(result.entries.map((e) => [e.kernel.path, e.label, e.isDefault])).toEqual([
      ['/EFI/Linux/fedora-6.10.1.efi', 'Fedora (40)', true],
      ['/EFI/Linux/fedora-6.8.5.efi', 'Fedora (40)', false],
    ]);
  });

  it("takes loader.conf's default glob over the file names, and leaves the default to type #1 entries without one", () => {
    const image = makeUki('x64', [['.osrel', DEBIAN_OS_RELEASE], ['.linux', kernel]]);
    const defaults = (files: Record<string, Uint8Array | string>) => esp(files).result.entries.filter((e) => e.isDefault).map((e) => e.kernel.path);
    const two = { 'EFI/Linux/debian-6.1.efi': image, 'EFI/Linux/debian-6.2.efi': image };
    expect(defaults({ ...two, 'loader/loader.conf': 'timeout 3\ndefault debian-6.1*\n' })).toEqual(['/EFI/Linux/debian-6.1.efi']);
    expect(defaults({ ...two, 'loader/loader.conf': 'default debian-6.1\n' })).toEqual(['/EFI/Linux/debian-6.1.efi']);
    expect(defaults({ ...two, 'loader/loader.conf': 'default 8a3c-*\n', 'loader/entries/8a3c-6.1.conf': 'linux /l\n' })).toEqual([]);
    expect(defaults({ ...two, 'loader/entries/8a3c-6.1.conf': 'linux /l\n' })).toEqual([]);
    expect(defaults(two)).toEqual(['/EFI/Linux/debian-6.2.efi']);
  });

  it('gives each profile of a multi-profile image an entry: its own sections over the base', () => {
    // As the UKI specification's example: a base, a regular profile, a factory-reset profile with its own .cmdline.
    const made = makeUki('x64', [
      ['.osrel', DEBIAN_OS_RELEASE],
      ['.cmdline', 'quiet'],
      ['.linux', kernel],
      ['.prof0', 'ID=regular\nTITLE="Regular boot"\n'],
      ['.prof1', 'ID=factory-reset\nTITLE="Reset Device to Factory Defaults"\n'],
      ['.cmd1', 'quiet systemd.unit=factory-reset.target'],
    ]);
    const image = renameSections(made, { '.prof0': '.profile', '.prof1': '.profile', '.cmd1': '.cmdline' });
    const { result } = esp({ 'EFI/Linux/debian.efi': image });
    expect(result.entries.map((e) => [e.label, e.cmdline])).toEqual([
      ['Debian GNU/Linux 12 (bookworm) (12): Regular boot', 'quiet'],
      ['Debian GNU/Linux 12 (bookworm) (12): Reset Device to Factory Defaults', 'quiet systemd.unit=factory-reset.target'],
    ]);
    expect(result.entries[0]!.inside!.linux).toEqual(result.entries[1]!.inside!.linux);
  });

  it('says why a file in /EFI/Linux is not a unified kernel image, and lists the rest', () => {
    const stubOnly = makeUki('x64', [['.osrel', DEBIAN_OS_RELEASE]]);
    // Cut inside the kernel (objcopy leaves the stub's symbol table after the sections).
    const truncated = debian.subarray(0, sectionOffset(debian, '.linux') + 100);
    const { result } = esp({
      'EFI/Linux/a-good.efi': debian,
      'EFI/Linux/no-kernel.efi': stubOnly,
      'EFI/Linux/garbage.efi': 'not an EFI program',
      'EFI/Linux/truncated.efi': truncated,
    });
    expect(result.entries.map((e) => e.kernel.path)).toEqual(['/EFI/Linux/a-good.efi']);
    expect(result.problems.map((p) => `${p.file}: ${p.message}`).sort()).toEqual([
      '/EFI/Linux/garbage.efi: not a unified kernel image: not a PE file (no MZ header)',
      '/EFI/Linux/no-kernel.efi: not a unified kernel image: has no .linux section: it is no unified kernel image',
      '/EFI/Linux/truncated.efi: not a unified kernel image: section .linux lies beyond the end of the file',
    ]);
  });
});

describe('parseBls: a type #1 entry naming a unified kernel image (`uki`)', () => {
  const image = makeUki('x64', [['.osrel', DEBIAN_OS_RELEASE], ['.cmdline', 'root=/dev/vda2 quiet'], ['.initrd', initrd], ['.linux', kernel]]);

  it("boots the image with its own .cmdline, or with the entry's options when it has them", () => {
    const { root } = esp({
      'EFI/debian/debian.efi': image,
      'loader/entries/a.conf': 'title Debian (its own command line)\nuki /EFI/debian/debian.efi\n',
      'loader/entries/b.conf': 'title Debian (rescue)\nuki /EFI/debian/debian.efi\noptions root=/dev/vda2 single\n',
      'loader/entries/c.conf': 'title Not one\nuki /EFI/debian/nothing.efi\n',
    });
    const result = parseBls({ files: fsSourceFiles(root), board: [], arch: 'x86_64' });
    // Sorted as the spec says: by file name, decreasing.
    expect(result.entries.map((e) => [e.label, e.kernel.path, e.cmdline])).toEqual([
      ['Debian (rescue)', '/EFI/debian/debian.efi', 'root=/dev/vda2 single'],
      ['Debian (its own command line)', '/EFI/debian/debian.efi', 'root=/dev/vda2 quiet'],
    ]);
    expect(Buffer.from(bytesOf(root, 'EFI/debian/debian.efi', result.entries[0]!.inside!.initrds[0]!)).equals(initrd)).toBe(true);
    expect(result.problems.map((p) => p.message)).toEqual(['uki /EFI/debian/nothing.efi: not a unified kernel image: cannot be read']);
  });
});
