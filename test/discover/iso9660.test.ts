// The ISO 9660 reader against images the real xorriso makes at test time: Rock Ridge, Joliet and
// plain names, files found by their extents in the image, and images bent byte by byte.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsoImage, openIso } from '../../src/discover/iso9660.js';
import { isoMaker, type Tree } from '../helpers/iso.js';
import { memorySourceFiles } from '../helpers/memory-source.js';

const work = mkdtempSync(path.join(tmpdir(), 'kexmenu-iso-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const makeIso = isoMaker(work);

/** Opens an image held in memory, failing the test on any read outside it. */
function open(image: Uint8Array): IsoImage | string {
  return openIso((offset, length) => {
    if (offset < 0 || length < 0 || offset + length > image.length) throw new Error(`read outside the image: ${offset}+${length} of ${image.length}`);
    return image.slice(offset, offset + length);
  }, image.length);
}

function openOk(image: Uint8Array): IsoImage {
  const iso = open(image);
  if (typeof iso === 'string') throw new Error(`not opened: ${iso}`);
  return iso;
}

/** The bytes extentOf names, read straight from the image file. */
function bytesAt(iso: IsoImage, image: Uint8Array, file: string): Uint8Array | null {
  const range = iso.extentOf(file);
  return range && image.slice(range.offset, range.offset + range.size);
}

const text = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes).toString() : null);

/** Starts of the directory records whose identifier is `identifier` (the primary tree's, in ISO 9660 characters). */
function recordsNamed(image: Uint8Array, identifier: string): number[] {
  const id = Buffer.from(identifier, 'latin1');
  const starts: number[] = [];
  for (let at = Buffer.from(image).indexOf(id); at >= 0; at = Buffer.from(image).indexOf(id, at + 1)) {
    const start = at - 33;
    if (start >= 0 && image[start + 32] === id.length && image[start]! >= 33 + id.length) starts.push(start);
  }
  return starts;
}

const le32 = (image: Uint8Array, at: number) => Buffer.from(image.buffer, image.byteOffset).readUInt32LE(at);
function setBoth32(image: Uint8Array, at: number, value: number): void {
  const b = Buffer.from(image.buffer, image.byteOffset);
  b.writeUInt32LE(value, at);
  b.writeUInt32BE(value, at + 4);
}

const LONG_NAME = `${'a-rather-long-file-name-'.repeat(4)}end.cfg`; // 100 characters
const VERY_LONG_NAME = `${'x'.repeat(240)}.cfg`; // Rock Ridge entries past a record's 255 bytes
const KERNEL = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 11)) & 0xff));
const INITRD = Buffer.from(Array.from({ length: 4096 * 3 }, (_, i) => (i * 13) & 0xff));
const DEBIAN_LIVE: Tree = {
  'live/vmlinuz': KERNEL,
  'live/initrd.img': INITRD,
  'boot/grub/grub.cfg': 'menuentry "Live system" {\n  linux /live/vmlinuz boot=live\n  initrd /live/initrd.img\n}\n',
  'boot/grub/loopback.cfg': 'source /boot/grub/grub.cfg\n',
  'isolinux/isolinux.cfg': 'include menu.cfg\ndefault vesamenu.c32\n',
  'vmlinuz': { link: 'live/vmlinuz' },
  'boot/kernel': { link: '/live/vmlinuz' },
  'boot/escape': { link: '../../etc/passwd' },
  'boot/dangling': { link: 'nothing/here' },
  [`docs/${LONG_NAME}`]: 'long\n',
  [`docs/${VERY_LONG_NAME}`]: 'very long\n',
  'empty': '',
};

