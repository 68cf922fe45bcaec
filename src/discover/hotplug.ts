// Hotplug without udev: poll a directory listing once a second and report when it changes.
// Block devices: /sys/class/block. ROOT-directory mode: the subdirectories of a --watch-dir.
import { readdirSync } from 'node:fs';

/** The sorted names in `dir` (only subdirectories when `dirsOnly`); empty when it cannot be read. */
export function listNames(dir: string, dirsOnly: boolean): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => !dirsOnly || d.isDirectory() || d.isSymbolicLink())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** Describes what changed between two sorted listings, or null when nothing did. */
export function diffNames(before: string[], after: string[]): string | null {
  const added = after.filter((n) => !before.includes(n));
  const removed = before.filter((n) => !after.includes(n));
  if (added.length === 0 && removed.length === 0) return null;
  return [...added.map((n) => `+${n}`), ...removed.map((n) => `-${n}`)].join(' ');
}

export function pollListing(dir: string, dirsOnly: boolean, onChange: (what: string) => void, intervalMs = 1000): () => void {
  let last = listNames(dir, dirsOnly);
  const timer = setInterval(() => {
    const now = listNames(dir, dirsOnly);
    const change = diffNames(last, now);
    last = now;
    if (change) onChange(`${dir}: ${change}`);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
