// Menu figures: ms from spawning the bundle in an 80x24 pty to its first frame and to the frame
// that shows every entry of the sample disks, next to spawning a bare `node -e 0`; RSS at the menu.
// `benchMenu()` returns report lines (bench/run.ts style); run this file directly to print them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
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
  for (let i = 0; i < runs; i++) {
    bare.push(await bareNodeRun());
    menu.push(await menuRun(bundle));
  }
  return [
    '## menu (80x24 pty, 3 sample disks, TERM=linux)',
    fmt('bare node -e 0, spawn to exit', bare),
    fmt('bundle, spawn to first frame', menu.map((r) => r.firstFrame)),
    fmt('bundle, spawn to the frame with all entries', menu.map((r) => r.allEntries)),
    fmt('bundle RSS at the menu', menu.map((r) => r.rssKb / 1024), 'MB'),
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log((await benchMenu(Number(process.argv[2] ?? 7))).join('\n'));
}