describe('a Rock Ridge and Joliet image (xorriso -R -J)', () => {
  let image: Uint8Array;
  let iso: IsoImage;
  beforeAll(() => {
    ({ image } = makeIso(DEBIAN_LIVE, ['-R', '-J', '-V', 'Debian 12.8.0 amd64 n']));
    iso = openOk(image);
  });

  it('names the volume and lists the tree by its Rock Ridge names', () => {
    expect(iso.volumeId).toBe('Debian 12.8.0 amd64 n');
    expect(iso.files.list('/')).toEqual(['boot', 'docs', 'empty', 'isolinux', 'live', 'vmlinuz']);
    expect(iso.files.list('/boot/grub')).toEqual(['grub.cfg', 'loopback.cfg']);
    expect(iso.files.list('/docs')).toEqual([VERY_LONG_NAME, LONG_NAME].sort());
  });

  it('reads configs and finds kernels by the bytes of their extents', () => {
    const grub = iso.files.read('/boot/grub/grub.cfg');
    expect(grub.ok && grub.text).toBe(DEBIAN_LIVE['boot/grub/grub.cfg']);
    expect(iso.files.read(`/docs/${VERY_LONG_NAME}`)).toMatchObject({ ok: true, text: 'very long\n' });
    expect(bytesAt(iso, image, '/live/vmlinuz')).toEqual(new Uint8Array(KERNEL));
    expect(bytesAt(iso, image, '/live/initrd.img')).toEqual(new Uint8Array(INITRD));
    expect(iso.files.stat('/live/vmlinuz')).toEqual({ type: 'file', size: KERNEL.length });
    expect(iso.files.readBytes('/live/vmlinuz', 299_990, 100)).toEqual(new Uint8Array(KERNEL.subarray(299_990)));
    expect(iso.extentOf('/empty')).toMatchObject({ size: 0 });
    expect(iso.files.read('/empty')).toMatchObject({ ok: true, text: '' });
  });

  it('follows Rock Ridge symlinks inside the image, and no further', () => {
    expect(iso.files.canonical('/vmlinuz')).toBe('/live/vmlinuz');
    expect(iso.files.canonical('/boot/kernel')).toBe('/live/vmlinuz');
    expect(iso.extentOf('/boot/kernel')).toEqual(iso.extentOf('/live/vmlinuz'));
    expect(iso.files.read('/boot/escape')).toMatchObject({ ok: false, reason: 'escapes' });
    expect(iso.files.read('/boot/dangling')).toMatchObject({ ok: false, reason: 'missing', dangling: true });
    expect(iso.extentOf('/boot/escape')).toBeNull();
  });

  it('gives no extent for what is not a regular file', () => {
    expect(iso.extentOf('/boot')).toBeNull();
    expect(iso.extentOf('/nothing')).toBeNull();
    expect(iso.files.read('/boot/grub')).toMatchObject({ ok: false, reason: 'not-a-file' });
  });

  it('takes names from the continuation area when they do not fit in the record', () => {
    // The test means something only if xorriso did write a CE entry for the long name.
    expect(Buffer.from(image).includes(Buffer.from('CE\x1c\x01', 'latin1'))).toBe(true);
    expect(iso.files.stat(`/docs/${VERY_LONG_NAME}`)).toEqual({ type: 'file', size: 10 });
  });
});

describe('a plain ISO 9660 image (no Rock Ridge, no Joliet)', () => {
  it('shows the ISO 9660 names without versions or trailing dots, and no symlinks', () => {
    const { image } = makeIso(DEBIAN_LIVE, ['--norock', '-iso-level', '1', '-V', 'PLAIN']);
    const iso = openOk(image);
    expect(iso.volumeId).toBe('PLAIN');
    expect(Buffer.from(image).includes(Buffer.from('GRUB.CFG;1'))).toBe(true);
    expect(iso.files.list('/')).toEqual(['BOOT', 'DOCS', 'EMPTY', 'ISOLINUX', 'LIVE']);
    expect(iso.files.list('/LIVE')).toEqual(['INITRD.IMG', 'VMLINUZ']);
    expect(iso.files.read('/BOOT/GRUB/GRUB.CFG')).toMatchObject({ ok: true, text: DEBIAN_LIVE['boot/grub/grub.cfg'] });
    expect(iso.files.read('/boot/grub/grub.cfg')).toMatchObject({ ok: false, reason: 'missing' });
    expect(bytesAt(iso, image, '/LIVE/VMLINUZ')).toEqual(new Uint8Array(KERNEL));
  });
});

