// `kexmenu scan` (the built bundle, as a person runs it) over hostile disks next to an ordinary
// one: each hostile disk costs itself, never the scan, the process or the other disk's entries;
// nothing is read from outside a partition. Every run is bounded: a hang fails the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model.js';
import { fixturePath } from '../helpers/golden.js';
import { GENERATED, makeHostileDisk } from '../helpers/hostile-disks.js';
import { ensureBundle } from '../helpers/screen.js';

const GOOD = fixturePath('disks', 'debian-root');
const GOOD_LABELS = [
  'Debian GNU/Linux',
  'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-27-amd64 (recovery mode)',
  'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-26-amd64',
  'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-26-amd64 (recovery mode)',
];

let tmp: string;
let bundle: string;
beforeAll(() => {
  bundle = ensureBundle();
  tmp = mkdtempSync(path.join(tmpdir(), 'kexmenu-hostile-scan-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const disk = (name: string): string =>
  name in GENERATED ? makeHostileDisk(name as keyof typeof GENERATED, path.join(tmp, name)) : fixturePath('hostile', ...name.split('/'));

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

async function kexmenuScan(args: string[]): Promise<Run> {
  const r = await execa('node', [bundle, 'scan', ...args], { reject: false, timeout: 60_000, maxBuffer: 64 * 1024 * 1024, stdin: 'ignore' });
  if (r.timedOut) throw new Error(`kexmenu scan ${args.join(' ')} did not finish within 60 s`);
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON of `kexmenu scan --json GOOD ...hostile`, after checking that the good disk lost nothing. */
async function scanWithGood(...hostile: string[]): Promise<ScanResult & { bytes: number }> {
  const run = await kexmenuScan(['--json', GOOD, ...hostile]);
  expect(run.exitCode, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as ScanResult;
  expect(result.entries.filter((e) => e.source === 'debian-root').map((e) => e.label)).toEqual(GOOD_LABELS);
  return { ...result, bytes: run.stdout.length };
}

const problemsOf = (result: ScanResult, source: string) => result.problems.filter((p) => p.source === source).map((p) => p.message);

describe('kexmenu scan over hostile disks', () => {
  it('reads no config through a symlink that leads out of its partition, and tells a loop from an escape', async () => {
    const result = await scanWithGood(disk('escapes/configs'), disk('escapes/includes'));
    const all = JSON.stringify(result.entries);
    expect(all).not.toMatch(/CANARY|canary=/);
    expect(result.config).toBeNull(); // the kexmenu.conf out of the partition says timeout = 77
    const configs = problemsOf(result, 'configs').join('\n');
    for (const file of ['/boot/grub/grub.cfg', '/extlinux/extlinux.conf', '/loader/entries/canary.conf', '/kexmenu.conf']) {
      expect(configs).toContain(`not found: ${file}`);
    }
    const includes = result.entries.filter((e) => e.source === 'includes').map((e) => e.label);
    expect(includes).toEqual(expect.arrayContaining(['Real GRUB entry', 'Real extlinux entry', 'Raspberry Pi firmware boot: boot/vmlinuz-rpi']));
    // cmdline.txt leads out of the partition: the firmware entry gets no command line from it.
    expect(result.entries.find((e) => e.origin.format === 'rpi')?.cmdline).toBe('');
    const included = problemsOf(result, 'includes').join('\n');
    expect(included).toMatch(/source: not found: \/boot\/grub\/custom\.cfg/);
    expect(included).toMatch(/symlink loop/);
    expect(included).toMatch(/INCLUDE not found/);
    expect(included).toMatch(/not found: \/extra\.txt/);
    expect(included).toMatch(/not found: \/cmdline\.txt/);
  });

  it('does not block on a symlink to /proc/kmsg from a missing directory', async () => {
    const result = await scanWithGood(disk('escape-to-kmsg'));
    const problems = problemsOf(result, 'escape-to-kmsg').join('\n');
    expect(problems).toMatch(/not found: \/boot\/grub\/grub\.cfg/);
    expect(problems).toMatch(/not found: \/config\.txt/);
  });

  it("survives loader.conf defaults that backtracked or did not compile, and keeps each ESP's entries", async () => {
    const names = ['loader-glob-backtrack', 'loader-glob-stars', 'loader-glob-reversed-range', 'loader-glob-huge'];
    const result = await scanWithGood(...names.map(disk));
    for (const name of names) expect(result.entries.filter((e) => e.source === name && e.kind === 'config')).toHaveLength(3);
  });

  it("survives GRUB's doubling bomb (the heap ran out, exit 134) and keeps the entry before it", async () => {
    const result = await scanWithGood(disk('grub-doubling'));
    expect(result.entries.filter((e) => e.source === 'grub-doubling').map((e) => e.label)).toContain('Before the bomb');
    expect(problemsOf(result, 'grub-doubling').join('\n')).toMatch(/cut to that length/);
  });

  it("a disk with 500,000 problems costs a few lines, not the other disks' entries (the stack overflowed)", async () => {
    const result = await scanWithGood(disk('rpi-problem-flood'));
    const flood = problemsOf(result, 'rpi-problem-flood');
    expect(flood.length).toBeLessThan(10);
    expect(flood.join('\n')).toMatch(/and [\d,]+ more like this/);
  });

  it('stops nested loops, 250,000-entry loops and blscfg loops at their budgets', async () => {
    const result = await scanWithGood(disk('grub-nested-for'), disk('grub-entry-flood'), disk('grub-blscfg-loop'));
    expect(problemsOf(result, 'grub-nested-for').join('\n')).toMatch(/did more work than a boot menu needs/);
    expect(result.entries.filter((e) => e.source === 'grub-entry-flood' && e.kind === 'config')).toHaveLength(10_000);
    expect(problemsOf(result, 'grub-entry-flood').join('\n')).toMatch(/more than 10000/);
    expect(problemsOf(result, 'grub-blscfg-loop').join('\n')).toMatch(/blscfg run more than 4 times/);
  });

  it('keeps output small: 5,000 nested menus were 252 MB of JSON, 100,000 MENU ENDs 100,000 problems', async () => {
    const result = await scanWithGood(disk('extlinux-menu-nesting'), disk('extlinux-menu-end-flood'));
    expect(result.bytes).toBeLessThan(8 * 1024 * 1024);
    expect(Math.max(...result.entries.map((e) => e.label.length))).toBeLessThanOrEqual(256);
    expect(problemsOf(result, 'extlinux-menu-end-flood').length).toBeLessThan(10);
  });

  it('prints labels and command lines with their control characters shown, not sent to the terminal', async () => {
    const run = await kexmenuScan([disk('terminal-escapes')]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(run.stdout).toContain('Debian \\x1b]0;pwned by a disk\\x07\\x1b[2J');
    // JSON stays exact: JSON.stringify escapes them itself.
    const json = JSON.parse((await kexmenuScan(['--json', disk('terminal-escapes')])).stdout) as ScanResult;
    expect(json.entries[0]!.label).toBe('Debian \x1b]0;pwned by a disk\x07\x1b[2J');
  });
});
