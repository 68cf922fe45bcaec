import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { sourcePathParts } from '../../src/parsers/source-path.js';

describe('source paths', () => {
  it('keeps .. inside the source and reports a climb out', () => {
    expect(sourcePathParts('/boot/../boot/grub/./grub.cfg')).toEqual(['boot', 'grub', 'grub.cfg']);
    expect(sourcePathParts('/boot/../../etc/shadow')).toBeNull();
  });
});

describe('fsSourceFiles', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    const base = mkdtempSync(path.join(tmpdir(), 'kexmenu-sf-'));
    root = path.join(base, 'part');
    outside = path.join(base, 'secret');
    mkdirSync(path.join(root, 'boot'), { recursive: true });
    mkdirSync(path.join(base, 'elsewhere'));
    writeFileSync(outside, 'host file');
    writeFileSync(path.join(base, 'elsewhere/grub.cfg'), 'host file');
    execFileSync('mkfifo', [path.join(base, 'fifo')]);
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    writeFileSync(path.join(root, 'boot/vmlinuz-6.1'), 'kernel');
    writeFileSync(path.join(root, 'boot/big.cfg'), 'x'.repeat(2048));
    symlinkSync('boot/vmlinuz-6.1', path.join(root, 'vmlinuz'));
    symlinkSync('/boot/vmlinuz-6.1', path.join(root, 'abs-link'));
    symlinkSync('../secret', path.join(root, 'escape-link'));
    symlinkSync('loop-b', path.join(root, 'loop-a'));
    symlinkSync('loop-a', path.join(root, 'loop-b'));
    // Through a directory that does not exist: the rest of the text must never be applied.
    symlinkSync('nx/../../../elsewhere/grub.cfg', path.join(root, 'boot/missing-dir-link'));
    symlinkSync('nx/../../../fifo', path.join(root, 'boot/missing-dir-fifo'));
    symlinkSync('vmlinuz-6.1/../../../secret', path.join(root, 'boot/through-a-file'));
    // As on a separate /boot partition made readable under /boot/ too.
    symlinkSync('.', path.join(root, 'self'));
  });

  it('follows relative and absolute symlinks inside the source', () => {
    const files = fsSourceFiles(root);
    expect(files.canonical('/vmlinuz')).toBe('/boot/vmlinuz-6.1');
    expect(files.canonical('/abs-link')).toBe('/boot/vmlinuz-6.1');
    const read = files.read('/abs-link');
    expect(read.ok && read.text).toBe('kernel');
  });

  it('never reads outside the source', () => {
    const files = fsSourceFiles(root);
    expect(files.read('/../secret')).toMatchObject({ ok: false, reason: 'escapes' });
    expect(files.read('/escape-link')).toMatchObject({ ok: false, reason: 'escapes' });
    expect(files.stat('/escape-link')).toBeNull();
  });

  it('ends the walk at a missing component: a symlink through a missing directory is "not found"', () => {
    const files = fsSourceFiles(root);
    expect(files.read('/boot/missing-dir-link')).toMatchObject({ ok: false, reason: 'missing' });
    expect(files.read('/boot/missing-dir-fifo')).toMatchObject({ ok: false, reason: 'missing' });
    expect(files.readBytes('/boot/missing-dir-link', 0, 100)).toBeNull();
    expect(files.canonical('/boot/missing-dir-link')).toBeNull();
    expect(files.list('/boot/missing-dir-link/..')).toBeNull();
    expect(files.read('/boot/through-a-file')).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('calls a path dangling only when a symlink`s own target leads nowhere, not when a good link is on the way', () => {
    const files = fsSourceFiles(root);
    expect(files.resolve('/boot/missing-dir-link')).toMatchObject({ ok: false, reason: 'missing', dangling: true });
    expect(files.resolve('/self/grub/grub.cfg')).toMatchObject({ ok: false, reason: 'missing' });
    expect(files.resolve('/self/grub/grub.cfg')).not.toHaveProperty('dangling');
    expect(files.canonical('/self/boot/vmlinuz-6.1')).toBe('/boot/vmlinuz-6.1');
  });

  it('tells a symlink loop from an escape', () => {
    const files = fsSourceFiles(root);
    expect(files.read('/loop-a')).toMatchObject({ ok: false, reason: 'loop', message: expect.stringMatching(/symlink loop/) });
    expect(files.resolve('/loop-b/x')).toMatchObject({ ok: false, reason: 'loop' });
  });

  it('refuses a FIFO without opening it', () => {
    expect(fsSourceFiles(root).read('/fifo')).toMatchObject({ ok: false, reason: 'not-a-file' });
    expect(fsSourceFiles(root).readBytes('/fifo', 0, 10)).toBeNull();
  });

  it('bounds reads, and sizes a read by the file rather than the bound', () => {
    const files = fsSourceFiles(root);
    expect(files.read('/boot/big.cfg', 1024)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(files.read('/nope')).toMatchObject({ ok: false, reason: 'missing' });
    const head = files.readBytes('/vmlinuz', 1, 3)!;
    expect(head).toEqual(new Uint8Array(Buffer.from('ern')));
    // A 1 MiB limit must not mean a 1 MiB buffer for a 6-byte file.
    expect(files.readBytes('/vmlinuz', 0, 1024 * 1024)!.buffer.byteLength).toBeLessThan(4096);
    expect(files.list('/boot')).toEqual(['big.cfg', 'missing-dir-fifo', 'missing-dir-link', 'through-a-file', 'vmlinuz-6.1']);
  });

  it('stops at its budget of operations and says so', () => {
    const files = fsSourceFiles(root, { operations: 5, bytes: 1 << 20, listNames: 100 });
    for (let i = 0; i < 5; i++) files.stat(`/boot/none-${i}`);
    expect(files.read('/boot/vmlinuz-6.1')).toMatchObject({ ok: false, reason: 'over-budget', message: expect.stringMatching(/budget/) });
  });
});