describe('a Joliet image without Rock Ridge (xorriso --norock -J)', () => {
  it('takes the names from the Joliet tree', () => {
    const { image } = makeIso(DEBIAN_LIVE, ['--norock', '-J', '-V', 'JOLIET']);
    const iso = openOk(image);
    expect(iso.volumeId).toBe('JOLIET');
    expect(iso.files.list('/')).toEqual(['boot', 'docs', 'empty', 'isolinux', 'live']);
    expect(iso.files.list('/live')).toEqual(['initrd.img', 'vmlinuz']);
    expect(iso.files.read('/boot/grub/loopback.cfg')).toMatchObject({ ok: true, text: 'source /boot/grub/grub.cfg\n' });
    expect(bytesAt(iso, image, '/live/vmlinuz')).toEqual(new Uint8Array(KERNEL));
    // Joliet names are short: xorriso cut the 100-character name to its first 61 and the extension.
    expect(iso.files.list('/docs')).toContain(`${LONG_NAME.slice(0, 61)}.cfg`);
    expect(iso.files.read(`/docs/${LONG_NAME.slice(0, 61)}.cfg`)).toMatchObject({ ok: true, text: 'long\n' });
  });
});

describe('deep trees and large files', () => {
  it('walks directories deeper than ISO 9660 level 1 allows', () => {
    const deep = `${Array.from({ length: 14 }, (_, i) => `d${i}`).join('/')}/deep.cfg`;
    const { image } = makeIso({ [deep]: 'at the bottom\n' }, ['-R', '-J']);
    const iso = openOk(image);
    expect(iso.files.read(`/${deep}`)).toMatchObject({ ok: true, text: 'at the bottom\n' });
    expect(iso.files.list(`/${path.posix.dirname(deep)}`)).toEqual(['deep.cfg']);
  });

  it('puts a directory Rock Ridge relocated back where its CL record stands', () => {
    const deep = `${Array.from({ length: 12 }, (_, i) => `d${i}`).join('/')}/deep.cfg`;
    const { image } = makeIso({ [deep]: 'relocated\n' }, ['-R', '-hide-rr-moved']);
    expect(Buffer.from(image).includes(Buffer.from('CL\x0c\x01', 'latin1'))).toBe(true);
    const iso = openOk(image);
    expect(iso.files.read(`/${deep}`)).toMatchObject({ ok: true, text: 'relocated\n' });
    expect(iso.files.stat(`/${path.posix.dirname(deep)}`)).toMatchObject({ type: 'dir' });
    // xorriso marks the relocation directory itself RE, so it is hidden as what it holds is.
    expect(iso.files.list('/')).toEqual(['d0']);
    expect(iso.files.stat('/.rr_moved')).toBeNull();
  });

  it('finds a 50 MiB file as one extent whose bytes are the file', () => {
    const size = 50 * 1024 * 1024;
    const marks = { 0: 'start', [size / 2 + 123]: 'middle', [size - 3]: 'end' };
    const { image, dir } = makeIso({ 'live/filesystem.squashfs': { sparse: size, marks }, 'live/vmlinuz': KERNEL }, ['-R', '-J']);
    const iso = openOk(image);
    const range = iso.extentOf('/live/filesystem.squashfs')!;
    expect(range.size).toBe(size);
    expect(range.offset % 2048).toBe(0);
    expect(Buffer.from(image.subarray(range.offset, range.offset + range.size)).equals(readFileSync(path.join(dir, 'live/filesystem.squashfs')))).toBe(true);
    expect(text(iso.files.readBytes('/live/filesystem.squashfs', size / 2 + 123, 6))).toBe('middle');
    expect(text(iso.files.readBytes('/live/filesystem.squashfs', size - 3, 100))).toBe('end');
    expect(iso.files.read('/live/filesystem.squashfs')).toMatchObject({ ok: false, reason: 'too-large' });
  });
});

