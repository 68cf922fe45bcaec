// Menu order of Boot Loader Specification entries, section "Sorting":
// https://uapi-group.org/specifications/specs/boot_loader_specification/#sorting
import type { BlsEntryFile } from './bls-entry.js';
import { compareVersions } from './bls-version.js';

type Sortable = Pick<BlsEntryFile, 'id' | 'fileName' | 'triesLeft' | 'sortKey' | 'machineId' | 'version'>;

/** Negative when `a` belongs above `b` in the menu. */
export function compareEntries(a: Sortable, b: Sortable): number {
  // 1. "Bad" entries (boot counting with no tries left) go below all others.
  const bad = Number(isBad(a)) - Number(isBad(b));
  if (bad !== 0) return bad;

  const ka = a.sortKey || null;
  const kb = b.sortKey || null;
  if (ka !== null && kb !== null) {
    // 2. Both have a sort-key: sort-key A-Z, machine-id A-Z, then version newest first.
    const byKey = compareAlphanumerical(ka, kb);
    if (byKey !== 0) return byKey;
    const byMachine = compareAlphanumerical(a.machineId, b.machineId);
    if (byMachine !== 0) return byMachine;
    const byVersion = compareVersions(b.version ?? '', a.version ?? '');
    if (byVersion !== 0) return byVersion;
  } else if (ka !== null || kb !== null) {
    // 3. Only one has a sort-key: it goes first.
    return ka !== null ? -1 : 1;
  }
  // 4. Otherwise the file name without its suffix, newest version first; the boot counting
  // part may stay in the name ("sort them by n"), which the full file name breaks ties with.
  return compareVersions(b.id, a.id) || compareVersions(b.fileName, a.fileName);
}

export function isBad(entry: Pick<BlsEntryFile, 'triesLeft'>): boolean {
  return entry.triesLeft === 0;
}

/** strcmp(3) order on UTF-8; an unset or empty string sorts lower ("Alphanumerical Order"). */
function compareAlphanumerical(a: string | null, b: string | null): number {
  if (!a || !b) return Number(Boolean(a)) - Number(Boolean(b));
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}
