import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsSourceFiles, MAX_CONFIG_BYTES } from '../../src/discover/source-files.js';
import { MAX_CONFIG_DEPTH, MAX_CONFIG_READS, parseExtlinux } from '../../src/parsers/extlinux.js';
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

describe('parseExtlinux: one file at several search paths, read as the loader opens it', () => {
  const files = (result: { entries: { origin: { file: string } }[] }) => [...new Set(result.entries.map((e) => e.origin.file))];

  it('reads a separate /boot partition with boot -> . once, as /extlinux/extlinux.conf (U-Boot tries "/" before "/boot/")', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'separate-boot-symlink', { arch: 'aarch64' });
    expect(labels(result)).toEqual(['Debian GNU/Linux 12 (bookworm) 6.1.0-27-arm64', 'Debian GNU/Linux 12 (bookworm) 6.1.0-27-arm64 (rescue target)']);
    expect(files(result)).toEqual(['/extlinux/extlinux.conf']);
    expect(result.entries[0]!.kernel).toEqual({ path: '/vmlinuz-6.1.0-27-arm64' });
    expect(result.problems).toEqual([]);
  });

  it('reads an /extlinux/extlinux.conf symlink to /boot/extlinux/extlinux.conf once, as the symlink U-Boot opens first', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'extlinux-conf-symlink', { arch: 'aarch64' });
    expect(result.entries).toHaveLength(2);
    expect(files(result)).toEqual(['/extlinux/extlinux.conf']);
    expect(result.entries[0]!.kernel).toEqual({ path: '/boot/vmlinuz-6.1.0-27-arm64' });
  });

  it('finds the config in the directory extlinux was installed to (Alpine: ldlinux.sys and extlinux.conf in /boot)', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'alpine-extlinux');
    expect(labels(result)).toEqual(['Linux lts']);
    const [lts] = result.entries;
    expect(lts!.kernel).toEqual({ path: '/boot/vmlinuz-lts' });
    expect(lts!.initrd).toEqual([{ path: '/boot/initramfs-lts' }]);
    expect(lts!.isDefault).toBe(true);
    expect(result.problems).toEqual([]);
  });
});

describe('parseExtlinux: CONFIG', () => {
  it('lists what a CONFIG label leads to under it, read in the directory it names, with the default its menu picks', () => {
    const result = expectParsedFixture(parseExtlinux, 'extlinux', 'config-chain');
    expect(result.entries.map((e) => [e.label, e.kernel.path, e.isDefault])).toEqual([
      ['Debian 12 installer > Install', '/debian/install.amd/vmlinuz', true],
      ['Rescue system > Rescue shell', '/rescue/vmlinuz', false],
    ]);
    const [install, rescue] = result.entries;
    expect(install!.initrd).toEqual([{ path: '/debian/install.amd/initrd.gz' }]);
    expect(install!.cmdline).toBe('vga=788 --- quiet');
    expect(install!.origin).toEqual({ format: 'extlinux', file: '/debian/isolinux/txt.cfg', line: 2 });
    expect(rescue!.origin.file).toBe('/syslinux/rescue.cfg');
    // SAY is syslinux talking about its own menu: neither an entry nor a problem.
    expect(result.problems).toEqual([]);
  });
});

