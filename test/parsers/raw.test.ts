import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { classifyKernelName, compareKernelVersions, parseRaw } from '../../src/parsers/raw.js';
import type { ParseResult } from '../../src/parsers/types.js';
import { sourceView } from '../../src/discover/source-view.js';
import { memoryBackend, type MemoryTree } from '../helpers/memory-source.js';
import { expectParsedFixture } from '../helpers/parse-fixture.js';

const summary = (result: ParseResult) =>
  result.entries.map((e) => ({ label: e.label, kernel: e.kernel.path, initrd: e.initrd.map((i) => i.path), version: e.version ?? null }));

describe('parseRaw on distribution layouts', () => {
  it('debian: follows /vmlinuz, /initrd.img and the .old links to the real files, newest first', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'debian');
    expect(summary(result)).toEqual([
      { label: 'Linux 6.1.0-27-amd64 (vmlinuz-6.1.0-27-amd64)', kernel: '/boot/vmlinuz-6.1.0-27-amd64', initrd: ['/boot/initrd.img-6.1.0-27-amd64'], version: '6.1.0-27-amd64' },
      { label: 'Linux 6.1.0-26-amd64 (vmlinuz-6.1.0-26-amd64)', kernel: '/boot/vmlinuz-6.1.0-26-amd64', initrd: ['/boot/initrd.img-6.1.0-26-amd64'], version: '6.1.0-26-amd64' },
      { label: 'Linux 6.1.0-9-amd64 (vmlinuz-6.1.0-9-amd64)', kernel: '/boot/vmlinuz-6.1.0-9-amd64', initrd: ['/boot/initrd.img-6.1.0-9-amd64'], version: '6.1.0-9-amd64' },
    ]);
    for (const e of result.entries) {
      expect(e).toMatchObject({ cmdline: '', isDefault: false, dtb: null, fdtdir: null, overlays: [], origin: { format: 'raw', file: e.kernel.path, line: null } });
    }
  });

  it('fedora: pairs initramfs-V.img, and lists the rescue kernel last', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'fedora');
    expect(summary(result).map((e) => [e.kernel, e.initrd[0]])).toEqual([
      ['/boot/vmlinuz-6.6.2-201.fc39.x86_64', '/boot/initramfs-6.6.2-201.fc39.x86_64.img'],
      ['/boot/vmlinuz-6.5.6-300.fc39.x86_64', '/boot/initramfs-6.5.6-300.fc39.x86_64.img'],
      ['/boot/vmlinuz-0-rescue-0123456789abcdef0123456789abcdef', '/boot/initramfs-0-rescue-0123456789abcdef0123456789abcdef.img'],
    ]);
  });

  it('arch: one entry per kernel plus one with its fallback initramfs', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'arch');
    expect(summary(result).map((e) => [e.label, e.initrd[0]])).toEqual([
      ['Linux (vmlinuz-linux)', '/boot/initramfs-linux.img'],
      ['Linux (vmlinuz-linux) (fallback initramfs)', '/boot/initramfs-linux-fallback.img'],
      ['Linux (vmlinuz-linux-lts)', '/boot/initramfs-linux-lts.img'],
      ['Linux (vmlinuz-linux-lts) (fallback initramfs)', '/boot/initramfs-linux-lts-fallback.img'],
    ]);
  });

  it('alpine: vmlinuz-FLAVOR with initramfs-FLAVOR', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'alpine');
    expect(summary(result).map((e) => [e.kernel, e.initrd[0]])).toEqual([
      ['/boot/vmlinuz-lts', '/boot/initramfs-lts'],
      ['/boot/vmlinuz-virt', '/boot/initramfs-virt'],
    ]);
  });

  it('gentoo: genkernel and installkernel names', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'gentoo');
    expect(summary(result).map((e) => [e.version, e.initrd[0]])).toEqual([
      ['6.6.13-gentoo-dist', '/boot/initramfs-6.6.13-gentoo-dist.img'],
      ['6.1.57-gentoo', '/boot/initramfs-genkernel-x86_64-6.1.57-gentoo'],
    ]);
  });

  it('suse: Image-V with initrd-V, the Image link folded in, the debug vmlinux-V.gz left out', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'suse');
    expect(summary(result)).toEqual([
      {
        label: 'Linux 6.4.0-150600.23.7-default (Image-6.4.0-150600.23.7-default)',
        kernel: '/boot/Image-6.4.0-150600.23.7-default',
        initrd: ['/boot/initrd-6.4.0-150600.23.7-default'],
        version: '6.4.0-150600.23.7-default',
      },
    ]);
  });

  it('bare-arm: bare kernel names, and kernel8.img where no config.txt claims it', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'bare-arm');
    expect(summary(result).map((e) => [e.kernel, e.initrd])).toEqual([
      ['/Image.gz', []],
      ['/boot/zImage', ['/boot/initrd.img']],
      ['/boot/firmware/kernel8.img', ['/boot/firmware/initramfs8']],
    ]);
  });

  it('clutter: ignores configs, maps, signatures, EFI files, directories, dangling and escaping links, Pi files', () => {
    const result = expectParsedFixture(parseRaw, 'raw', 'clutter');
    expect(summary(result).map((e) => e.kernel)).toEqual(['/boot/vmlinuz-6.1.0-27-amd64']);
    expect(result.problems).toEqual([]);
  });
});

