// Entries whose image is not Linux: Debian's real memtest86+ images (a program that speaks the
// Linux boot protocol, which kexec starts as it would Linux) and an EFI program that is no Linux
// EFI stub (which kexec cannot start), named by a grub.cfg of Debian's 20_memtest86+ shape.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planBoot } from '../../src/boot/plan.js';
import { scanSource } from '../../src/discover/scan-source.js';
import type { BootSource } from '../../src/model.js';
import { readMachine } from '../../src/platform/machine.js';
import { fakeBzImage } from '../helpers/fake-kernel.js';
import { fixturePath } from '../helpers/golden.js';
import { REPO } from '../helpers/screen.js';
import { systemdStub } from '../helpers/uki.js';

const memtest = execFileSync('bash', [path.join(REPO, 'scripts/fetch-debian-package.sh'), 'amd64', 'memtest86+'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-not-linux-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

mkdirSync(path.join(root, 'boot/grub'), { recursive: true });
for (const name of ['memtest86+x64.bin', 'memtest86+x64.efi']) copyFileSync(path.join(memtest, 'boot', name), path.join(root, 'boot', name));
copyFileSync(systemdStub('x64'), path.join(root, 'boot/efi-program.efi'));
writeFileSync(path.join(root, 'boot/vmlinuz-6.1.0-27-amd64'), fakeBzImage('6.1.0-27-amd64'));
writeFileSync(
  path.join(root, 'boot/grub/grub.cfg'),
  [
    'menuentry "Debian GNU/Linux" {\n  linux /boot/vmlinuz-6.1.0-27-amd64 root=/dev/vda1 ro quiet\n}',
    'menuentry "Memory test (memtest86+x64.bin)" {\n  linux16 /boot/memtest86+x64.bin\n}',
    'menuentry "Memory test (memtest86+x64.efi, serial console)" {\n  linux /boot/memtest86+x64.efi console=ttyS0,115200\n}',
    'menuentry "An EFI program" {\n  linux /boot/efi-program.efi\n}',
    'menuentry "Windows Boot Manager" {\n  chainloader /EFI/Microsoft/Boot/bootmgfw.efi\n}',
  ].join('\n') + '\n',
);
const source: BootSource = { id: 'vda1', root, device: '/dev/vda1', fstype: 'ext4', label: null, uuid: null, partuuid: 'feedf00d-01', removable: false, size: 1e9 };
const scan = scanSource({ sources: [source], index: 0, board: [], arch: 'x86_64' });

describe('entries that are not Linux', () => {
  it("lists memtest86+'s images as programs kexec can start, never as Linux", () => {
    expect(scan.entries.map((e) => [e.label, e.arch, e.notLinux])).toEqual([
      ['Debian GNU/Linux', 'x86_64', null],
      ['Memory test (memtest86+x64.bin)', 'x86_64', 'linux-boot-protocol'],
      ['Memory test (memtest86+x64.efi, serial console)', 'x86_64', 'linux-boot-protocol'],
    ]);
  });

  it('says why the rest cannot be booted', () => {
    expect(scan.problems.map((p) => p.message)).toEqual([
      'menu entry "Windows Boot Manager" boots with chainloader, which starts no kernel kexec can load (only Linux and programs that speak its boot protocol): not listed',
      'An EFI program: /boot/efi-program.efi is an EFI program, not a Linux kernel: kexec cannot start it',
    ]);
  });

  it("boots memtest with its own command line, or none: no root= made up for it, no initrd asked for", () => {
    const machine = readMachine(fixturePath('machines', 'x86_64-pc'));
    const [bin, serial] = [scan.entries[1]!, scan.entries[2]!].map((e) => planBoot(e, machine));
    expect(bin!.cmdline).toBe('');
    expect(serial!.cmdline).toBe('console=ttyS0,115200');
    expect(bin!.warnings).toEqual([expect.stringMatching(/^this is not Linux: its header names no kernel release/)]);
  });
});
