// Each parser on the hostile inputs that once hung it, crashed it or made it quadratic: it must
// finish within the hang limit (a second, run in a worker so a hang cannot freeze the test run)
// and say what it cut. The disks are test/fixtures/hostile/ and test/helpers/hostile-disks.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/golden.js';
import { type Guarded, HANG_LIMIT_MS, runGuarded } from '../helpers/guarded.js';
import { GENERATED, makeHostileDisk } from '../helpers/hostile-disks.js';
import type { ParseSummary } from '../helpers/parse-root.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kexmenu-hostile-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const disk = (name: string): string => (name in GENERATED ? makeHostileDisk(name as keyof typeof GENERATED, path.join(tmp, name)) : fixturePath('hostile', name));

async function parse(format: string, name: string): Promise<ParseSummary> {
  const root = disk(name);
  const run: Guarded<ParseSummary> = await runGuarded('test/helpers/parse-root.ts', 'parseRoot', [format, root]);
  if (!run.finished) throw new Error(`the ${format} parser did not finish ${name} within ${HANG_LIMIT_MS} ms`);
  return run.value;
}

describe('GRUB on hostile configs', () => {
  it('a variable doubled 26 times, then a for over it: cut at 64 KiB, the entries before it kept', async () => {
    const r = await parse('grub', 'grub-doubling');
    expect(r.labels).toContain('Before the bomb');
    expect(r.problems.join('\n')).toMatch(/longer than 65536 characters is cut/);
  });

  it('eight nested for loops with empty bodies stop at the work budget', async () => {
    const r = await parse('grub', 'grub-nested-for');
    expect(r.labels).toEqual(['Before the loops']);
    expect(r.problems.join('\n')).toMatch(/stopped: the config did more work than a boot menu needs/);
  });

  it('a 300-byte loop that would make 390,625 entries stops at 10,000', async () => {
    const r = await parse('grub', 'grub-entry-flood');
    expect(r.labels).toHaveLength(10_000);
    expect(r.problems.join('\n')).toMatch(/more than 10000 menu entries/);
  });

  it('1 MiB of ${ lexes in one pass', async () => {
    expect((await parse('grub', 'grub-dollar-brace')).labels).toEqual(['Real']);
  });

  it('70,000 `source` lines read 64 files', async () => {
    const r = await parse('grub', 'grub-source-flood');
    expect(r.labels).toEqual(['Real']);
    expect(r.problems.join('\n')).toMatch(/more than 64 source\/configfile commands/);
  });

  it('load_env 100,000 times reads and parses grubenv once', async () => {
    expect((await parse('grub', 'grub-load-env-flood')).labels).toEqual(['Real']);
  });

  it('a grubenv of lines without "=" is read in one pass', async () => {
    expect((await parse('grub', 'grub-env-no-equals')).labels).toEqual(['Real']);
  });

  it('blscfg in a loop of 4,096 runs 4 times', async () => {
    const r = await parse('grub', 'grub-blscfg-loop');
    // As in GRUB, each run adds the entries again.
    expect(r.labels).toEqual(['Fedora', 'Fedora', 'Fedora', 'Fedora']);
    expect(new Set(r.cmdlines)).toEqual(new Set(['root=/dev/sda2 ro']));
    expect(r.problems.join('\n')).toMatch(/blscfg run more than 4 times/);
  });
});

describe('extlinux on hostile configs', () => {
  it('5,000 nested MENU BEGINs: labels stay short, the nesting stops at 16', async () => {
    const r = await parse('extlinux', 'extlinux-menu-nesting');
    expect(r.labels.length).toBe(5001);
    expect(Math.max(...r.labels.map((l) => l.length))).toBeLessThanOrEqual(256);
    expect(r.problems.join('\n')).toMatch(/menus nested more than 16 deep/);
  });

  it('100,000 stray MENU ENDs make a handful of problems, counted', async () => {
    const r = await parse('extlinux', 'extlinux-menu-end-flood');
    expect(r.labels).toEqual(['real']);
    expect(r.problems.length).toBeLessThan(10);
    expect(r.problems.join('\n')).toMatch(/and [\d,]+ more like this: MENU END without MENU BEGIN/);
  });

  it('a 1 MiB line with a lone CR is read in one pass', async () => {
    expect((await parse('extlinux', 'extlinux-long-line')).labels).toEqual(['real']);
  });
});

describe('Boot Loader Spec on hostile entries and loader.conf', () => {
  it('a 60 KB line with a lone U+2028 is read in one pass', async () => {
    expect((await parse('bls', 'bls-long-line')).labels).toEqual(['Real']);
  });

  for (const name of ['loader-glob-backtrack', 'loader-glob-stars', 'loader-glob-reversed-range', 'loader-glob-huge']) {
    it(`${name}: the default matches in bounded time and no entry is lost`, async () => {
      const r = await parse('bls', name);
      expect(r.labels.sort()).toEqual(['Entry 0', 'Entry 1', 'Entry 2']);
      expect(r.defaults).toBe(1);
    });
  }
});

describe('Raspberry Pi config.txt', () => {
  it('500,000 lines it does not understand make a handful of problems, counted', async () => {
    const r = await parse('rpi', 'rpi-problem-flood');
    expect(r.problems.length).toBeLessThan(10);
    expect(r.problems.join('\n')).toMatch(/and [\d,]+ more like this: not understood: x/);
  });
});
