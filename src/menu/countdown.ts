// Autoboot rules. The countdown targets the best default entry (`bestDefault`: kexmenu.conf's
// `default`, then a removable disk's own default, then a fixed disk's); any key stops it for good.
// When a rescan (a disk plugged in) brings a default of HIGHER rank than the one being counted
// down to, the countdown restarts, full length, for the new one, so the machine never boots the
// wrong thing a second after the person plugged in the stick they meant to boot. A default of the
// same or lower rank changes nothing. If the target disappears, the countdown restarts for the
// best default that is left, or waits when none is.
import type { MenuConfig } from '../config.js';
import { bestDefault, removableSources } from '../discover/default-entry.js';
import type { ScanResult } from '../model.js';

export type Autoboot =
  | { state: 'waiting' } // no default yet (or no scan yet): one that appears starts the count
  | { state: 'counting'; target: string; priority: number; remaining: number }
  | { state: 'stopped' } // a key was pressed
  | { state: 'off' }; // negative timeout: wait forever

/** The default entry and its rank; the first in scan order wins a tie. */
export function chooseDefault(scan: ScanResult, config: MenuConfig): { id: string; priority: number } | null {
  const best = bestDefault(scan.entries, removableSources(scan.sources), config.default);
  return best && { id: best.entry.id, priority: best.rank };
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
