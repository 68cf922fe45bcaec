import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { parseBls } from '../../src/parsers/bls.js';
import type { ParseContext, Parser } from '../../src/parsers/types.js';
import { fixturePath } from '../helpers/golden.js';
import { expectParsedFixture, parseFixture } from '../helpers/parse-fixture.js';

const bls: Parser = (ctx) => parseBls(ctx);

describe('parseBls on fixtures', () => {
  it('reads what Fedora writes on its /boot partition, with GRUB variables left empty and said so', () => {
    const result = expectParsedFixture(bls, 'bls', 'fedora');
    const mid = '0f3c9a7e5d2b4c1e8a6f9d0b7c3e2a14';
    // No sort-key: file names in decreasing version order, so 6.5.12 sorts above 6.5.6 (a plain
    // string sort would not) and the 0-rescue entry comes last.
    expect(result.entries.map((e) => e.version)).toEqual(['6.5.12-300.fc39.x86_64', '6.5.6-300.fc39.x86_64', `0-rescue-${mid}`]);
    const [newest] = result.entries;
    expect(newest!.label).toBe('Fedora Linux (6.5.12-300.fc39.x86_64) 39 (Workstation Edition)');
    expect(newest!.kernel).toEqual({ path: '/vmlinuz-6.5.12-300.fc39.x86_64' });
    expect(newest!.initrd).toEqual([{ path: '/initramfs-6.5.12-300.fc39.x86_64.img' }]);
    expect(newest!.cmdline).toBe('root=UUID=8c2d7a1e-4b3f-4e6a-9d5c-0a1b2c3d4e5f ro rootflags=subvol=root rhgb quiet');
    expect(newest!.isDefault).toBe(true);
    expect(newest!.origin).toEqual({ format: 'bls', file: `/loader/entries/${mid}-6.5.12-300.fc39.x86_64.conf`, line: 3 });
    expect(result.entries.filter((e) => e.isDefault)).toHaveLength(1);
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('$tuned_initrd, $tuned_params left empty'),
      expect.stringContaining('$tuned_initrd, $tuned_params left empty'),
    ]);
  });

  it('reads real kernel-install output on an ESP: same titles told apart by version, @saved falls back to the first', () => {
    const result = expectParsedFixture(bls, 'bls', 'systemd-boot-esp');
    const mid = '4a1f5c7e2b8d4e6f9a0b1c2d3e4f5a6b';
    expect(result.entries.map((e) => e.label)).toEqual([
      'Debian GNU/Linux 12 (bookworm) (6.1.0-27-amd64)',
      'Debian GNU/Linux 12 (bookworm) (6.1.0-26-amd64)',
    ]);
    expect(result.entries[0]!.kernel.path).toBe(`/${mid}/6.1.0-27-amd64/linux`);
    expect(result.entries[0]!.initrd).toEqual([{ path: `/${mid}/6.1.0-27-amd64/initrd.img-6.1.0-27-amd64` }]);
    expect(result.entries[0]!.cmdline).toBe(`root=UUID=0d2c6a3e-7f41-4b8a-9c5d-1e2f3a4b5c6d ro quiet systemd.machine_id=${mid}`);
    expect(result.entries.map((e) => e.isDefault)).toEqual([true, false]);
    expect(result.problems).toEqual([]);
  });

  it('keeps aarch64 entries with their device trees and hides the x64 one', () => {
    const result = expectParsedFixture(bls, 'bls', 'arm64', { arch: 'aarch64' });
    const mid = '7b2e4f6a8c0d4e1f9a3b5c7d9e1f2a3b';
    expect(result.entries.map((e) => e.version ?? e.label)).toEqual(['6.1.0-27-arm64', '6.1.0-26-arm64', 'Custom kernel']);
    const [newest, older, custom] = result.entries;
    expect(newest!.kernel.path).toBe(`/boot/${mid}/6.1.0-27-arm64/linux`);
    expect(newest!.dtb).toEqual({ path: '/boot/dtbs/rockchip/rk3399-rockpro64.dtb' });
    expect(newest!.overlays).toEqual([{ path: '/boot/dtbs/overlays/rk3399-uart2.dtbo' }, { path: '/boot/dtbs/overlays/rk3399-spi1.dtbo' }]);
    expect(older!.overlays).toEqual([]);
    expect(custom!.dtb).toBeNull();
    expect(result.entries.every((e) => e.fdtdir === null)).toBe(true);
  });

  it('shows the x64 entry instead when kexmenu runs on x86_64', () => {
    const result = parseFixture(bls, 'bls', 'arm64', { arch: 'x86_64' });
    expect(result.entries.map((e) => e.version ?? e.label)).toEqual(['6.1.0-27-amd64', 'Custom kernel']);
  });

  it('strips boot counters from ids, sorts "bad" entries last and matches the default glob in menu order', () => {
    const result = expectParsedFixture(bls, 'bls', 'boot-counting');
    expect(result.entries.map((e) => e.origin.file)).toEqual([
      '/loader/entries/debian-6.1.0-27-amd64+2-1.conf',
      '/loader/entries/debian-6.1.0-26-amd64.conf',
      '/loader/entries/debian-6.1.0-28-amd64+0-3.conf',
    ]);
    expect(result.entries.map((e) => e.isDefault)).toEqual([true, false, false]);
  });

  it('turns hostile input into problems and keeps the one sound entry', () => {
    const result = expectParsedFixture(bls, 'bls', 'hostile');
    expect(result.entries.map((e) => e.label)).toEqual(['Needs grubenv', 'Bad initrd']);
    const badInitrd = result.entries[1]!;
    expect(badInitrd.initrd).toEqual([{ path: '/initrd.img' }]);
    expect(result.entries[0]!.cmdline).toBe('');
    const messages = result.problems.map((p) => `${p.file}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/loader\/entries\/oversized\.conf: refused .*65536-byte limit/),
        '/loader/entries/no-linux.conf: entry has no linux line',
        '/loader/entries/climb.conf: path escapes its partition: ../../x',
        '/loader/entries/bad-initrd.conf: path escapes its partition: /../../../etc/shadow',
        expect.stringMatching(/^\/loader\/entries\/escape\.conf: path escapes/),
        expect.stringMatching(/^\/loader\/entries\/garbage\.conf: linux line names no file/),
        expect.stringMatching(/^\/loader\/entries\/grubvars\.conf: \$kernelopts, \$extra left empty/),
      ]),
    );
    // A problem points at the line of the path that failed, not at the entry's linux line.
    expect(result.problems.find((p) => p.message.includes('etc/shadow'))?.line).toBe(3);
    expect(messages.some((m) => m.includes('memtest'))).toBe(false);
    expect(messages.some((m) => m.includes('dir.conf'))).toBe(false);
  });
});

describe('parseBls options (the GRUB blscfg path)', () => {
  const ctx = (name: string): ParseContext => ({ files: fsSourceFiles(fixturePath('bls', name, 'tree')), board: [], arch: 'x86_64' });

  it('expands variables with the caller`s function and reports nothing left empty', () => {
    const vars: Record<string, string> = { tuned_params: 'skew_tick=1', tuned_initrd: '/tuned.img' };
    const result = parseBls(ctx('fedora'), { expand: (text) => text.replace(/\$(\w+)/g, (_m, name: string) => vars[name] ?? '') });
    expect(result.entries[0]!.cmdline).toMatch(/ quiet skew_tick=1$/);
    expect(result.entries[0]!.initrd.map((i) => i.path)).toEqual(['/initramfs-6.5.12-300.fc39.x86_64.img', '/tuned.img']);
    expect(result.problems).toEqual([]);
  });

  it('lets defaultId win over loader.conf, and ignores one that names nothing', () => {
    const pick = (defaultId: string | null) => parseBls(ctx('boot-counting'), { defaultId }).entries.find((e) => e.isDefault)?.version;
    expect(pick('debian-6.1.0-26-amd64')).toBe('6.1.0-26-amd64');
    expect(pick('debian-6.1.0-28-amd64+0-3.conf')).toBe('6.1.0-28-amd64');
    expect(pick('no-such-entry')).toBe('6.1.0-27-amd64');
  });

  it('reads only the directories it is given, with or without a trailing slash', () => {
    expect(parseBls(ctx('fedora'), { dirs: ['/boot/loader/entries'] }).entries).toEqual([]);
    const slashed = parseBls(ctx('fedora'), { dirs: ['/loader/entries/'] });
    expect(slashed.entries[0]!.origin.file).toBe('/loader/entries/0f3c9a7e5d2b4c1e8a6f9d0b7c3e2a14-6.5.12-300.fc39.x86_64.conf');
  });
});

describe('parseBls on a root filesystem whose entries were written for a separate /boot', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds /vmlinuz under /boot when the root has none, and keeps paths that exist as written', () => {
    root = mkdtempSync(path.join(tmpdir(), 'kexmenu-bls-'));
    mkdirSync(path.join(root, 'boot/loader/entries'), { recursive: true });
    writeFileSync(path.join(root, 'boot/vmlinuz-6.8'), 'k');
    writeFileSync(path.join(root, 'boot/initrd-6.8'), 'i');
    writeFileSync(path.join(root, 'initrd-root'), 'i');
    writeFileSync(path.join(root, 'boot/loader/entries/a.conf'), 'linux /vmlinuz-6.8\ninitrd /initrd-6.8\ninitrd /initrd-root\n');
    const result = parseBls({ files: fsSourceFiles(root), board: [], arch: 'x86_64' });
    expect(result.entries[0]!.kernel.path).toBe('/boot/vmlinuz-6.8');
    expect(result.entries[0]!.initrd.map((i) => i.path)).toEqual(['/boot/initrd-6.8', '/initrd-root']);
    expect(result.entries[0]!.label).toBe('a');
  });
});
