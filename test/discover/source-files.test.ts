import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fsSourceFiles, joinSourcePath, sourcePathParts } from '../../src/discover/source-files.js';

describe('source paths', () => {
  it('keeps .. inside the source and reports a climb out', () => {
    expect(sourcePathParts('/boot/../boot/grub/./grub.cfg')).toEqual(['boot', 'grub', 'grub.cfg']);
    expect(sourcePathParts('/boot/../../etc/shadow')).toBeNull();
    expect(joinSourcePath('/boot/', 'vmlinuz')).toBe('/boot/vmlinuz');
    expect(joinSourcePath('/boot', '/Image')).toBe('/Image');
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
    writeFileSync(outside, 'host file');
    writeFileSync(path.join(root, 'boot/vmlinuz-6.1'), 'kernel');
    writeFileSync(path.join(root, 'boot/big.cfg'), 'x'.repeat(2048));
    symlinkSync('boot/vmlinuz-6.1', path.join(root, 'vmlinuz'));
    symlinkSync('/boot/vmlinuz-6.1', path.join(root, 'abs-link'));
    symlinkSync('../secret', path.join(root, 'escape-link'));
    symlinkSync('loop-b', path.join(root, 'loop-a'));
    symlinkSync('loop-a', path.join(root, 'loop-b'));
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

  it('bounds reads and symlink loops', () => {
    const files = fsSourceFiles(root);
    expect(files.read('/boot/big.cfg', 1024)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(files.read('/loop-a')).toMatchObject({ ok: false, reason: 'escapes' });
    expect(files.read('/nope')).toMatchObject({ ok: false, reason: 'missing' });
    expect(files.readBytes('/vmlinuz', 1, 3)).toEqual(new Uint8Array(Buffer.from('ern')));
    expect(files.list('/boot')).toEqual(['big.cfg', 'vmlinuz-6.1']);
  });
});
