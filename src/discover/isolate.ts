// Each source is scanned in a worker thread with its own heap limit and a deadline, so a disk that
// makes a parser loop, allocate without end or crash costs that disk, never the menu. A few
// workers are kept warm between scans (a rescan on hotplug must not pay for new ones); one that
// missed its deadline or died is dropped and replaced. A worker stuck in the kernel (a read from
// a device that stopped answering) cannot be stopped by anyone: it is left behind and counted,
// and the process exits without waiting for it (see exitWithoutStuckWorkers).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceJob, SourceScan } from './scan-source.js';

declare const KEXMENU_BUNDLE: boolean | undefined;

export interface IsolationLimits {
  /** Wall-clock time one source may take. Generous: TCG emulation and slow SD cards are 20x slower than this machine. */
  deadlineMs: number;
  /** V8 heap of a worker. */
  heapMb: number;
}

export const SOURCE_ISOLATION: IsolationLimits = { deadlineMs: 10_000, heapMb: 128 };

export type Isolated<T> = { ok: true; value: T } | { ok: false; reason: 'deadline' | 'memory' | 'crash'; message: string };

const POOL_SIZE = Math.min(4, Math.max(2, availableParallelism()));
/**
 * A further worker starts only when every one is busy with a job this old: most scans are a few
 * disks of a few milliseconds each, and each worker costs a start and ~9 MB; a disk that is slow
 * to read (or stopped answering) gets the others a worker of their own.
 */
const SPAWN_AFTER_MS = 300;
/** How long a terminated worker may take to go before it counts as stuck in the kernel. */
const EXIT_GRACE_MS = 2000;

interface Pending {
  resolve: (outcome: Isolated<SourceScan>) => void;
  timer: NodeJS.Timeout;
}

class ScanWorker {
  readonly thread: Worker;
  /** Handed out to a job (set before the job starts, so two jobs never share a worker). */
  claimed = false;
  busy: Pending | null = null;
  /** When the running job started (Date.now()), null when idle. */
  busySince: number | null = null;
  gone = false;

  constructor(
    readonly heapMb: number,
    private readonly onGone: (w: ScanWorker) => void,
  ) {
    this.thread = spawn(heapMb);
    this.thread.unref();
    this.thread.on('message', (message: { value?: SourceScan; error?: string }) => {
      if (message.error !== undefined) this.finish({ ok: false, reason: 'crash', message: message.error });
      else this.finish({ ok: true, value: message.value! });
    });
    this.thread.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.drop();
      this.finish(memory ? { ok: false, reason: 'memory', message: 'ran out of its memory' } : { ok: false, reason: 'crash', message: error.message });
    });
    this.thread.on('exit', () => {
      this.drop();
      this.finish({ ok: false, reason: 'crash', message: 'the scan worker stopped' });
    });
  }

  run(job: SourceJob, deadlineMs: number): Promise<Isolated<SourceScan>> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.expire(deadlineMs), deadlineMs);
      this.busy = { resolve, timer };
      this.busySince = Date.now();
      this.thread.ref();
      this.thread.postMessage(job);
    });
  }

  private expire(deadlineMs: number): void {
    this.drop();
    const stuck = setTimeout(() => abandoned++, EXIT_GRACE_MS);
    stuck.unref();
    this.thread.once('exit', () => clearTimeout(stuck));
    void this.thread.terminate();
    this.finish({ ok: false, reason: 'deadline', message: `did not finish within ${deadlineMs / 1000} s` });
  }

  private finish(outcome: Isolated<SourceScan>): void {
    const pending = this.busy;
    if (!pending) return;
    this.busy = null;
    this.busySince = null;
    this.claimed = false;
    clearTimeout(pending.timer);
    if (!this.gone) this.thread.unref();
    pending.resolve(outcome);
  }

  /** Leaves the pool for good (a worker with other limits is wanted). */
  retire(): void {
    this.drop();
    void this.thread.terminate();
  }

  private drop(): void {
    if (this.gone) return;
    this.gone = true;
    this.onGone(this);
  }
}

/** Workers that missed their deadline and never went away: stuck in a system call on a dead device. */
let abandoned = 0;
const pool: ScanWorker[] = [];
/** Jobs waiting for a worker, each woken once (by a worker coming free, or by its own timer). */
const waiting = new Set<() => void>();

function wakeOne(): void {
  const first = waiting.values().next();
  if (!first.done) first.value();
}

function spawn(heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(32, heapMb / 4) };
  if (typeof KEXMENU_BUNDLE !== 'undefined') return new Worker(new URL('./scan-worker.mjs', import.meta.url), { resourceLimits });
  // From the sources (tests, bench: always a checkout with node_modules): the worker registers
  // tsx before it loads TypeScript.
  const entry = new URL('./source-worker.ts', import.meta.url).href;
  const tsx = new URL('../../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, resourceLimits });
}

async function idleWorker(heapMb: number): Promise<ScanWorker> {
  for (;;) {
    const idle = pool.filter((w) => !w.claimed && !w.gone);
    const fitting = idle.find((w) => w.heapMb === heapMb);
    if (fitting) {
      fitting.claimed = true;
      return fitting;
    }
    if (pool.length >= POOL_SIZE && idle[0]) idle[0].retire();
    const slow = pool.every((w) => w.busySince !== null && Date.now() - w.busySince >= SPAWN_AFTER_MS);
    if (pool.length < POOL_SIZE && (idle.length > 0 || slow)) return startWorker(heapMb);
    // Woken when a worker is free, or in time to see whether the busy ones have become slow.
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, SPAWN_AFTER_MS);
      waiting.add(wake);
    });
  }
}

function startWorker(heapMb: number): ScanWorker {
  const worker = new ScanWorker(heapMb, (w) => {
    pool.splice(pool.indexOf(w), 1);
    wakeOne();
  });
  worker.claimed = true;
  pool.push(worker);
  return worker;
}

/** Starts the first worker now, so that its start overlaps whatever the process does before its first scan. */
export function warmScanWorkers(heapMb = SOURCE_ISOLATION.heapMb): void {
  if (pool.length === 0) startWorker(heapMb).claimed = false;
}

/** Scans one source in a worker; the outcome says why when the source cost more than its limits. */
export async function runSourceJob(job: SourceJob, limits: IsolationLimits = SOURCE_ISOLATION): Promise<Isolated<SourceScan>> {
  const worker = await idleWorker(limits.heapMb);
  try {
    return await worker.run(job, limits.deadlineMs);
  } finally {
    wakeOne();
  }
}

/**
 * Ends the process. Node joins every worker thread on exit, so a worker stuck in the kernel would
 * keep a finished `kexmenu scan` from ever exiting: then the process ends by SIGKILL instead, after
 * saying why. The caller has let stdout and stderr drain first.
 */
export function exitWithoutStuckWorkers(code: number): void {
  if (abandoned === 0) {
    process.exitCode = code;
    return;
  }
  process.stderr.write(`kexmenu: ${abandoned} scan worker${abandoned === 1 ? ' is' : 's are'} stuck reading a device that does not answer; exiting without them\n`);
  process.kill(process.pid, 'SIGKILL');
}
