// One console's life: its Ink root shown and hidden as the menu needs (another console's boot, a
// shell on this one), its view kept in between, and its end when the device goes away (a USB
// serial adapter pulled out): that costs this console and nothing else.
import { render, type Instance } from 'ink';
import { createElement } from 'react';
import type { SharedStore } from '../menu/server.js';
import type { BootEdits, BootEntry, BootPlan } from '../model.js';
import { App, type Leave } from './App.js';
import type { ConsoleIO } from './console-io.js';
import { freshView, viewOf, type ViewState } from './state.js';

export const CLEAR = '\x1b[2J\x1b[H';

export interface SessionDeps {
  store: SharedStore;
  plan: (entry: BootEntry, edits: BootEdits | null) => BootPlan;
  onLeave: (session: ConsoleSession, leave: Leave) => void;
  onGone: (session: ConsoleSession, why: string) => void;
}

export class ConsoleSession {
  private view: ViewState;
  private instance: Instance | null = null;
  private input: NodeJS.ReadStream | null = null;
  private ended = false;
  private readonly inputEnded = () => this.end('its input ended');
  private readonly inputFailed = (error: Error) => this.end(error.message);

  constructor(readonly io: ConsoleIO, private readonly deps: SessionDeps) {
    this.view = freshView(deps.store.snapshot());
    io.output.on('error', (error: Error) => this.end(error.message));
  }

  get name(): string {
    return this.io.name;
  }

  show(): void {
    if (this.ended || this.instance) return;
    let input: NodeJS.ReadStream;
    try {
      input = this.io.openInput();
    } catch (error) {
      return this.end((error as Error).message);
    }
    input.on('end', this.inputEnded);
    input.on('error', this.inputFailed);
    this.input = input;
    this.io.output.write(CLEAR);
    let left = false;
    this.instance = render(
      createElement(App, {
        store: this.deps.store,
        plan: this.deps.plan,
        initial: this.view,
        onState: (state) => {
          this.view = viewOf(state);
        },
        onLeave: (leave: Leave) => {
          if (left) return;
          left = true;
          this.view = { ...viewOf(leave.state), effect: null };
          // Let Ink write its last frame, then give the terminal back.
          setImmediate(() => {
            void this.hide().then(() => this.deps.onLeave(this, leave));
          });
        },
      }),
      { stdout: this.io.output, stdin: input, exitOnCtrlC: false, patchConsole: false },
    );
  }

  /**
   * Takes the menu off this console and lets go of its input, so that a shell started next gets
   * every key. Ink lets go of the stream in effects that run after `unmount` returns: wait for
   * that, then destroy the stream.
   */
  async hide(): Promise<void> {
    const instance = this.instance;
    const input = this.input;
    this.instance = null;
    this.input = null;
    if (!instance || !input) return;
    try {
      instance.unmount();
    } catch {
      // A console that is gone cannot be drawn on any more; that is all.
    }
    for (let i = 0; i < 100 && input.listenerCount('readable') > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    input.off('end', this.inputEnded);
    input.off('error', this.inputFailed);
    input.on('error', () => {});
    input.destroy();
  }

  write(text: string): void {
    if (!this.ended) this.io.output.write(text);
  }

  private end(why: string): void {
    if (this.ended) return;
    this.ended = true;
    void this.hide().finally(() => this.io.close());
    this.deps.onGone(this, why);
  }
}