describe('multi-extent files (made by patching: xorriso splits only files of 4 GiB)', () => {
  /** A plain image of A.BIN then B.BIN, with A's record marked "continued" and B's renamed A: one file of two sections. */
  function twoSections(aBytes: number) {
    const a = Buffer.alloc(aBytes, 0x41);
    const b = Buffer.from('the second section\n');
    const { image } = makeIso({ 'A.BIN': a, 'B.BIN': b }, ['--norock', '-V', 'MULTI']);
    const [aRecord] = recordsNamed(image, 'A.BIN;1');
    const [bRecord] = recordsNamed(image, 'B.BIN;1');
    expect(aRecord).toBeDefined();
    expect(bRecord).toBe(aRecord! + image[aRecord!]!); // the next record
    image[aRecord! + 25] = image[aRecord! + 25]! | 0x80;
    image.set(Buffer.from('A.BIN;1'), bRecord! + 33);
    const adjacent = le32(image, bRecord! + 2) * 2048 === le32(image, aRecord! + 2) * 2048 + aBytes;
    return { image, whole: Buffer.concat([a, b]), start: le32(image, aRecord! + 2) * 2048, adjacent };
  }

  it('reads the sections as one file and merges adjacent extents', () => {
    const { image, whole, start, adjacent } = twoSections(4096);
    expect(adjacent).toBe(true);
    const iso = openOk(image);
    expect(iso.files.list('/')).toEqual(['A.BIN']);
    expect(iso.files.readBytes('/A.BIN', 0, 1 << 20)).toEqual(new Uint8Array(whole));
    expect(iso.extentOf('/A.BIN')).toEqual({ offset: start, size: whole.length });
    expect(bytesAt(iso, image, '/A.BIN')).toEqual(new Uint8Array(whole));
  });

  it('reads sections with a gap between them, but gives no extent for them', () => {
    const { image, whole, adjacent } = twoSections(3000);
    expect(adjacent).toBe(false);
    const iso = openOk(image);
    expect(iso.files.readBytes('/A.BIN', 2990, 20)).toEqual(new Uint8Array(whole.subarray(2990, 3010)));
    expect(iso.extentOf('/A.BIN')).toBeNull();
  });
});