describe('classifyKernelName', () => {
  it('recognises kernels and what they pair with', () => {
    expect(classifyKernelName('vmlinuz-6.1.0-27-amd64')).toMatchObject({ version: '6.1.0-27-amd64', initrds: expect.arrayContaining(['initrd.img-6.1.0-27-amd64', 'initramfs-6.1.0-27-amd64.img']) });
    expect(classifyKernelName('vmlinuz-linux')).toMatchObject({ version: null, fallbackInitrd: 'initramfs-linux-fallback.img' });
    expect(classifyKernelName('kernel-genkernel-arm64-6.6.1')).toMatchObject({ version: '6.6.1', initrds: ['initramfs-genkernel-arm64-6.6.1', 'initramfs-genkernel-arm64-6.6.1.img'] });
    expect(classifyKernelName('zImage-6.1.0')).toMatchObject({ version: '6.1.0' });
    expect(classifyKernelName('vmlinuz.old')).toMatchObject({ initrds: ['initrd.img.old'] });
    expect(classifyKernelName('kernel8.img')).toMatchObject({ initrds: ['initramfs8'] });
  });

  it('refuses everything else', () => {
    for (const name of ['config-6.1.0', 'System.map-6.1.0', 'vmlinuz-6.1.0.efi.signed', 'vmlinuz-6.1.0.sig', 'grubx64.efi', 'bootcode.bin', 'start4.elf', 'fixup4.dat', 'bcm2711-rpi-4-b.dtb', 'kernel-headers', 'initrd.img-6.1.0', 'vmlinux-6.4.0-default.gz', 'vmlinuz-6.1.0.old', 'vmlinuz-']) {
      expect(classifyKernelName(name), name).toBeNull();
    }
    expect(classifyKernelName('kernel8.img', true)).toBeNull();
  });
});

describe('compareKernelVersions', () => {
  it('compares numbers as numbers and releases above release candidates', () => {
    const sorted = ['6.1.0-9-amd64', '6.10.1', '6.1.0-27-amd64', '5.15.0', '6.1.0-rc7', '6.9.12', '6.1.0-27-amd64'].sort(compareKernelVersions);
    expect(sorted).toEqual(['5.15.0', '6.1.0-rc7', '6.1.0-9-amd64', '6.1.0-27-amd64', '6.1.0-27-amd64', '6.9.12', '6.10.1']);
    expect(compareKernelVersions('6.1', '6.1.0')).toBe(-1);
  });
});

/** An in-memory source: `dirs` maps a directory to its file names (all plain files). */
function memorySource(dirs: Record<string, string[]>, listed: string[]) {
  const tree: MemoryTree = {};
  for (const [dir, names] of Object.entries(dirs)) {
    tree[dir] = { dir: true };
    for (const n of names) if (!(`${dir === '/' ? '' : dir}/${n}` in dirs)) tree[`${dir === '/' ? '' : dir}/${n}`] = 'x';
  }
  const backend = memoryBackend(tree);
  const list = backend.list.bind(backend);
  backend.list = (parts, max) => {
    listed.push(`/${parts.join('/')}`);
    return list(parts, max);
  };
  return sourceView(backend);
}

describe('parseRaw bounds', () => {
  it('lists only /, /boot and /boot/firmware', () => {
    const listed: string[] = [];
    parseRaw({ files: memorySource({ '/': ['boot', 'usr'], '/boot': ['vmlinuz-6.1', 'firmware'], '/boot/firmware': [], '/usr': ['vmlinuz-9'] }, listed), board: [], arch: 'x86_64' });
    expect(listed).toEqual(['/', '/boot', '/boot/firmware']);
  });

  it('looks at no more than 10000 names in a directory and says so', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `file-${String(i).padStart(5, '0')}`);
    names.push('vmlinuz-6.1');
    const result = parseRaw({ files: memorySource({ '/boot': names }, []), board: [], arch: 'x86_64' });
    expect(result.entries).toEqual([]);
    expect(result.problems).toEqual([expect.objectContaining({ file: '/boot', message: expect.stringMatching(/first 10000/) })]);
  });
});

describe('parseRaw on generated trees', () => {
  function tree(build: (root: string) => void): ParseResult {
    const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-raw-'));
    try {
      build(root);
      return parseRaw({ files: fsSourceFiles(root), board: [], arch: 'x86_64' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const file = (root: string, name: string) => {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), name);
  };

  it('pairs a real /vmlinuz file with /initrd.img', () => {
    const result = tree((root) => {
      file(root, 'vmlinuz');
      file(root, 'initrd.img');
    });
    expect(summary(result)).toEqual([{ label: 'Linux (vmlinuz)', kernel: '/vmlinuz', initrd: ['/initrd.img'], version: null }]);
  });

  it('names a link by its target when the target lies outside the listed directories', () => {
    const result = tree((root) => {
      file(root, 'usr/lib/kernel/vmlinuz-6.6.1');
      file(root, 'usr/lib/kernel/initrd.img-6.6.1');
      symlinkSync('usr/lib/kernel/vmlinuz-6.6.1', path.join(root, 'vmlinuz'));
    });
    expect(summary(result)).toEqual([
      { label: 'Linux 6.6.1 (vmlinuz-6.6.1)', kernel: '/usr/lib/kernel/vmlinuz-6.6.1', initrd: ['/usr/lib/kernel/initrd.img-6.6.1'], version: '6.6.1' },
    ]);
  });

  it('lists a real vmlinuz.old with initrd.img.old', () => {
    const result = tree((root) => {
      file(root, 'vmlinuz.old');
      file(root, 'initrd.img.old');
    });
    expect(summary(result)).toEqual([{ label: 'Linux (vmlinuz.old)', kernel: '/vmlinuz.old', initrd: ['/initrd.img.old'], version: null }]);
  });
});
