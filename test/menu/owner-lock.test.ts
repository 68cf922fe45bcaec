import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeOwnerLock } from '../../src/menu/owner-lock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lockName = (what: string) => `kexmenu-test-${process.pid}-${what}`;

describe('the menu owner lock', () => {
  it('is taken when nobody holds it, names the taker, refuses a second taker, and is free again once released', async () => {
    const pidFile = path.join(dir, 'free.pid');
    const first = await takeOwnerLock(lockName('free'), pidFile);
    expect(first.held).toBe(true);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    expect(await takeOwnerLock(lockName('free'), pidFile)).toEqual({ held: false, owner: process.pid });
    if (first.held) await first.release();
    const again = await takeOwnerLock(lockName('free'), pidFile);
    expect(again.held).toBe(true);
    if (again.held) await again.release();
  });

  it('is refused while another process holds it, and free the moment that process is killed (kill -9)', async () => {
    const pidFile = path.join(dir, 'held.pid');
    const script = `import('${path.resolve('src/menu/owner-lock.ts')}').then(async (m) => { const l = await m.takeOwnerLock(${JSON.stringify(lockName('held'))}, ${JSON.stringify(pidFile)}); process.stdout.write(l.held ? 'held\\n' : 'refused\\n'); setInterval(() => {}, 1000); });`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const said = await new Promise<string>((resolve) => owner.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    expect(said).toBe('held');
    expect(await takeOwnerLock(lockName('held'), pidFile)).toEqual({ held: false, owner: owner.pid });
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    const taken = await takeOwnerLock(lockName('held'), pidFile);
    expect(taken.held).toBe(true);
    if (taken.held) await taken.release();
  });
});
