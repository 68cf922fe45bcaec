import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffNames, listNames, pollListing } from '../../src/discover/hotplug.js';

describe('watch', () => {
  it('describes what came and went', () => {
    expect(diffNames(['sda', 'sda1'], ['sda', 'sda1', 'sdb'])).toBe('+sdb');
    expect(diffNames(['sda', 'sdb'], ['sda'])).toBe('-sdb');
    expect(diffNames(['sda'], ['sda'])).toBeNull();
  });

  it('lists only subdirectories when asked, and nothing for a missing directory', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-watch-'));
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'a'), '');
    expect(listNames(dir, true)).toEqual(['b']);
    expect(listNames(dir, false)).toEqual(['a', 'b']);
    expect(listNames(path.join(dir, 'nope'), false)).toEqual([]);
    rmSync(dir, { recursive: true });
  });

  it('reports a directory that appears, then one that goes, by polling', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-watch-'));
    const seen: string[] = [];
    const stop = pollListing(dir, true, (what) => seen.push(what), 50);
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    mkdirSync(path.join(dir, 'stick'));
    await waitFor(1);
    rmSync(path.join(dir, 'stick'), { recursive: true });
    await waitFor(2);
    stop();
    expect(seen).toEqual([`${dir}: +stick`, `${dir}: -stick`]);
    rmSync(dir, { recursive: true });
  });
});
