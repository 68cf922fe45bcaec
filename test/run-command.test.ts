import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/run-command.js';

describe('runCommand', () => {
  it('runs an argument array and reports its output and status', async () => {
    const r = await runCommand(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
    expect(r).toMatchObject({ ok: false, exitCode: 3, stdout: 'out', stderr: 'err', timedOut: false, spawnError: null });
    expect(await runCommand(['true'], { timeoutMs: 10_000 })).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('says when the program is not there', async () => {
    expect(await runCommand(['/nonexistent/blkid'], { timeoutMs: 10_000 })).toMatchObject({ ok: false, spawnError: 'ENOENT' });
  });

  it('answers at the deadline, and does not wait for the process or its pipes', async () => {
    // A process stuck on a dead disk never ends; here one that sleeps, with a child holding the
    // same stdout: waiting for the output to end would take 60 s.
    const r = await runCommand(['sh', '-c', 'sleep 60 & exec sleep 60'], { timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, timedOut: true, exitCode: null });
  });
});
