// The fuzz suite: every parser of disk data, the glob matcher, the per-source scan and the path
// resolver, 10,000 seeded inputs each (KEXMENU_FUZZ_COUNT), the same inputs on every run
// (KEXMENU_FUZZ_SEED, default 1). A crash, a broken invariant or a hang (a case over one second)
// fails the suite and prints the case; replay one with KEXMENU_FUZZ_CASE=<target>:<case>, which
// writes its input under .cache/fuzz/ and runs it alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/screen.js';
import { caseSeed, Pick, rng } from './mutate.js';
import { type FuzzReport, fuzzTarget } from './runner.js';
import { allTargets } from './targets.js';

const BASE = Number(process.env.KEXMENU_FUZZ_SEED ?? 1);
const COUNT = Number(process.env.KEXMENU_FUZZ_COUNT ?? 10_000);
const HANG_MS = 1000;
const workDir = mkdtempSync(path.join(tmpdir(), 'kexmenu-fuzz-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const names = allTargets(workDir).map((t) => t.name);
const reports: FuzzReport[] = [];

function line(r: FuzzReport): string {
  const kib = (n: number) => `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} KiB`;
  return `${r.target.padEnd(14)} ${String(r.inputs).padStart(6)} inputs  ${String(r.failures.length).padStart(2)} crashes  ${String(r.hangs.length).padStart(2)} hangs  ` +
    `max ${r.maxMs.toFixed(1).padStart(6)} ms (case ${r.maxMsCase}, ${kib(r.maxMsBytes)})  p99 ${r.p99Ms.toFixed(1)} ms  over 100 ms: ${r.over100ms}  ` +
    `max input ${kib(r.maxInputBytes)}  max output ${kib(r.maxOutputBytes)}`;
}

const replay = process.env.KEXMENU_FUZZ_CASE;

describe.skipIf(replay !== undefined)(`fuzz (seed ${BASE}, ${COUNT} inputs a target, hang = over ${HANG_MS} ms)`, () => {
  afterAll(() => {
    console.log(`\nfuzz report (seed ${BASE}):\n${reports.map(line).join('\n')}\n`);
    mkdirSync(path.join(REPO, '.cache/fuzz'), { recursive: true });
    writeFileSync(path.join(REPO, '.cache/fuzz/report.json'), `${JSON.stringify(reports.map((r) => ({ ...r, failures: r.failures.slice(0, 20) })), null, 2)}\n`);
  });

  // Two at a time: one per core.
  describe.concurrent('targets', () => {
    for (const name of names) {
      it(name, async () => {
        const report = await fuzzTarget(name, { base: BASE, count: COUNT, hangMs: HANG_MS, workDir: path.join(workDir, name.replace(/\W/g, '_')) });
        reports.push(report);
        const replayHint = (index: number) => `KEXMENU_FUZZ_SEED=${BASE} KEXMENU_FUZZ_CASE='${name}:${index}' npm run fuzz`;
        const told = [
          ...report.failures.slice(0, 5).map((f) => `case ${f.index}: ${f.failure?.split('\n').slice(0, 4).join(' | ')}\n  replay: ${replayHint(f.index)}`),
          ...report.hangs.slice(0, 5).map((i) => `case ${i}: no answer within ${HANG_MS} ms\n  replay: ${replayHint(i)}`),
        ];
        expect(told, line(report)).toEqual([]);
        expect(report.inputs).toBe(COUNT);
      }, 600_000);
    }
  });
});

describe.skipIf(replay === undefined)('fuzz replay', () => {
  it(`case ${replay}`, () => {
    const [name, index] = [replay!.slice(0, replay!.lastIndexOf(':')), Number(replay!.slice(replay!.lastIndexOf(':') + 1))];
    const target = allTargets(workDir).find((t) => t.name === name)!;
    const input = target.make(new Pick(rng(caseSeed(name, BASE, index))));
    const out = path.join(REPO, '.cache/fuzz', `${name.replace(/\W/g, '_')}-${index}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const described = input.describe();
    // A tree as JSON (its names can be anything a mutation made); file contents as text, or base64.
    const json = typeof described === 'string' ? described : JSON.stringify(described, (_k, v) => (v instanceof Uint8Array ? { base64: Buffer.from(v).toString('base64') } : v), 2);
    writeFileSync(path.join(out, typeof described === 'string' ? 'input' : 'tree.json'), json);
    console.log(`input written to ${out}`);
    const start = performance.now();
    const result = input.run();
    console.log(`ran in ${(performance.now() - start).toFixed(1)} ms: ${JSON.stringify(result)}`);
    expect(result.broken).toBeNull();
  });
});
