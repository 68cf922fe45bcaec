// Autoboot rules. The countdown targets the best default entry; any key stops it for good.
// When a rescan (a disk plugged in) brings a default with a HIGHER priority than the one being
// counted down to, the countdown restarts, full length, for the new one, so the machine never boots
// the wrong thing a second after the person plugged in the stick they meant to boot. A default of
// the same or lower priority changes nothing. If the target disappears, the countdown restarts
// for the best default that is left, or waits when none is.
//   priority 3: matches kexmenu.conf `default` (label glob or entry id)
//   priority 2: the default of a removable (USB) disk
//   priority 1: the default of a fixed disk
import type { MenuConfig } from '../config.js';
import type { BootEntry, ScanResult } from '../model.js';
import { globMatch } from '../text/glob.js';
import { orderedEntries } from './layout.js';

export type Autoboot =
  | { state: 'waiting' } // no default yet (or no scan yet): one that appears starts the count
  | { state: 'counting'; target: string; priority: number; remaining: number }
  | { state: 'stopped' } // a key was pressed
  | { state: 'off' }; // negative timeout: wait forever

export function entryPriority(entry: BootEntry, scan: ScanResult, config: MenuConfig): number {
  if (config.default && (entry.id === config.default || globMatch(config.default, entry.label))) return 3;
  if (!entry.default) return 0;
  const source = scan.sources.find((s) => s.id === entry.source);
  return source?.removable ? 2 : 1;
}

/** The default entry and its priority; the first in menu order wins a tie. */
export function chooseDefault(scan: ScanResult, config: MenuConfig): { id: string; priority: number } | null {
  let best: { id: string; priority: number } | null = null;
  for (const entry of orderedEntries(scan)) {
    const priority = entryPriority(entry, scan, config);
    if (priority > 0 && (!best || priority > best.priority)) best = { id: entry.id, priority };
  }
  return best;
}

export function initialAutoboot(timeout: number): Autoboot {
  return timeout < 0 ? { state: 'off' } : { state: 'waiting' };
}

/** What a new scan result does to the countdown. */
export function autobootAfterScan(current: Autoboot, scan: ScanResult, config: MenuConfig, timeout: number): Autoboot {
  if (current.state === 'stopped' || current.state === 'off') return current;
  const best = chooseDefault(scan, config);
  if (current.state === 'waiting') {
    return best ? { state: 'counting', target: best.id, priority: best.priority, remaining: timeout } : current;
  }
  const stillThere = scan.entries.some((e) => e.id === current.target);
  if (stillThere && (!best || best.priority <= current.priority)) return current;
  if (!best) return { state: 'waiting' };
  return { state: 'counting', target: best.id, priority: best.priority, remaining: timeout };
}

/** One second passed. */
export function tick(current: Autoboot): Autoboot {
  if (current.state !== 'counting' || current.remaining <= 0) return current;
  return { ...current, remaining: current.remaining - 1 };
}