describe('parseExtlinux on generated trees', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  /** Files by path; a value `-> target` makes a symlink instead. */
  const tree = (files: Record<string, string>) => {
    root = mkdtempSync(path.join(tmpdir(), 'kexmenu-extlinux-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      if (text.startsWith('-> ')) symlinkSync(text.slice(3), path.join(root, name));
      else writeFileSync(path.join(root, name), text);
    }
    return { files: fsSourceFiles(root), board: [], arch: 'aarch64' as const };
  };
  const messages = (result: { problems: { message: string }[] }) => result.problems.map((p) => p.message);
  const origins = (result: { entries: { origin: { file: string } }[] }) => result.entries.map((e) => e.origin.file);

  it('lists U-Boot`s /extlinux/extlinux.conf before /boot/extlinux/extlinux.conf', () => {
    const result = parseExtlinux(tree({ '/boot/extlinux/extlinux.conf': 'LABEL b\n LINUX /b\n', '/extlinux/extlinux.conf': 'LABEL a\n LINUX /a\n' }));
    expect(origins(result)).toEqual(['/extlinux/extlinux.conf', '/boot/extlinux/extlinux.conf']);
  });

  it('reads a config at the install directory and at a SYSLINUX fallback path as the install directory`s', () => {
    const result = parseExtlinux(tree({ '/boot/ldlinux.sys': 'x', '/boot/syslinux.cfg': 'LABEL a\n KERNEL vmlinuz\n', '/syslinux.cfg': '-> boot/syslinux.cfg' }));
    expect(origins(result)).toEqual(['/boot/syslinux.cfg']);
    expect(result.entries[0]!.kernel.path).toBe('/boot/vmlinuz');
  });

  it('looks for extlinux.conf before syslinux.cfg in each SYSLINUX directory, and only where syslinux looks', () => {
    const result = parseExtlinux(
      tree({
        '/syslinux/syslinux.cfg': 'LABEL b\n LINUX /b\n',
        '/syslinux/extlinux.conf': 'LABEL a\n LINUX /a\n',
        // No ldlinux.sys in /boot: SYSLINUX was not installed there and never reads this.
        '/boot/extlinux.conf': 'LABEL c\n LINUX /c\n',
      }),
    );
    expect(origins(result)).toEqual(['/syslinux/extlinux.conf', '/syslinux/syslinux.cfg']);
  });

  it('does not list a config again on its own when a CONFIG label already leads to it', () => {
    const result = parseExtlinux(tree({ '/syslinux/syslinux.cfg': 'LABEL iso\n CONFIG /isolinux/isolinux.cfg\n', '/isolinux/isolinux.cfg': 'LABEL a\n LINUX /a\n' }));
    expect(result.entries.map((e) => e.label)).toEqual(['iso > a']);
  });

  it('keeps the working directory for a CONFIG without one, and reports a named one that is not there', () => {
    const result = parseExtlinux(
      tree({
        '/syslinux/syslinux.cfg': 'LABEL one\n CONFIG sub/one.cfg\nLABEL two\n CONFIG sub/two.cfg /nowhere/\n',
        '/syslinux/sub/one.cfg': 'LABEL a\n LINUX vmlinuz\n',
        '/syslinux/sub/two.cfg': 'LABEL b\n LINUX vmlinuz\n',
      }),
    );
    // syslinux changes directory only when told to: vmlinuz is read from /syslinux, not /syslinux/sub.
    expect(result.entries.map((e) => e.kernel.path)).toEqual(['/syslinux/vmlinuz', '/syslinux/vmlinuz']);
    expect(messages(result)).toEqual(['CONFIG working directory not found: /nowhere/ (paths are read from /syslinux)']);
  });

  it('turns CONFIG loops, escapes, missing files and CONFIG outside a LABEL into problems', () => {
    const result = parseExtlinux(
      tree({
        '/syslinux.cfg': [
          'CONFIG /other.cfg',
          'LABEL self\n CONFIG /syslinux.cfg',
          'LABEL out\n CONFIG ../../etc/passwd',
          'LABEL gone\n CONFIG /missing.cfg',
          'LABEL dir\n CONFIG /boot',
          'LABEL empty\n CONFIG',
          'LABEL ok\n LINUX /vmlinuz',
          '',
        ].join('\n'),
        '/boot/x': 'x',
      }),
    );
    expect(result.entries.map((e) => e.label)).toEqual(['ok']);
    expect(messages(result)).toEqual([
      'CONFIG outside a LABEL is ignored (syslinux reads it only as what a label boots)',
      'CONFIG loop: /syslinux.cfg -> /syslinux.cfg',
      'CONFIG path escapes its partition: ../../etc/passwd',
      'CONFIG not found: /missing.cfg',
      'CONFIG not a file: /boot',
      'LABEL empty: CONFIG names no file',
    ]);
  });

  it('stops CONFIG chains at their depth, and labels that each chain on at a total', () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i <= MAX_CONFIG_DEPTH + 2; i++) chain[`/c${i}.cfg`] = `LABEL l${i}\n LINUX /k${i}\nLABEL next\n CONFIG /c${i + 1}.cfg\n`;
    const deep = parseExtlinux(tree({ '/syslinux.cfg': '-> c0.cfg', ...chain }));
    expect(deep.entries).toHaveLength(MAX_CONFIG_DEPTH + 1);
    expect(messages(deep)).toEqual([expect.stringMatching(new RegExp(`^CONFIG chained deeper than ${MAX_CONFIG_DEPTH} files: /c${MAX_CONFIG_DEPTH + 1}\\.cfg$`))]);
    rmSync(root, { recursive: true, force: true });

    const fan = (next: string) => Array.from({ length: 20 }, (_, i) => `LABEL f${i}\n CONFIG /${next}.cfg\n`).join('');
    const wide = parseExtlinux(tree({ '/syslinux.cfg': fan('b'), '/b.cfg': fan('c'), '/c.cfg': fan('d'), '/d.cfg': 'LABEL x\n LINUX /x\n' }));
    expect(messages(wide)).toEqual([`more than ${MAX_CONFIG_READS} CONFIG files: the rest are not read`]);
    expect(wide.entries.length).toBeGreaterThan(0);
    expect(wide.entries.length).toBeLessThanOrEqual(MAX_CONFIG_READS);
  });

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
