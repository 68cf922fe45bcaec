import { performance } from 'node:perf_hooks';

export async function timeIt(runs: number, work: () => Promise<unknown> | unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function row(what: string, ms: number): string {
  return `  ${what.padEnd(60)} ${ms.toFixed(1).padStart(9)} ms`;
}
