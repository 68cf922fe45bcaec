import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleScan, orderWithOneDefault, type ParsedSource } from '../../src/discover/assemble.js';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import type { BootFormat, BootSource } from '../../src/model.js';
import type { ParsedEntry, ParseResult } from '../../src/parsers/types.js';
import { fakeArm64Image, fakeBzImage } from '../helpers/fake-kernel.js';

function source(id: string, root: string, uuid: string | null = null): BootSource {
  return { id, root, device: `/dev/${id}`, fstype: 'ext4', label: null, uuid, partuuid: null, removable: false, size: null };
}

function entry(label: string, kernel: string, extra: Partial<ParsedEntry> = {}): ParsedEntry {
  return {
    label,
    kernel: { path: kernel },
    initrd: [],
    dtb: null,
    fdtdir: null,
    overlays: [],
    cmdline: 'ro',
    isDefault: false,
    origin: { format: 'grub', file: '/boot/grub/grub.cfg', line: 1 },
    ...extra,
  };
}

function parsed(src: BootSource, results: [BootFormat, ParseResult][]): ParsedSource {
  return { view: { source: src, files: fsSourceFiles(src.root) }, results: results.map(([format, result]) => ({ format, result })) };
}

describe('assembleScan', () => {
  let disk1: string;
  let disk2: string;
  beforeAll(() => {
    const base = mkdtempSync(path.join(tmpdir(), 'kexmenu-asm-'));
    disk1 = path.join(base, 'disk1');
    disk2 = path.join(base, 'disk2');
    mkdirSync(path.join(disk1, 'boot'), { recursive: true });
    mkdirSync(path.join(disk2, 'dtbs/broadcom'), { recursive: true });
    writeFileSync(path.join(disk1, 'boot/vmlinuz-6.1'), fakeBzImage('6.1'));
    writeFileSync(path.join(disk1, 'boot/vmlinuz-5.10'), fakeBzImage('5.10'));
    writeFileSync(path.join(disk1, 'boot/initrd.img-6.1'), 'initrd');
    symlinkSync('boot/vmlinuz-6.1', path.join(disk1, 'vmlinuz'));
    writeFileSync(path.join(disk2, 'Image'), fakeArm64Image());
  });

  it('resolves paths, reads arch, keeps one default and puts it first', () => {
    const d1 = source('vda1', disk1);
    const d2 = source('vdb1', disk2);
    const result = assembleScan([
      parsed(d1, [['grub', { entries: [entry('Debian', '/boot/vmlinuz-6.1', { initrd: [{ path: '/boot/initrd.img-6.1' }] })], problems: [] }]]),
      parsed(d2, [['extlinux', { entries: [entry('Arm', '/Image', { isDefault: true, origin: { format: 'extlinux', file: '/extlinux.conf', line: 3 } })], problems: [] }]]),
    ], []);
    expect(result.entries.map((e) => [e.id, e.default, e.arch])).toEqual([
      ['vdb1:extlinux:0', true, 'aarch64'],
      ['vda1:grub:0', false, 'x86_64'],
    ]);
    expect(result.entries[1]).toMatchObject({ kernel: path.join(disk1, 'boot/vmlinuz-6.1'), initrd: [path.join(disk1, 'boot/initrd.img-6.1')], kind: 'config' });
    expect(result.entries[0]!.origin).toEqual({ format: 'extlinux', file: path.join(disk2, 'extlinux.conf'), line: 3 });
  });

  it("prefers a removable disk's own default over a fixed disk's", () => {
    const fixed = source('vda1', disk1);
    const stick = { ...source('sda1', disk2), removable: true };
    const result = assembleScan([
      parsed(fixed, [['grub', { entries: [entry('Debian', '/boot/vmlinuz-6.1', { isDefault: true })], problems: [] }]]),
      parsed(stick, [['extlinux', { entries: [entry('Rescue', '/Image', { isDefault: true })], problems: [] }]]),
    ], []);
    expect(result.entries.map((e) => [e.label, e.default])).toEqual([['Rescue', true], ['Debian', false]]);
  });

  it('orders without changing the entries it is given, and picks no stand-in default while disks are still to answer', () => {
    const stick = { ...source('sda1', disk2), removable: true };
    const entries = assembleScan([parsed(stick, [['extlinux', { entries: [entry('No default', '/Image')], problems: [] }]])], []).entries;
    const fresh = entries.map((e) => ({ ...e, default: false }));
    const partial = orderWithOneDefault([fresh], [stick], false);
    expect(partial.map((e) => e.default)).toEqual([false]);
    const whole = orderWithOneDefault([fresh], [stick]);
    expect(whole.map((e) => e.default)).toEqual([true]);
    expect(fresh[0]!.default).toBe(false);
  });

  it('leaves out an empty initrd and says so', () => {
    writeFileSync(path.join(disk1, 'boot/initrd-empty.img'), '');
    const d1 = source('vda1', disk1);
    const result = assembleScan([parsed(d1, [['grub', { entries: [entry('Debian', '/boot/vmlinuz-6.1', { initrd: [{ path: '/boot/initrd-empty.img' }, { path: '/boot/initrd.img-6.1' }] })], problems: [] }]])], []);
    expect(result.entries[0]!.initrd).toEqual([path.join(disk1, 'boot/initrd.img-6.1')]);
    expect(result.problems.map((p) => p.message)).toEqual(['Debian: initrd /boot/initrd-empty.img is empty (0 bytes): left out']);
  });

  it('lists a kernel built for another architecture, and reports that it cannot boot here', () => {
    const d2 = source('vdb1', disk2);
    const result = assembleScan([parsed(d2, [['extlinux', { entries: [entry('Arm', '/Image')], problems: [] }]])], [], 'x86_64');
    expect(result.entries.map((e) => [e.label, e.arch])).toEqual([['Arm', 'aarch64']]);
    expect(result.problems.map((p) => p.message)).toEqual(['Arm: the kernel is built for aarch64, and this machine is x86_64: it cannot be booted here']);
  });

  it('follows a search --set=root UUID to another disk, and reports one that is not attached', () => {
    const d1 = source('vda1', disk1);
    const d2 = source('vdb1', disk2, 'AAAA-BBBB');
    const result = assembleScan([
      parsed(d1, [['grub', { entries: [
        entry('On the other disk', '/Image', { kernel: { path: '/Image', device: { by: 'uuid', value: 'aaaa-bbbb' } } }),
        entry('On a missing disk', '/Image', { kernel: { path: '/Image', device: { by: 'uuid', value: 'dead-beef' } } }),
      ], problems: [] }]]),
      parsed(d2, []),
    ], []);
    expect(result.entries.map((e) => [e.label, e.source, e.kernel])).toEqual([['On the other disk', 'vda1', path.join(disk2, 'Image')]]);
    expect(result.problems).toEqual([
      expect.objectContaining({ source: 'vda1', line: 1, message: expect.stringContaining('UUID=dead-beef, which is not attached') }),
    ]);
  });

  it('takes a UUID it cannot check (a directory source) to mean this tree when the file is here', () => {
    const dir = { ...source('disk1', disk1), device: null, fstype: null };
    const result = assembleScan([
      parsed(dir, [['grub', { entries: [entry('Debian', '/boot/vmlinuz-6.1', { kernel: { path: '/boot/vmlinuz-6.1', device: { by: 'uuid', value: '8c2f3a41' } } })], problems: [] }]]),
    ], []);
    expect(result.entries.map((e) => e.kernel)).toEqual([path.join(disk1, 'boot/vmlinuz-6.1')]);
    expect(result.problems).toEqual([]);
  });

  it('lists kernels no config names once, after the configured ones, and not through symlinks', () => {
    const d1 = source('vda1', disk1);
    const raw = (kernel: string): ParsedEntry => entry(kernel, kernel, { origin: { format: 'raw', file: kernel, line: null } });
    const result = assembleScan([
      parsed(d1, [
        ['grub', { entries: [entry('Debian', '/vmlinuz')], problems: [] }],
        ['raw', { entries: [raw('/boot/vmlinuz-6.1'), raw('/boot/vmlinuz-5.10')], problems: [] }],
      ]),
    ], []);
    expect(result.entries.map((e) => [e.id, e.kind, e.default])).toEqual([
      ['vda1:grub:0', 'config', true],
      ['vda1:raw:vmlinuz-5.10', 'other', false],
    ]);
  });

  it('drops an entry another format already listed (BLS through blscfg), keeps recovery variants', () => {
    const d1 = source('vda1', disk1);
    const result = assembleScan([
      parsed(d1, [
        ['grub', { entries: [entry('Normal', '/boot/vmlinuz-6.1'), entry('Recovery', '/boot/vmlinuz-6.1', { cmdline: 'ro single' })], problems: [] }],
        ['bls', { entries: [entry('Same via BLS', '/boot/vmlinuz-6.1')], problems: [] }],
      ]),
    ], []);
    expect(result.entries.map((e) => e.label)).toEqual(['Normal', 'Recovery']);
  });

  it('turns missing files and escaping paths into problems, and keeps going', () => {
    const d1 = source('vda1', disk1);
    const result = assembleScan([
      parsed(d1, [['grub', { entries: [
        entry('No kernel', '/boot/vmlinuz-9.9'),
        entry('Escapes', '/../../etc/passwd'),
        entry('Missing initrd', '/boot/vmlinuz-6.1', { initrd: [{ path: '/boot/initrd.img-9.9' }] }),
      ], problems: [{ file: '/boot/grub/grub.cfg', line: 9, message: 'unbalanced {' }] }]]),
    ], []);
    expect(result.entries.map((e) => [e.label, e.initrd])).toEqual([['Missing initrd', []]]);
    expect(result.problems.map((p) => p.message)).toEqual([
      'unbalanced {',
      'No kernel: kernel not found: /boot/vmlinuz-9.9',
      'Escapes: kernel refused: /../../etc/passwd escapes its partition',
      'Missing initrd: initrd not found: /boot/initrd.img-9.9',
    ]);
    expect(result.problems[0]!.file).toBe(path.join(disk1, 'boot/grub/grub.cfg'));
  });

  it('reads an FDTDIR once per scan however many entries name it', () => {
    writeFileSync(path.join(disk2, 'dtbs/broadcom/board.dtb'), 'not a device tree');
    const src = source('disk2', disk2);
    const view = parsed(src, [['extlinux', { entries: [1, 2, 3].map((n) => entry(`L${n}`, '/Image', { fdtdir: { path: '/dtbs' } })), problems: [] }]]);
    const files = view.view.files;
    let dtbReads = 0;
    view.view.files = { ...files, readBytes: (p, o, l) => (p.endsWith('.dtb') && dtbReads++, files.readBytes(p, o, l)) };
    const { entries } = assembleScan([view], ['vendor,board']);
    expect(entries).toHaveLength(3);
    expect(dtbReads).toBe(1);
  });
});
