// Every external command kexmenu runs (lsblk, blkid, mount, umount, sync, kexec) goes through here:
// an argument array through execa, never a shell string, and a deadline that does not wait for
// the process. A process reading from a device that stopped answering never comes back; execa's
// own timeout killed it and then waited for an exit that never came. Here the caller gets its
// answer at the deadline and the process is left alone, its pipes closed: a kill would make it
// worse, because it then closes the device on its way out, and that close waits for the dead
// device while holding the disk's lock, which every later sync(2) needs (measured in QEMU).
import { execa } from 'execa';

export interface CommandResult {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** No answer within the deadline (the process is left running, no longer ours). */
  timedOut: boolean;
  /** The command could not be started (ENOENT, EACCES). */
  spawnError: string | null;
}

export interface CommandOptions {
  /** Milliseconds to wait; null waits as long as it takes (`kexec -e`, which only returns on failure). */
  timeoutMs: number | null;
  /** Stdin for the command: nothing, or this process's terminal. */
  stdin?: 'ignore' | 'inherit';
}

export async function runCommand(argv: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const [program, ...args] = argv;
  if (!program) throw new Error('empty command');
  const child = execa(program, args, { reject: false, stdin: options.stdin ?? 'ignore' });
  const finished = child.then(
    (r): CommandResult => ({
      ok: !r.failed,
      exitCode: r.exitCode ?? null,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : '',
      timedOut: false,
      spawnError: r.exitCode === undefined ? ((r as { code?: string }).code ?? r.shortMessage ?? 'could not start') : null,
    }),
  );
  if (options.timeoutMs === null) return finished;

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CommandResult>((resolve) => {
    timer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      resolve({ ok: false, exitCode: null, stdout: '', stderr: '', timedOut: true, spawnError: null });
    }, options.timeoutMs!);
  });
  try {
    return await Promise.race([finished, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
