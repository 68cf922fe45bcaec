// The menu's life outside React: render, and when the App leaves, do what it asked (run a shell,
// boot, quit) with the terminal back in normal mode, then render again with the state it left.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { render } from 'ink';
import { createElement } from 'react';
import type { BootEntry, BootPlan } from '../model.js';
import { App, type Leave } from './App.js';
import type { MenuBackend } from './backend.js';
import { formatSize } from '../format-size.js';
import { forTerminal } from '../text/terminal.js';
import type { MenuState } from './state.js';

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
  initial: MenuState;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  shell?: string;
}

const CLEAR = '\x1b[2J\x1b[H';

export async function runMenu(options: RunMenuOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  let state = options.initial;
  for (;;) {
    stdout.write(CLEAR);
    const leave = await new Promise<Leave>((resolve) => {
      let done = false;
      const instance = render(
        createElement(App, {
          backend: options.backend,
          initial: state,
          // Rescan on every return: the shell may have changed the disks, and a failed `kexec -e`
          // comes back with them unmounted.
          initialScan: true,
          onLeave: (l: Leave) => {
            if (done) return;
            done = true;
            // Let Ink write its last frame, then give the terminal back.
            setImmediate(() => {
              instance.unmount();
              resolve(l);
            });
          },
        }),
        { stdout, stdin, exitOnCtrlC: false, patchConsole: false },
      );
    });
    state = { ...leave.state, effect: null };
    stdin.pause();
    if (leave.kind === 'quit') return 0;
    if (leave.kind === 'shell') {
      const code = await runShell(options.shell ?? process.env.SHELL ?? '/bin/sh', stdout);
      state = { ...state, log: [...state.log, `shell exited with status ${code}`], message: null };
      continue;
    }
    const failure = await boot(leave.entry, leave.plan, options.booter, stdout, state.log);
    if (failure === null) return 0;
    state = { ...state, message: failure.message, log: failure.log, autoboot: { state: 'stopped' } };
  }
}

/** Runs the shell on the real terminal; SIGINT belongs to it while it runs. */
function runShell(shell: string, stdout: NodeJS.WriteStream): Promise<number> {
  stdout.write(`${CLEAR}kexmenu: starting ${shell}; type exit to come back to the menu\n`);
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGQUIT', ignore);
  return new Promise<number>((resolve) => {
    const child = spawn(shell, [], { stdio: 'inherit' });
    const finish = (code: number) => {
      process.off('SIGINT', ignore);
      process.off('SIGQUIT', ignore);
      resolve(code);
    };
    child.on('error', (error) => {
      stdout.write(`kexmenu: cannot start ${shell}: ${error.message}\n`);
      finish(127);
    });
    child.on('exit', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Loads and starts the kernel; null when it started (or the dry run finished), else why not. */
async function boot(entry: BootEntry, plan: BootPlan, booter: Booter, stdout: NodeJS.WriteStream, log: string[]): Promise<{ message: string; log: string[] } | null> {
  const lines = [...log];
  const say = (line: string) => {
    lines.push(line);
    stdout.write(`${forTerminal(line)}\n`);
  };
  stdout.write(CLEAR);
  say(`booting ${entry.label}`);
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
  if (!loaded.ok) return { message: `loading ${entry.label} failed: ${loaded.message ?? 'see the log (l)'}`, log: lines };
  say('unmounting and starting...');
  const started = await booter.exec(plan, say);
  if (!started.ok) return { message: `starting ${entry.label} failed: ${started.message ?? 'see the log (l)'}`, log: lines };
  return null;
}
