// Each source in a worker of its own: a disk that costs more than its memory or its time costs
// only itself, and the workers that went with it are replaced for the next scan.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/discover/scan.js';
import { fixturePath } from '../helpers/golden.js';
import { makeHostileDisk } from '../helpers/hostile-disks.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kexmenu-isolate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SMALL = fixturePath('disks', 'debian-root');
const count = (entries: { source: string }[], source: string) => entries.filter((e) => e.source === source).length;

describe('scan isolation', () => {
  it("a disk that needs more memory than its worker has costs that disk, not the other's entries", async () => {
    const big = makeHostileDisk('grub-10000-entries', path.join(tmp, 'big'));
    const tight = await scan({ roots: [big, SMALL], board: [], arch: 'x86_64', isolation: { deadlineMs: 20_000, heapMb: 16 } });
    expect(count(tight.entries, 'big')).toBe(0);
    expect(count(tight.entries, 'debian-root')).toBe(4);
    expect(tight.problems).toEqual([expect.objectContaining({ source: 'big', message: 'nothing listed from this disk: it needed too much memory (ran out of its memory)' })]);
    // The next scan gets workers of its own size again.
    const roomy = await scan({ roots: [big, SMALL], board: [], arch: 'x86_64' });
    expect(count(roomy.entries, 'big')).toBe(10_000);
  }, 60_000);

  it('a disk that runs past its deadline is one problem, and the next scan has working workers', async () => {
    // 10,000 entries take a warm worker a few hundred ms here; the deadline is 20 ms.
    const big = makeHostileDisk('grub-10000-entries', path.join(tmp, 'late'));
    const late = await scan({ roots: [big], board: [], arch: 'x86_64', isolation: { deadlineMs: 20, heapMb: 128 } });
    expect(late.entries).toEqual([]);
    expect(late.problems).toEqual([expect.objectContaining({ source: 'late', message: 'nothing listed from this disk: it took too long (did not finish within 0.02 s)' })]);
    expect(count((await scan({ roots: [SMALL], board: [], arch: 'x86_64' })).entries, 'debian-root')).toBe(4);
  }, 60_000);
});
