// The owner of the menu: the one place that scans, watches hotplug, keeps the countdown and says
// when it is up. Every console is a view of its state (`snapshot`, `subscribe`); a key on any of
// them goes through `keyPressed`, so the countdown stops for all. Booting is its caller's job
// (`onDue` says when the countdown's time is up); `quiesce` holds scans off while a kernel starts.
import type { MenuBackend, ScanOutcome } from './backend.js';
import { dueBoot, reduceShared, type SharedAction, type SharedState } from './shared-state.js';

export interface SharedStore {
  snapshot(): SharedState;
  subscribe(listener: () => void): () => void;
  keyPressed(): void;
  rescan(): void;
}

export interface MenuServerOptions {
  backend: MenuBackend;
  initial: SharedState;
  /** The countdown's time is up: boot this entry. */
  onDue: (entryId: string) => void;
  /** The first scan shows disks as they answer; false when a whole result is already in hand. */
  firstScanPartial?: boolean;
}

export class MenuServer implements SharedStore {
  private state: SharedState;
  private readonly listeners = new Set<() => void>();
  private scan: Promise<void> | null = null;
  private again = false;
  private scannedOnce: boolean;
  private held = false;
  private ticker: NodeJS.Timeout | null = null;
  private stopWatching: (() => void) | null = null;

  constructor(private readonly options: MenuServerOptions) {
    this.state = options.initial;
    this.scannedOnce = options.firstScanPartial === false;
  }

  snapshot(): SharedState {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Scans now and on every disk that comes or goes. */
  start(): void {
    this.held = false;
    this.rescan();
    this.stopWatching ??= this.options.backend.watch((what) => {
      this.log(`hotplug: ${what}`);
      this.rescan();
    });
    this.syncTicker();
  }

  keyPressed(): void {
    this.dispatch({ type: 'key' });
  }

  log(text: string): void {
    this.dispatch({ type: 'log', text });
  }

  bootFailed(message: string): void {
    this.dispatch({ type: 'boot-failed', message });
  }

  /** One scan at a time: a request during a scan queues exactly one more, so the result is never stale. */
  rescan(): void {
    if (this.held) return;
    if (this.scan) {
      this.again = true;
      return;
    }
    this.dispatch({ type: 'scan-started' });
    const started = Date.now();
    const log = (text: string) => this.log(text);
    // A rescan keeps the last whole result on screen until it is done: a partial one would drop
    // the disks still being read, and their countdown.
    const progress = (outcome: ScanOutcome) => {
      if (!this.scannedOnce) this.dispatch({ type: 'scanned', scan: outcome.scan, config: outcome.config, partial: true });
    };
    this.scan = this.options.backend.scan(log, progress).then(
      (outcome) => {
        this.scannedOnce = true;
        log(`scan: ${outcome.scan.sources.length} sources, ${outcome.scan.entries.length} entries, ${outcome.scan.problems.length} problems in ${Date.now() - started} ms`);
        this.dispatch({ type: 'scanned', scan: outcome.scan, config: outcome.config });
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        log(`scan failed: ${message}`);
        this.dispatch({ type: 'scan-failed', message });
      },
    ).finally(() => {
      this.scan = null;
      if (this.again) {
        this.again = false;
        this.rescan();
      }
    });
  }

  /** No scan, hotplug or tick from now until `start`; resolves once the scan in flight (if any) is done. */
  async quiesce(): Promise<void> {
    this.held = true;
    this.again = false;
    this.stopWatching?.();
    this.stopWatching = null;
    this.syncTicker();
    while (this.scan) await this.scan;
  }

  private dispatch(action: SharedAction): void {
    const before = this.state;
    this.state = reduceShared(this.state, action);
    const due = dueBoot(this.state);
    if (due !== null && !this.held) {
      this.state = reduceShared(this.state, { type: 'key' });
      setImmediate(() => this.options.onDue(due));
    }
    this.syncTicker();
    if (this.state !== before) for (const listener of [...this.listeners]) listener();
  }

  private syncTicker(): void {
    const counting = this.state.autoboot.state === 'counting' && !this.held;
    if (counting && !this.ticker) {
      this.ticker = setInterval(() => this.dispatch({ type: 'tick' }), 1000);
    } else if (!counting && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }
}
