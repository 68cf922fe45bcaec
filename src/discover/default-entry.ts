// Which entry boots by default: decided here, once, for the scan (which marks one entry `default`)
// and for the countdown (which compares the defaults of successive scans as disks come and go).
//   rank 3: named by kexmenu.conf `default` (an entry id, or a glob over labels)
//   rank 2: a removable disk's own default (a stick plugged in is there to be booted)
//   rank 1: a fixed disk's own default
//   rank 0: not a default
import type { BootEntry, BootSource } from '../model.js';
import { globMatch } from '../text/glob.js';

export function removableSources(sources: readonly BootSource[]): ReadonlySet<string> {
  return new Set(sources.filter((s) => s.removable).map((s) => s.id));
}

export function defaultRank(entry: BootEntry, removable: ReadonlySet<string>, named: string | null = null): number {
  if (named && (entry.id === named || globMatch(named, entry.label))) return 3;
  if (!entry.default) return 0;
  return removable.has(entry.source) ? 2 : 1;
}

/** The highest-ranked entry; the first of `entries` wins a tie. Null when none ranks above 0. */
export function bestDefault(
  entries: readonly BootEntry[],
  removable: ReadonlySet<string>,
  named: string | null = null,
): { entry: BootEntry; rank: number } | null {
  let best: { entry: BootEntry; rank: number } | null = null;
  for (const entry of entries) {
    const rank = defaultRank(entry, removable, named);
    if (rank > 0 && (!best || rank > best.rank)) best = { entry, rank };
  }
  return best;
}
