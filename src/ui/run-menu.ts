// The menu's life outside React: one owner (`MenuServer`) and one session per console. A console
// leaves Ink to run a shell (the others stay), to quit, or to boot; a boot takes every console
// off the screen, holds the owner still, and says on each what is being booted and where it was
// chosen. Only one boot is ever under way.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { formatSize } from '../format-size.js';
import type { MenuBackend } from '../menu/backend.js';
import { MenuServer } from '../menu/server.js';
import type { SharedState } from '../menu/shared-state.js';
import type { BootEntry, BootPlan } from '../model.js';
import { forTerminal } from '../text/terminal.js';
import type { Leave } from './App.js';
import type { ConsoleIO } from './console-io.js';
import { CLEAR, ConsoleSession } from './console-session.js';

export interface StepOutcome {
  ok: boolean;
  /** What went wrong, in words a person can act on. */
  message?: string | null;
}

/** The two kexec steps (real, or printing the commands with --dry-run). */
export interface Booter {
  load(plan: BootPlan, log: (line: string) => void): Promise<StepOutcome>;
  exec(plan: BootPlan, log: (line: string) => void): Promise<StepOutcome>;
}

export interface RunMenuOptions {
  backend: MenuBackend;
  booter: Booter;
  initial: SharedState;
  consoles: ConsoleIO[];
  shell?: string;
}

export function runMenu(options: RunMenuOptions): Promise<number> {
  return new Promise<number>((resolve) => {
    const sessions = new Set<ConsoleSession>();
    let booting = false;
    let finished = false;

    const finish = async (code: number) => {
      if (finished) return;
      finished = true;
      await Promise.all([...sessions].map((s) => s.hide()));
      await server.quiesce();
      for (const s of sessions) s.io.close();
      resolve(code);
    };

    const boot = async (entry: BootEntry, plan: BootPlan, chosenOn: ConsoleSession | null) => {
      if (booting || finished) return;
      booting = true;
      await Promise.all([...sessions].map((s) => s.hide()));
      // Nothing may mount while the kernel is loaded and the disks are let go.
      await server.quiesce();
      const failure = await startKernel(entry, plan, options.booter, [...sessions], chosenOn, (line) => server.log(line));
      if (failure === null) return void finish(0);
      booting = false;
      server.bootFailed(failure);
      // Rescan: a failed `kexec -e` comes back with the disks unmounted.
      server.start();
      for (const s of sessions) s.show();
    };

    const bootDefault = (entryId: string) => {
      const entry = server.snapshot().scan?.entries.find((e) => e.id === entryId);
      if (!entry) return;
      const plan = options.backend.plan(entry, null);
      if (!plan.ok) return server.bootFailed(`cannot boot ${entry.label}: ${plan.refusal ?? 'refused'}`);
      void boot(entry, plan, null);
    };

    const server = new MenuServer({ backend: options.backend, initial: options.initial, onDue: bootDefault });

    const onLeave = (session: ConsoleSession, leave: Leave) => {
      if (leave.kind === 'quit') return void finish(0);
      if (leave.kind === 'boot') return void boot(leave.entry, leave.plan, session);
      void runShell(options.shell ?? process.env.SHELL ?? '/bin/sh', session.io).then((code) => {
        server.log(`shell on ${session.name} exited with status ${code}`);
        if (booting || finished) return;
        session.show();
        // The shell may have changed the disks.
        server.rescan();
      });
    };

    const onGone = (session: ConsoleSession, why: string) => {
      sessions.delete(session);
      server.log(`console ${session.name} is gone (${why})`);
    };

    for (const io of options.consoles) sessions.add(new ConsoleSession(io, { store: server, plan: options.backend.plan, onLeave, onGone }));
    server.start();
    for (const s of sessions) s.show();
  });
}

/**
 * Runs the shell on one console. On a console opened by path the shell is a session of its own
 * with that console as its controlling terminal (`setsid -c`), so it has job control and Ctrl-C
 * reaches what runs in it; on the process's own terminal it inherits it, and SIGINT is its own.
 */
function runShell(shell: string, io: ConsoleIO): Promise<number> {
  io.output.write(`${CLEAR}kexmenu: starting ${shell}; type exit to come back to the menu\n`);
  const own = io.shellFd === null;
  const ignore = () => {};
  if (own) {
    process.on('SIGINT', ignore);
    process.on('SIGQUIT', ignore);
  }
  return new Promise<number>((resolve) => {
    const child = own
      ? spawn(shell, [], { stdio: 'inherit' })
      : spawn('setsid', ['-c', shell], { stdio: [io.shellFd!, io.shellFd!, io.shellFd!] });
    const finish = (code: number) => {
      if (own) {
        process.off('SIGINT', ignore);
        process.off('SIGQUIT', ignore);
      }
      resolve(code);
    };
    child.on('error', (error) => {
      io.output.write(`kexmenu: cannot start ${shell}: ${error.message}\n`);
      finish(127);
    });
    child.on('exit', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Loads and starts the kernel, saying so on every console; null when it started (or the dry run finished), else why not. */
async function startKernel(
  entry: BootEntry,
  plan: BootPlan,
  booter: Booter,
  consoles: ConsoleSession[],
  chosenOn: ConsoleSession | null,
  log: (line: string) => void,
): Promise<string | null> {
  const say = (line: string) => {
    log(line);
    for (const c of consoles) c.write(`${forTerminal(line)}\n`);
  };
  for (const c of consoles) {
    const where = chosenOn && c !== chosenOn && consoles.length > 1 ? ` (chosen on ${chosenOn.name})` : '';
    c.write(`${CLEAR}${forTerminal(`booting ${entry.label}${where}`)}\n`);
  }
  log(`booting ${entry.label}${chosenOn ? ` (chosen on ${chosenOn.name})` : ' (the countdown ran out)'}`);
  for (const warning of plan.warnings) say(`warning: ${warning}`);
  const size = (() => {
    try {
      return formatSize(statSync(entry.kernel).size);
    } catch {
      return null;
    }
  })();
  say(`loading kernel${size ? ` ${size}` : ''}...`);
  const loaded = await booter.load(plan, say);
  if (!loaded.ok) return `loading ${entry.label} failed: ${loaded.message ?? 'see the log (l)'}`;
  say('unmounting and starting...');
  const started = await booter.exec(plan, say);
  if (!started.ok) return `starting ${entry.label} failed: ${started.message ?? 'see the log (l)'}`;
  return null;
}
