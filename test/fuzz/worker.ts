// The fuzz worker: runs cases [from, to) of one target and reports as it goes. The owner watches
// `progress` (the case running and when it started) and terminates this worker when a case runs
// past the hang limit, then starts a new one after it.
import { parentPort, workerData } from 'node:worker_threads';
import { caseSeed, Pick, rng } from './mutate.js';
import { allTargets } from './targets.js';

export interface CaseResult {
  index: number;
  ms: number;
  bytes: number;
  outputBytes: number;
  /** A thrown error or a broken invariant. */
  failure: string | null;
}

export interface WorkerJob {
  target: string;
  base: number;
  from: number;
  to: number;
  workDir: string;
  /** [0]: the case running, [1]: its start in ms since the epoch (low 31 bits are not enough: Float64). */
  progress: SharedArrayBuffer;
}

const job = workerData as WorkerJob;
const target = allTargets(job.workDir).find((t) => t.name === job.target);
if (!target) throw new Error(`no fuzz target ${job.target}`);
const progress = new Float64Array(job.progress);

for (let index = job.from; index < job.to; index++) {
  const pick = new Pick(rng(caseSeed(target.name, job.base, index)));
  let result: CaseResult;
  try {
    const input = target.make(pick);
    progress[0] = index;
    progress[1] = Date.now();
    const start = performance.now();
    let failure: string | null = null;
    let outputBytes = 0;
    try {
      const r = input.run();
      outputBytes = r.outputBytes;
      failure = r.broken;
    } catch (error) {
      failure = `threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    }
    result = { index, ms: performance.now() - start, bytes: input.bytes, outputBytes, failure };
  } catch (error) {
    result = { index, ms: 0, bytes: 0, outputBytes: 0, failure: `making the input threw: ${String(error)}` };
  }
  progress[1] = 0;
  // One message a case: when a hang ends this worker, every case before it has been told.
  parentPort!.postMessage(result);
}
parentPort!.postMessage('done');
