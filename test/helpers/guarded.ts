// Runs a function of the sources in a worker thread with a hang limit, so a test of code that could
// loop for ever (a backtracking pattern, a quadratic parser) fails with "did not finish" instead of
// freezing the test run. The limit counts the call alone: loading the modules comes first.
import { Worker } from 'node:worker_threads';
import { REPO } from './screen.js';

/** The line for a hang: no parse of a disk's input may take a second. */
export const HANG_LIMIT_MS = 1000;

export type Guarded<T> = { finished: true; value: T; ms: number } | { finished: false; ms: number };

/** Calls `name(...args)` exported by the repo-relative `module` in a fresh worker; args and result must be clonable. */
export function runGuarded<T>(module: string, name: string, args: unknown[], limitMs = HANG_LIMIT_MS): Promise<Guarded<T>> {
  const tsx = new URL('node_modules/tsx/dist/esm/api/index.mjs', `file://${REPO}/`).href;
  const target = new URL(module, `file://${REPO}/`).href;
  const code = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}); }).then((m) => {
      parentPort.postMessage({ ready: true });
      parentPort.once('message', (args) => {
        const start = performance.now();
        Promise.resolve(m[${JSON.stringify(name)}](...args)).then(
          (value) => parentPort.postMessage({ value, ms: performance.now() - start }),
          (error) => parentPort.postMessage({ error: String(error && error.stack || error) }),
        );
      });
    });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    let timer: NodeJS.Timeout | undefined;
    let started = 0;
    worker.on('message', (m: { ready?: true; value?: T; ms?: number; error?: string }) => {
      if (m.ready) {
        started = performance.now();
        timer = setTimeout(() => {
          void worker.terminate();
          resolve({ finished: false, ms: performance.now() - started });
        }, limitMs);
        worker.postMessage(args);
        return;
      }
      clearTimeout(timer);
      void worker.terminate();
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve({ finished: true, value: m.value as T, ms: m.ms ?? 0 });
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
