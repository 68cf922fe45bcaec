import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseStaleMounts } from '../../src/discover/mount.js';

const isRoot = process.getuid?.() === 0;
const base = mkdtempSync(path.join(tmpdir(), 'kexmenu-stale-'));
const mountedAt = (target: string) => readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === target);
afterAll(() => {
  for (const t of [path.join(base, 'sda1/nested'), path.join(base, 'sda1'), path.join(base, 'vda1')]) {
    if (mountedAt(t)) execFileSync('umount', ['-l', t]);
  }
  rmSync(base, { recursive: true, force: true });
});

describe.runIf(isRoot)('what a killed owner left mounted', () => {
  it('is unmounted by the next owner, deepest first, and nothing outside the base is touched', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'kexmenu-outside-'));
    const targets = [path.join(base, 'vda1'), path.join(base, 'sda1'), path.join(base, 'sda1/nested')];
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'outside', outside]);
      for (const t of targets) {
        mkdirSync(t, { recursive: true });
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'stale', t]);
      }
      const released = await releaseStaleMounts(base);
      expect(released).toEqual({ released: [path.join(base, 'vda1'), path.join(base, 'sda1/nested'), path.join(base, 'sda1')], errors: [] });
      for (const t of targets) expect(mountedAt(t)).toBe(false);
      expect(existsSync(path.join(base, 'vda1'))).toBe(false);
      expect(mountedAt(outside)).toBe(true);
      expect(await releaseStaleMounts(base)).toEqual({ released: [], errors: [] });
    } finally {
      if (mountedAt(outside)) execFileSync('umount', [outside]);
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
