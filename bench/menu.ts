// Menu figures: ms from spawning the bundle in an 80x24 pty to its first frame and to the frame
// that shows every entry of the sample disks, next to spawning a bare `node -e 0`; RSS at the menu.
// Then one owner on one console (--console) next to one owner on two (--console twice): what the
// second console costs in start-up and memory.
// `benchMenu()` returns report lines (bench/run.ts style); run this file directly to print them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import x from '@xterm/headless';
import * as pty from 'node-pty';
import { ensureBundle, REPO } from '../test/helpers/screen.js';

const { Terminal } = x;
const DISKS = ['debian-root', 'rpi-boot', 'usb-stick'].map((d) => path.join(REPO, 'test/fixtures/disks', d));
const LAST_ENTRY = 'Rescue live system (fail-safe mode)';

interface Run {
  firstFrame: number;
  allEntries: number;
  rssKb: number;
}

function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CI' && k !== 'CONTINUOUS_INTEGRATION') e[k] = v;
  e.TERM = 'linux';
  return e;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** One start of the menu; resolves once every entry is on the screen. */
function menuRun(bundle: string, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    const start = performance.now();
    const child = pty.spawn(process.execPath, [bundle, '--dry-run', '--config', '/dev/null', '--timeout', '-1', ...DISKS], { name: 'linux', cols: 80, rows: 24, cwd: REPO, env: env() });
    let firstFrame = 0;
    let done = false;
    const finish = (error: Error | null, run?: Run) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill();
      term.dispose();
      if (error) reject(error);
      else resolve(run!);
    };
    const timer = setTimeout(() => finish(new Error('the menu did not show every entry in time')), timeoutMs);
    child.onData((data) => {
      const at = performance.now() - start;
      term.write(data, () => {
        if (done) return;
        const buffer = term.buffer.active;
        let screen = '';
        for (let i = 0; i < term.rows; i++) screen += `${buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? ''}\n`;
        if (!firstFrame && screen.includes('Enter boot')) firstFrame = at;
        if (firstFrame && screen.includes(LAST_ENTRY)) finish(null, { firstFrame, allEntries: at, rssKb: rssKb(child.pid) });
      });
    });
    child.onExit(() => finish(new Error('the menu exited before showing every entry')));
  });
}

/** An 80x24 terminal that an idle program holds open, read back as a screen: a console for --console. */
function idleConsole() {
  const term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
  const holder = pty.spawn('/bin/sleep', ['600'], { name: 'linux', cols: 80, rows: 24, cwd: REPO, env: env() });
  const listeners = new Set<(screen: string) => void>();
  holder.onData((data) =>
    term.write(data, () => {
      const buffer = term.buffer.active;
      let screen = '';
      for (let i = 0; i < term.rows; i++) screen += `${buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? ''}\n`;
      for (const l of listeners) l(screen);
    }),
  );
  return {
    // node-pty knows the slave's path but does not type it.
    device: (holder as unknown as { ptsName: string }).ptsName,
    onScreen: (l: (screen: string) => void) => listeners.add(l),
    dispose: () => {
      holder.kill();
      term.dispose();
    },
  };
}

/**
 * One owner drawing on `count` consoles of its own (--console each): ms from spawn until every
 * console shows the first frame, and until every console shows every entry; RSS then.
 */
function consolesRun(bundle: string, count: number, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const consoles = Array.from({ length: count }, idleConsole);
    const start = performance.now();
    const args = [bundle, '--dry-run', '--config', '/dev/null', '--timeout', '-1', ...consoles.flatMap((c) => ['--console', c.device]), ...DISKS];
    const child = spawn(process.execPath, args, { cwd: REPO, env: env(), stdio: 'ignore' });
    const framed = new Map<number, number>();
    const complete = new Map<number, number>();
    let done = false;
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const rss = error ? NaN : rssKb(child.pid!);
      child.kill('SIGKILL');
      for (const c of consoles) c.dispose();
      if (error) reject(error);
      else resolve({ firstFrame: Math.max(...framed.values()), allEntries: Math.max(...complete.values()), rssKb: rss });
    };
    const timer = setTimeout(() => finish(new Error(`the menu did not show every entry on ${count} consoles in time`)), timeoutMs);
    consoles.forEach((c, i) =>
      c.onScreen((screen) => {
        const at = performance.now() - start;
        if (!framed.has(i) && screen.includes('Enter boot')) framed.set(i, at);
        if (framed.has(i) && !complete.has(i) && screen.includes(LAST_ENTRY)) complete.set(i, at);
        if (complete.size === count) finish(null);
      }),
    );
    child.on('exit', () => finish(new Error('the menu exited before showing every entry')));
  });
}

function bareNodeRun(): Promise<number> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = pty.spawn(process.execPath, ['-e', '0'], { name: 'linux', cols: 80, rows: 24, cwd: REPO, env: env() });
    child.onExit(() => resolve(performance.now() - start));
  });
}

const stats = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
};
const fmt = (what: string, v: number[], unit = 'ms') => {
  const { min, median } = stats(v);
  return `  ${what.padEnd(52)} min ${min.toFixed(0).padStart(6)} ${unit}  median ${median.toFixed(0).padStart(6)} ${unit}`;
};

export async function benchMenu(runs = 7): Promise<string[]> {
  // KEXMENU_BENCH_BUNDLE: another build's kexmenu.mjs, to compare in the same run on this noisy machine.
  const bundle = process.env.KEXMENU_BENCH_BUNDLE ?? ensureBundle();
  const bare: number[] = [];
  const menu: Run[] = [];
  const one: Run[] = [];
  const two: Run[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await bareNodeRun());
    menu.push(await menuRun(bundle));
    one.push(await consolesRun(bundle, 1));
    two.push(await consolesRun(bundle, 2));
  }
  const median = (v: number[]) => stats(v).median;
  const cost = (pick: (r: Run) => number, scale = 1) => (median(two.map(pick)) - median(one.map(pick))) / scale;
  return [
    '## menu (80x24 pty, 3 sample disks, TERM=linux)',
    fmt('bare node -e 0, spawn to exit', bare),
    fmt('bundle, spawn to first frame', menu.map((r) => r.firstFrame)),
    fmt('bundle, spawn to the frame with all entries', menu.map((r) => r.allEntries)),
    fmt('bundle RSS at the menu', menu.map((r) => r.rssKb / 1024), 'MB'),
    '## one owner, one console or two (--console on idle ptys; times until every console has it)',
    fmt('one console, spawn to first frame', one.map((r) => r.firstFrame)),
    fmt('two consoles, spawn to first frame', two.map((r) => r.firstFrame)),
    fmt('one console, spawn to all entries', one.map((r) => r.allEntries)),
    fmt('two consoles, spawn to all entries', two.map((r) => r.allEntries)),
    fmt('one console, RSS', one.map((r) => r.rssKb / 1024), 'MB'),
    fmt('two consoles, RSS', two.map((r) => r.rssKb / 1024), 'MB'),
    `  the second console costs (medians): first frame ${cost((r) => r.firstFrame).toFixed(0)} ms, all entries ${cost((r) => r.allEntries).toFixed(0)} ms, RSS ${cost((r) => r.rssKb, 1024).toFixed(1)} MB (target: at most 100 ms and 10 MB)`,
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log((await benchMenu(Number(process.argv[2] ?? 7))).join('\n'));
}
