// One comparison helper for every golden file: test/fixtures/<format>/<case>/expected.json.
// UPDATE_GOLDEN=1 rewrites a golden file from the actual result; review the diff before committing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

export function expectGolden(actual: unknown, goldenFile: string): void {
  const normalized = JSON.parse(JSON.stringify(actual, (_k, v) => (typeof v === 'string' ? v.split(FIXTURES).join('<fixtures>') : v)));
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenFile)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden file missing: ${goldenFile} (run with UPDATE_GOLDEN=1 and review it)`);
    writeFileSync(goldenFile, `${JSON.stringify(normalized, null, 2)}\n`);
    return;
  }
  expect(normalized).toEqual(JSON.parse(readFileSync(goldenFile, 'utf8')));
}
