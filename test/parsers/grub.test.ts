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
    expect(r.timeout).toBe(5);
  });

  it('reads a separate /boot partition: paths without /boot, saved_entry by title path, timeout -1', () => {
    const r = expectParsedFixture(parseGrub, 'grub', 'debian-separate-boot');
    expect(r.problems).toEqual([]);
    expect(r.entries).toHaveLength(5);
    for (const e of r.entries) {
      expect(e.kernel.path).toMatch(/^\/vmlinuz-6\.1\.0-2[67]-amd64$/);
      expect(e.kernel.device).toEqual({ by: 'uuid', value: BOOT_UUID });
      expect(e.origin.file).toBe('/grub/grub.cfg');
    }
    expect(theDefault(r).label).toBe('Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-26-amd64');
    expect(r.timeout).toBe(-1);
  });
});