describe('hostile images', () => {
  let image: Uint8Array;
  beforeAll(() => {
    ({ image } = makeIso(DEBIAN_LIVE, ['-R', '-J', '-V', 'HOSTILE']));
  });
  const patched = (patch: (copy: Uint8Array) => void) => {
    const copy = image.slice();
    patch(copy);
    return openOk(copy);
  };
  /** Lists, stats and reads every path a little tree walk finds: what a scan would do. */
  const touchAll = (iso: IsoImage) => {
    const seen: string[] = [];
    const visit = (dir: string, depth: number) => {
      for (const name of iso.files.list(dir) ?? []) {
        const at = `${dir === '/' ? '' : dir}/${name}`;
        seen.push(at);
        iso.files.read(at);
        iso.extentOf(at);
        if (depth < 4 && iso.files.stat(at)?.type === 'dir') visit(at, depth + 1);
      }
    };
    visit('/', 0);
    return seen;
  };

  it('says why what is not an ISO 9660 image is not one', () => {
    expect(open(new Uint8Array(1 << 20))).toBe('no ISO 9660 volume descriptor at sector 16');
    expect(open(image.slice(0, 16 * 2048 + 100))).toMatch(/too small/);
    const random = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 2654435761) >>> 24);
    expect(typeof open(random)).toBe('string');
    const badBlock = image.slice();
    badBlock[16 * 2048 + 128] = 0; // 512-byte blocks
    badBlock[16 * 2048 + 129] = 2;
    expect(open(badBlock)).toMatch(/512 bytes/);
  });

  it('opens every truncation of an image without a throw, and reads only what is there', () => {
    for (let cut = 0; cut <= image.length; cut += 2048) {
      const iso = open(image.slice(0, cut));
      if (typeof iso === 'string') continue;
      for (const at of touchAll(iso)) {
        const range = iso.extentOf(at);
        if (range) expect(range.offset + range.size).toBeLessThanOrEqual(cut);
      }
    }
    // Cut inside the kernel: it is listed, but cannot be read.
    const iso = openOk(image);
    const kernel = iso.extentOf('/live/vmlinuz')!;
    const cut = openOk(image.slice(0, kernel.offset + 1000));
    expect(cut.files.stat('/live/vmlinuz')?.type).toBe('file');
    expect(cut.files.read('/live/vmlinuz', 1 << 20)).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(cut.extentOf('/live/vmlinuz')).toBeNull();
  });

  it('loses the rest of a sector after a record with a corrupt length, not the image', () => {
    const iso = patched((copy) => {
      const records = recordsNamed(copy, 'GRUB.CFG;1');
      expect(records).toHaveLength(1);
      copy[records[0]!] = 20; // shorter than a record's fixed fields
    });
    expect(iso.files.list('/boot/grub')).toEqual([]);
    expect(iso.files.stat('/boot/grub/grub.cfg')).toBeNull();
    expect(iso.files.read('/live/vmlinuz', 1 << 20).ok).toBe(true);
    touchAll(iso);
  });

  it('reads a record whose length swallows the next one as that one long record', () => {
    const iso = patched((copy) => {
      const [grub] = recordsNamed(copy, 'GRUB.CFG;1');
      const [loopback] = recordsNamed(copy, 'LOOPBACK.CFG;1');
      expect(loopback).toBe(grub! + copy[grub!]!);
      copy[grub!] = copy[grub!]! + copy[loopback!]!;
    });
    expect(iso.files.list('/boot/grub')).toEqual(['grub.cfg']);
  });

  it('keeps a file whose extent is past the end, unreadable', () => {
    const iso = patched((copy) => {
      const [record] = recordsNamed(copy, 'GRUB.CFG;1');
      setBoth32(copy, record! + 2, 0x7fff_fff0);
    });
    expect(iso.files.list('/boot/grub')).toContain('grub.cfg');
    expect(iso.files.read('/boot/grub/grub.cfg')).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(iso.extentOf('/boot/grub/grub.cfg')).toBeNull();
  });

  it('ends at the path bound when a directory extent points at the root', () => {
    let rootLba = 0;
    const iso = patched((copy) => {
      rootLba = le32(copy, 16 * 2048 + 156 + 2);
      const rootSize = le32(copy, 16 * 2048 + 156 + 10);
      const [live] = recordsNamed(copy, 'LIVE');
      expect(copy[live! + 25]! & 2).toBe(2);
      setBoth32(copy, live! + 2, rootLba);
      setBoth32(copy, live! + 10, rootSize);
    });
    expect(rootLba).toBeGreaterThan(16);
    expect(iso.files.list('/live')).toEqual(iso.files.list('/'));
    const deep = `/live${'/live'.repeat(300)}/boot/grub/grub.cfg`;
    expect(iso.files.read(deep)).toMatchObject({ ok: true });
    expect(iso.files.read(`/live${'/live'.repeat(1000)}/boot/grub/grub.cfg`)).toMatchObject({ ok: false, reason: 'missing' });
    const started = performance.now();
    touchAll(iso);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('stops at a system use entry whose length runs past its record', () => {
    const iso = patched((copy) => {
      const [record] = recordsNamed(copy, 'GRUB.CFG;1');
      const use = record! + 33 + 10 + 1; // the identifier is 10 bytes, then a pad byte
      expect(String.fromCharCode(copy[use]!, copy[use + 1]!)).toMatch(/^[A-Z]{2}$/);
      copy[use + 2] = 0xff;
    });
    // With no Rock Ridge name left, the ISO 9660 one is what there is.
    expect(iso.files.list('/boot/grub')).toEqual(['GRUB.CFG', 'loopback.cfg']);
    expect(iso.files.read('/boot/grub/GRUB.CFG')).toMatchObject({ ok: true });
  });

  it('bounds a continuation area that continues into itself', () => {
    const iso = patched((copy) => {
      const [docs] = recordsNamed(copy, 'DOCS');
      const start = le32(copy, docs! + 2) * 2048;
      const ce = Buffer.from(copy).indexOf(Buffer.from('CE\x1c\x01', 'latin1'), start);
      expect(ce).toBeGreaterThan(start);
      expect(ce).toBeLessThan(start + 2048);
      // The area it names is the CE entry itself: a continuation without end.
      setBoth32(copy, ce + 4, Math.floor(ce / 2048));
      setBoth32(copy, ce + 12, ce % 2048);
      setBoth32(copy, ce + 20, 28);
    });
    const names = iso.files.list('/docs')!;
    // The name never ends, so the ISO 9660 name stands in for it.
    expect(names).toHaveLength(2);
    expect(names).toContain(LONG_NAME);
    expect(names).not.toContain(VERY_LONG_NAME);
  });

  it('follows a symlink only inside the image', () => {
    const { image: linked } = makeIso({ 'boot/grub/grub.cfg': 'cfg\n', 'boot/passwd': { link: '../../etc/passwd' }, 'abs': { link: '/etc/passwd' } }, ['-R']);
    const iso = openOk(linked);
    expect(iso.files.read('/boot/passwd')).toMatchObject({ ok: false, reason: 'escapes' });
    expect(iso.files.read('/abs')).toMatchObject({ ok: false, reason: 'missing' });
    expect(iso.files.canonical('/boot/passwd')).toBeNull();
  });
});

