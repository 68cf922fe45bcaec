import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeOwnerLock } from '../../src/menu/owner-lock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the menu owner lock', () => {
  it('is taken when nobody holds it, and names the taker', () => {
    const file = path.join(dir, 'free.pid');
    expect(takeOwnerLock(file, 4242)).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('4242\n');
  });

  it('is refused while the owner lives, and taken over once it is dead (kill -9)', async () => {
    const file = path.join(dir, 'held.pid');
    // A process whose command line names kexmenu, as the owner's does.
    const owner = spawn('/bin/sh', ['-c', 'sleep 30', 'kexmenu-owner'], { stdio: 'ignore' });
    await new Promise((resolve) => owner.once('spawn', resolve));
    writeFileSync(file, `${owner.pid}\n`);
    expect(takeOwnerLock(file, 4242)).toBe(owner.pid);
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    expect(takeOwnerLock(file, 4242)).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('4242\n');
  });

  it('takes over a pid that now belongs to some other program', async () => {
    const file = path.join(dir, 'reused.pid');
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((resolve) => other.once('spawn', resolve));
    writeFileSync(file, `${other.pid}\n`);
    try {
      expect(takeOwnerLock(file, 4242)).toBeNull();
    } finally {
      other.kill('SIGKILL');
    }
  });
});
