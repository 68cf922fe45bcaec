import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsSourceFiles, MAX_CONFIG_BYTES } from '../../src/discover/source-files.js';
import { parseExtlinux } from '../../src/parsers/extlinux.js';
import { fixturePath } from '../helpers/golden.js';
import { expectParsedFixture } from '../helpers/parse-fixture.js';

const labels = (result: { entries: { label: string }[] }) => result.entries.map((e) => e.label);

describe('parseExtlinux on fixtures', () => {
  it('reads what Debian`s real u-boot-update writes', () => {
    const conf = readFileSync(fixturePath('extlinux', 'debian-u-boot-menu', 'tree/boot/extlinux/extlinux.conf'), 'utf8');
    expect(conf).toMatch(/^## \/boot\/extlinux\/extlinux.conf\n/);
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'debian-u-boot-menu', { arch: 'aarch64' });
    expect(labels(result)).toEqual([
      'Debian GNU/Linux 12 (bookworm) 6.1.0-27-arm64',
      'Debian GNU/Linux 12 (bookworm) 6.1.0-27-arm64 (rescue target)',
      'Debian GNU/Linux 12 (bookworm) 6.1.0-26-arm64',
      'Debian GNU/Linux 12 (bookworm) 6.1.0-26-arm64 (rescue target)',
    ]);
    const [l0, l0r] = result.entries;
    expect(l0!.kernel).toEqual({ path: '/boot/vmlinuz-6.1.0-27-arm64' });
    expect(l0!.initrd).toEqual([{ path: '/boot/initrd.img-6.1.0-27-arm64' }]);
    // FDTDIR is handed on as a directory; the scanner matches the board's dtb inside it.
    expect(l0!.fdtdir).toEqual({ path: '/usr/lib/linux-image-6.1.0-27-arm64' });
    expect(l0!.dtb).toBeNull();
    expect(l0!.cmdline).toBe('root=UUID=5b1f3c2a-8e4d-4f6b-9a7c-2d1e0f3b4a59 ro quiet');
    expect(l0r!.cmdline).toBe('root=UUID=5b1f3c2a-8e4d-4f6b-9a7c-2d1e0f3b4a59 ro single');
    expect(result.entries.map((e) => e.isDefault)).toEqual([true, false, false, false]);
    expect(l0!.origin).toEqual({ format: 'extlinux', file: '/boot/extlinux/extlinux.conf', line: 14 });
    expect(result.problems).toEqual([]);
  });

  it('reads a separate /boot partition with fdtdir /dtbs/', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'ubuntu-arm64', { arch: 'aarch64' });
    expect(result.entries).toHaveLength(4);
    expect(result.entries[0]!.kernel.path).toBe('/vmlinuz-6.8.0-45-generic');
    expect(result.entries.every((e) => e.fdtdir?.path === '/dtbs')).toBe(true);
  });

  it('names device trees and overlays, reading relative paths from the config directory, else the partition root', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'fdt-and-overlays', { arch: 'aarch64' });
    const [overlays, devicetree, fdtdir, missing] = result.entries;
    expect(overlays!.kernel.path).toBe('/boot/Image');
    expect(overlays!.dtb).toEqual({ path: '/boot/dtbs/rockchip/rk3399-rockpro64.dtb' });
    expect(overlays!.overlays.map((o) => o.path)).toEqual(['/boot/dtbs/overlays/rk3399-uart2.dtbo', '/boot/dtbs/overlays/rk3399-spi1.dtbo']);
    expect(overlays!.isDefault).toBe(true);
    expect(devicetree!.kernel.path).toBe('/boot/Image');
    expect(devicetree!.dtb?.path).toBe('/boot/dtbs/rockchip/rk3399-rockpro64.dtb');
    expect(fdtdir!.fdtdir?.path).toBe('/boot/dtbs');
    expect(fdtdir!.dtb).toBeNull();
    expect(missing!.kernel.path).toBe('/boot/extlinux/Image-6.7');
  });

  it('reads a syslinux BIOS menu: menu module, submenus flattened, non-Linux labels and help text skipped', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'syslinux-bios');
    expect(labels(result)).toEqual([
      'Arch Linux',
      'Arch Linux Fallback',
      'Tools and old kernels > Arch Linux LTS',
      'Tools and old kernels > Memtest86+',
    ]);
    const [arch, , lts] = result.entries;
    expect(arch!.isDefault).toBe(true);
    expect(arch!.initrd.map((i) => i.path)).toEqual(['/boot/intel-ucode.img', '/boot/initramfs-linux.img']);
    expect(lts!.initrd.map((i) => i.path)).toEqual(['/boot/intel-ucode.img', '/boot/initramfs-linux-lts.img']);
    expect(lts!.cmdline).toBe('root=UUID=3e4c5a6b-7d8e-4f9a-0b1c-2d3e4f5a6b7c rw');
    expect(result.problems).toEqual([]);
  });

  it('applies a global APPEND only to labels without one, and reads a symlinked second config once', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'global-append');
    expect(result.entries.map((e) => [e.label, e.cmdline])).toEqual([
      ['inherits', 'console=ttyS0,115200 root=/dev/vda1 ro'],
      ['Own APPEND', 'quiet root=/dev/vda1'],
      ['none', ''],
      ['both-initrds', 'quiet'],
    ]);
    expect(result.entries[3]!.initrd.map((i) => i.path)).toEqual(['/initrd.img', '/extra.img']);
    expect(result.entries.map((e) => e.isDefault)).toEqual([false, true, false, false]);
  });

  it('turns hostile input into problems without throwing, and keeps the label that can boot', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'hostile', { arch: 'aarch64' });
    expect(labels(result)).toEqual(['from-a', 'ok']);
    const ok = result.entries[1]!;
    expect(ok.initrd).toEqual([{ path: '/boot/initrd.img' }]);
    expect(ok.dtb).toBeNull();
    expect(result.entries.some((e) => e.isDefault)).toBe(false);
    const messages = result.problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^INCLUDE loop: .*loop-a\.conf -> .*loop-b\.conf -> .*loop-a\.conf$/),
        'INCLUDE path escapes its partition: ../../../../etc/passwd',
        expect.stringMatching(/^INCLUDE not found: .*missing\.conf/),
        expect.stringMatching(/^INCLUDE nested deeper than 8 files/),
        'DEFAULT names no LABEL: nosuchlabel',
        'path escapes its partition: ../../../etc/passwd',
        'LABEL nokernel has no KERNEL or LINUX line',
        'path escapes its partition: ../../../../x.img',
        'path escapes its partition: ../../../../../board.dtb',
        'MENU END without MENU BEGIN',
      ]),
    );
    // TIMEOUT is syslinux's menu policy, not kexmenu's: even a bad one is no problem.
    expect(messages.some((m) => m.includes('TIMEOUT'))).toBe(false);
  });
});