describe('an image that spends its reads', () => {
  it("stops at its own read cap, leaving the stick's budget for the stick (3,300 records whose continuation areas point at themselves)", () => {
    const S = 2048;
    const [dirSectors, root, ceSector] = [100, 20, 19];
    const img = new Uint8Array((root + dirSectors + 1) * S);
    const view = new DataView(img.buffer);
    const both32 = (at: number, v: number) => (view.setUint32(at, v, true), view.setUint32(at + 4, v, false));
    const record = (at: number, lba: number, size: number, dir: boolean, id: number[], su: number[]) => {
      const pad = id.length % 2 === 0 ? 1 : 0;
      const len = 33 + id.length + pad + su.length;
      img[at] = len;
      both32(at + 2, lba);
      both32(at + 10, size);
      img[at + 25] = dir ? 2 : 0;
      img[at + 28] = 1;
      img[at + 32] = id.length;
      img.set(id, at + 33);
      img.set(su, at + 33 + id.length + pad);
      return len;
    };
    const ce = () => {
      const d = new Uint8Array(28);
      const v = new DataView(d.buffer);
      d.set([0x43, 0x45, 28, 1]);
      for (const [at, value] of [[4, ceSector], [12, 0], [20, 28]] as const) (v.setUint32(at, value, true), v.setUint32(at + 4, value, false));
      return [...d];
    };
    img[16 * S] = 1;
    img.set([0x43, 0x44, 0x30, 0x30, 0x31, 1], 16 * S + 1);
    img[16 * S + 129] = 8; // 2048-byte blocks
    record(16 * S + 156, root, dirSectors * S, true, [0], []);
    img[17 * S] = 255;
    img.set([0x43, 0x44, 0x30, 0x30, 0x31, 1], 17 * S + 1);
    img.set(ce(), ceSector * S);
    let at = root * S;
    at += record(at, root, dirSectors * S, true, [0], [0x53, 0x50, 7, 1, 0xbe, 0xef, 0]);
    at += record(at, root, dirSectors * S, true, [1], []);
    for (let s = 0; s < dirSectors; s++) {
      for (let p = s === 0 ? at : (root + s) * S, n = 0; p + 62 <= (root + s + 1) * S; n++) p += record(p, 0, 0, false, [0x41 + (n % 26)], ce());
    }
    const stick = memorySourceFiles({ '/x.iso': img, '/kexmenu.conf': 'default=foo\n' });
    const iso = openIso((offset, length) => stick.readBytes('/x.iso', offset, length), img.length);
    if (typeof iso === 'string') throw new Error(iso);
    iso.files.list('/');
    expect(stick.read('/kexmenu.conf')).toMatchObject({ ok: true, text: 'default=foo\n' });
  });
});
