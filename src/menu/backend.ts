// What the menu needs from the rest of kexmenu, behind one small interface, so components can be
// tested with a plain ScanResult and the whole menu runs on the real scan/plan functions.
import type { MenuConfig } from '../config.js';
import type { BootEdits, BootEntry, BootPlan, ScanResult } from '../model.js';

export interface ScanOutcome {
  scan: ScanResult;
  /** The config in force after this scan (a disk's kexmenu.conf may set timeout and default). */
  config: MenuConfig;
}

export interface MenuBackend {
  /** Scans every source; `log` receives each command run and its outcome, `onProgress` the result so far as each source is done. */
  scan(log: (line: string) => void, onProgress?: (partial: ScanOutcome) => void): Promise<ScanOutcome>;
  /** The boot plan for an entry (pure: no command runs). */
  plan(entry: BootEntry, edits: BootEdits | null): BootPlan;
  /** Calls `onChange` when a disk appears or disappears; returns a function that stops watching. */
  watch(onChange: (what: string) => void): () => void;
}
