// Drives a program in a pseudo-terminal and reads its screen the way a person would: node-pty
// runs it (80x24 by default), @xterm/headless interprets every byte it writes, and the helpers
// below read the rendered lines, wait for text with a timeout, and type keys.
//
//   const s = await Screen.start({ args: ['--dry-run', '--timeout', '-1', ROOT] });
//   await s.waitFor(/Debian GNU\/Linux/);
//   s.press('down', 'enter');
//   await s.waitFor(/would run: kexec -e/);
//   expect((await s.exited()).exitCode).toBe(0);
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import x from '@xterm/headless';
import * as pty from 'node-pty';

const { Terminal } = x;

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE = path.join(REPO, 'dist/kexmenu.mjs');

export const KEYS = {
  up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D', home: '\x1b[H', end: '\x1b[F',
  enter: '\r', escape: '\x1b', tab: '\t', backspace: '\x7f', delete: '\x1b[3~',
  'ctrl-u': '\x15', 'ctrl-k': '\x0b', 'ctrl-c': '\x03', 'ctrl-d': '\x04',
} as const;
export type KeyName = keyof typeof KEYS;

export interface ScreenOptions {
  /** Arguments after the program (for the bundle: after `node dist/kexmenu.mjs`). */
  args?: string[];
  /** The program; default: this node running the built bundle. */
  file?: string;
  cols?: number;
  rows?: number;
  cwd?: string;
  /** Added to the environment; a value of undefined removes the variable. CI is removed unless given here. */
  env?: Record<string, string | undefined>;
  term?: string;
}

export interface Exit {
  exitCode: number;
  signal: number | undefined;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(full) : st.mtimeMs);
  }
  return newest;
}

/** Builds dist/kexmenu.mjs when it is missing or older than any file under src/. */
export function ensureBundle(): string {
  if (!existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestMtime(path.join(REPO, 'src'))) {
    execFileSync(process.execPath, [path.join(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: 'inherit' });
  }
  return BUNDLE;
}

export class Screen {
  readonly term: InstanceType<typeof Terminal>;
  readonly proc: pty.IPty;
  /** Everything the program wrote, as received. */
  output = '';
  private exit: Exit | null = null;
  private exitWaiters: ((e: Exit) => void)[] = [];
  private pending: Promise<void> = Promise.resolve();

  private constructor(file: string, args: string[], options: ScreenOptions) {
    const cols = options.cols ?? 80;
    const rows = options.rows ?? 24;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, TERM: options.term ?? 'xterm-256color', ...options.env })) {
      if (v !== undefined) env[k] = v;
    }
    // Ink prints nothing until exit under CI; a test that wants CI passes it in `env` explicitly.
    if (!options.env || !('CI' in options.env)) delete env.CI;
    if (!options.env || !('CONTINUOUS_INTEGRATION' in options.env)) delete env.CONTINUOUS_INTEGRATION;
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
    this.proc = pty.spawn(file, args, { name: env.TERM ?? 'xterm-256color', cols, rows, cwd: options.cwd ?? REPO, env });
    this.proc.onData((data) => {
      this.output += data;
      this.pending = this.pending.then(() => new Promise<void>((resolve) => this.term.write(data, resolve)));
    });
    this.proc.onExit(({ exitCode, signal }) => {
      this.exit = { exitCode, signal };
      for (const waiter of this.exitWaiters) waiter(this.exit);
    });
  }

  /** Starts the built bundle (or `options.file`) in a fresh pseudo-terminal. */
  static start(options: ScreenOptions = {}): Screen {
    if (options.file) return new Screen(options.file, options.args ?? [], options);
    return new Screen(process.execPath, [ensureBundle(), ...(options.args ?? [])], options);
  }

  /** The visible screen's lines, trailing spaces trimmed. */
  lines(): string[] {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < this.term.rows; i++) out.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '');
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /**
   * Every line written so far, scrollback included, with lines the terminal wrapped joined back
   * (a long `kexec -l ...` command reads as one line).
   */
  history(): string {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      const next = buffer.getLine(i + 1);
      const text = line.translateToString(!next?.isWrapped);
      if (line.isWrapped && out.length > 0) out[out.length - 1] += text;
      else out.push(text);
    }
    return out.join('\n');
  }

  /** Waits until everything received so far has been drawn. */
  async flush(): Promise<void> {
    await this.pending;
  }

  /** Waits until the screen (or with `{ history: true }` the scrollback too) matches; throws with the screen on timeout. */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000, options: { history?: boolean } = {}): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const matches = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
    for (;;) {
      await this.flush();
      const t = options.history ? this.history() : this.text();
      if (matches(t)) return t;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)}; the screen:\n${this.text()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the screen stops matching. */
  async waitForGone(pattern: RegExp | string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const matches = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
    for (;;) {
      await this.flush();
      if (!matches(this.text())) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)} to go; the screen:\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The first visible line that matches, or null. */
  findLine(pattern: RegExp | string): string | null {
    return this.lines().find((l) => (typeof pattern === 'string' ? l.includes(pattern) : pattern.test(l))) ?? null;
  }

  /** Types raw text (a paste arrives as one write). */
  write(data: string): void {
    this.proc.write(data);
  }

  /** Presses named keys, one write each. */
  press(...keys: KeyName[]): void {
    for (const key of keys) this.proc.write(KEYS[key]);
  }

  /** Resolves when the program exits; rejects after the timeout (and kills it). */
  exited(timeoutMs = 15_000): Promise<Exit> {
    if (this.exit) return Promise.resolve(this.exit);
    return new Promise<Exit>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`did not exit within ${timeoutMs} ms; the screen:\n${this.text()}`));
      }, timeoutMs);
      this.exitWaiters.push((e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
  }

  get exitStatus(): Exit | null {
    return this.exit;
  }

  /** The terminal device of this screen (/dev/pts/N): another program can open it as a console. */
  get device(): string {
    return (this.proc as unknown as { ptsName: string }).ptsName;
  }

  /** Closes the terminal's master side, as pulling a USB serial adapter does: whoever holds the device sees it hang up. */
  hangUp(): void {
    (this.proc as unknown as { destroy(): void }).destroy();
  }

  kill(): void {
    if (!this.exit) {
      try {
        this.proc.kill();
      } catch {
        // already gone
      }
    }
  }

  dispose(): void {
    this.kill();
    this.term.dispose();
  }
}
