// The scan worker's side (see isolate.ts): one SourceJob in, one SourceScan out, for as long as
// the owner keeps this worker.
import { parentPort } from 'node:worker_threads';
import { type SourceJob, scanSource } from './scan-source.js';

parentPort?.on('message', (job: SourceJob) => {
  try {
    parentPort!.postMessage({ value: scanSource(job) });
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