describe('parseExtlinux on generated trees', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const tree = (files: Record<string, string>) => {
    root = mkdtempSync(path.join(tmpdir(), 'kexmenu-extlinux-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), text);
    }
    return { files: fsSourceFiles(root), board: [], arch: 'aarch64' as const };
  };

  it('refuses an oversized config with a problem', () => {
    const ctx = tree({ '/extlinux/extlinux.conf': `LABEL a\n LINUX /Image\n${'#'.repeat(MAX_CONFIG_BYTES)}\n` });
    const result = parseExtlinux(ctx);
    expect(result.entries).toEqual([]);
    expect(result.problems).toEqual([{ file: '/extlinux/extlinux.conf', line: null, message: expect.stringContaining('over the') }]);
  });

  it('stops an INCLUDE fan-out that stays within the depth bound', () => {
    const many = (next: string) => `INCLUDE ${next}\n`.repeat(20);
    const ctx = tree({
      '/syslinux.cfg': many('b.cfg'),
      '/b.cfg': many('c.cfg'),
      '/c.cfg': many('d.cfg'),
      '/d.cfg': 'LABEL x\n LINUX /x\n',
    });
    const result = parseExtlinux(ctx);
    expect(result.problems.map((p) => p.message)).toEqual(['more than 64 INCLUDEs: the rest are ignored']);
    expect(result.entries.length).toBeLessThan(64);
    expect(result.entries.length).toBeGreaterThan(0);
  });

  it('treats each config file as its own menu with its own default', () => {
    const ctx = tree({
      '/boot/extlinux/extlinux.conf': 'DEFAULT b\nLABEL a\n LINUX /a\nLABEL b\n LINUX /b\n',
      '/syslinux.cfg': 'DEFAULT c\nTIMEOUT 20\nLABEL c\n KERNEL /c\n',
    });
    const result = parseExtlinux(ctx);
    expect(result.entries.map((e) => [e.kernel.path, e.isDefault, e.origin.file])).toEqual([
      ['/a', false, '/boot/extlinux/extlinux.conf'],
      ['/b', true, '/boot/extlinux/extlinux.conf'],
      ['/c', true, '/syslinux.cfg'],
    ]);
  });

  it('lets ONTIMEOUT and MENU DEFAULT decide over DEFAULT, and takes TIMEOUT, PROMPT and UI without complaint', () => {
    const labelsAB = 'LABEL a\n LINUX /a\nLABEL b\n LINUX /b\n MENU DEFAULT\nLABEL c\n LINUX /c\n';
    const onTimeout = parseExtlinux(tree({ '/syslinux.cfg': `UI menu.c32\nPROMPT 1\nDEFAULT a\nONTIMEOUT c\nTIMEOUT 0\n${labelsAB}` }));
    expect(onTimeout.entries.find((e) => e.isDefault)?.kernel.path).toBe('/c');
    expect(onTimeout.problems).toEqual([]);
    rmSync(root, { recursive: true, force: true });
    const menuDefault = parseExtlinux(tree({ '/syslinux.cfg': `DEFAULT a\n${labelsAB}` }));
    expect(menuDefault.entries.find((e) => e.isDefault)?.kernel.path).toBe('/b');
  });

  it('reads nothing and reports nothing on a partition without a config', () => {
    expect(parseExtlinux(tree({ '/boot/vmlinuz': 'k' }))).toEqual({ entries: [], problems: [] });
  });
});
