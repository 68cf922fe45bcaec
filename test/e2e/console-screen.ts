// What a person sees on one console of a guest: everything it printed (`output`) and the 80x24
// screen now (`screen`, through an @xterm/headless terminal). The serial line and a virtio
// console both feed one of these; waits end early, with what was on the screen, once `gone` says
// the guest is no more.
import x from '@xterm/headless';

const { Terminal } = x;

export function stripAnsi(text: string): string {
  // CSI and OSC sequences, then other lone escapes; carriage returns go too.
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]|\r/g, '');
}

export class ConsoleScreen {
  private raw = '';
  private lastOutputAt = Date.now();
  /** Output handed to the terminal that it has not parsed yet (xterm parses writes asynchronously). */
  private unparsedWrites = 0;
  private readonly term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true, scrollback: 1000 });
  private readonly decoder = new TextDecoder();
  private readonly listeners = new Set<() => void>();

  /** `gone`: why the guest is no more (then waits fail at once), or undefined while it runs. */
  constructor(
    readonly name: string,
    private readonly gone: () => string | undefined = () => undefined,
    private readonly describe: (message: string) => string = (message) => message,
  ) {}

  /** Bytes the console printed. */
  feed(chunk: Buffer): void {
    const text = this.decoder.decode(chunk, { stream: true });
    this.raw += text;
    this.lastOutputAt = Date.now();
    this.unparsedWrites++;
    this.term.write(text, () => {
      this.unparsedWrites--;
      this.wake();
    });
  }

  /** A line of our own in the output (not on the screen), e.g. QEMU's stderr. */
  note(text: string): void {
    this.raw += text;
  }

  /** Re-checks every wait: after output, or when the guest is gone. */
  wake(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Everything printed so far, escape sequences and CRs removed. */
  get output(): string {
    return stripAnsi(this.raw);
  }

  /** The 24 lines on the screen now, trailing blanks trimmed. */
  screen(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < this.term.rows; i++) lines.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  /**
   * Waits until the console has printed nothing for `ms`: at 115200 baud a full 80x24 frame takes
   * about 170 ms to arrive, so a screen read before that can be a frame half drawn. Quiet also
   * means the terminal has parsed all of it, and the pipe has nothing pending: the check runs only
   * after an I/O turn of the event loop (a timer alone can fire before output already waiting).
   */
  async quiet(ms = 300, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.unparsedWrites === 0 && Date.now() - this.lastOutputAt >= ms) return;
      if (Date.now() > deadline) throw this.failure(`the console did not go quiet for ${ms} ms`);
    }
  }

  waitForScreen(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return this.waitFor(() => this.screen().match(pattern), `screen ${String(pattern)}`, timeoutMs);
  }

  /** The screen once it matches `pattern` with the console quiet: a whole frame, not half of one. */
  async waitForSettledScreen(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.waitForScreen(pattern, Math.max(1, deadline - Date.now()));
      await this.quiet();
      const found = this.screen().match(pattern);
      if (found) return found;
    }
  }

  /** Waits for a pattern anywhere in the output so far (from offset `from`). */
  waitForOutput(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return this.waitFor(() => this.output.slice(from).match(pattern), `output ${String(pattern)}`, timeoutMs);
  }

  waitFor<T>(probe: () => T | null | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = (): void => {
        const found = probe();
        const gone = this.gone();
        if (found) {
          done();
          resolve(found);
        } else if (gone !== undefined) {
          done();
          reject(this.failure(`waiting for ${what}: ${gone}`));
        }
      };
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      timer = setTimeout(() => {
        done();
        reject(this.failure(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  failure(message: string): Error {
    const tail = this.output.split('\n').slice(-40).join('\n');
    return new Error(`${this.name}: ${this.describe(message)}\n--- screen ---\n${this.screen()}\n--- last output ---\n${tail}`);
  }

  dispose(): void {
    this.term.dispose();
  }
}
