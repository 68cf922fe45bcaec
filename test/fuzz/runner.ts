// Runs a fuzz target's cases in worker threads, watching each case against the hang limit: a case
// that runs past it is a hang, its worker is terminated and a new one goes on after it.
import { Worker } from 'node:worker_threads';
import { REPO } from '../helpers/screen.js';
import type { CaseResult, WorkerJob } from './worker.js';

export interface FuzzReport {
  target: string;
  inputs: number;
  failures: CaseResult[];
  hangs: number[];
  maxMs: number;
  maxMsCase: number;
  maxMsBytes: number;
  p99Ms: number;
  /** Inputs of at most 1 MiB that took over 100 ms (the target is none). */
  over100ms: number;
  maxOutputBytes: number;
  maxInputBytes: number;
}

function startWorker(job: WorkerJob): Worker {
  const tsx = new URL('node_modules/tsx/dist/esm/api/index.mjs', `file://${REPO}/`).href;
  const entry = new URL('test/fuzz/worker.ts', `file://${REPO}/`).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: 512 } });
}

export async function fuzzTarget(target: string, options: { base: number; count: number; hangMs: number; workDir: string }): Promise<FuzzReport> {
  const results: CaseResult[] = [];
  const hangs: number[] = [];
  let from = 0;
  while (from < options.count) {
    const progress = new SharedArrayBuffer(16);
    const view = new Float64Array(progress);
    const worker = startWorker({ target, base: options.base, from, to: options.count, workDir: options.workDir, progress });
    const next = await new Promise<number>((resolve, reject) => {
      let over = false;
      const watchdog = setInterval(() => {
        const started = view[1]!;
        if (started > 0 && Date.now() - started > options.hangMs) {
          over = true;
          clearInterval(watchdog);
          const index = view[0]!;
          hangs.push(index);
          void worker.terminate();
          resolve(index + 1);
        }
      }, 20);
      worker.on('message', (m: CaseResult | 'done') => {
        if (m === 'done') {
          over = true;
          clearInterval(watchdog);
          void worker.terminate();
          resolve(options.count);
        } else results.push(m);
      });
      worker.on('error', (error) => {
        clearInterval(watchdog);
        reject(error);
      });
      worker.on('exit', (code) => {
        // An exit that is not ours (the worker ran out of memory, say): the running case failed.
        clearInterval(watchdog);
        if (!over && view[1]! > 0) {
          results.push({ index: view[0]!, ms: 0, bytes: 0, outputBytes: 0, failure: `the worker exited (${code}) during this case` });
          resolve(view[0]! + 1);
        }
      });
    });
    from = next;
  }
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a), results[0] ?? { ms: 0, index: -1, bytes: 0 } as CaseResult);
  return {
    target,
    inputs: results.length + hangs.length,
    failures: results.filter((r) => r.failure !== null),
    hangs,
    maxMs: slowest.ms,
    maxMsCase: slowest.index,
    maxMsBytes: slowest.bytes,
    p99Ms: times[Math.floor(times.length * 0.99)] ?? 0,
    over100ms: results.filter((r) => r.ms > 100 && r.bytes <= 1024 * 1024).length,
    maxOutputBytes: Math.max(0, ...results.map((r) => r.outputBytes)),
    maxInputBytes: Math.max(0, ...results.map((r) => r.bytes)),
  };
}
