// What the main screen shows, as plain data: entries grouped by the disk they came from, "other
// kernels" (found by file name only) last, and cutting text to a width without wrapping.
import { formatSize } from '../format-size.js';
import type { BootEntry, BootSource, ScanResult } from '../model.js';
import { forTerminal } from '../text/terminal.js';

export type Row =
  | { kind: 'source'; text: string }
  | { kind: 'entry'; entry: BootEntry; number: number };

/** Cuts text to `width` columns with a trailing "..." (ASCII: cheap and safe on serial consoles), control characters shown. */
export function truncate(text: string, width: number): string {
  const clean = forTerminal(text);
  if (width <= 0) return '';
  if (clean.length <= width) return clean;
  if (width <= 3) return clean.slice(0, width);
  return `${clean.slice(0, width - 3)}...`;
}

/** Pads or cuts to exactly `width` columns. */
export function fit(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - cut.length));
}

export function describeSource(source: BootSource): string {
  const name = source.label ?? source.id;
  const where = source.device ?? source.root;
  const parts = [name === where ? name : `${name} (${where})`];
  if (source.fstype) parts.push(source.fstype);
  const size = formatSize(source.size);
  if (size) parts.push(size);
  if (source.removable) parts.push('USB');
  return parts.join('  ');
}

/**
 * The label as a list line shows it: a GRUB submenu path ("Advanced options for X > X, with
 * Linux 6.1 (recovery mode)") keeps only its last part, the part that tells entries apart.
 */
export function listLabel(label: string): string {
  const parts = label.split(' > ');
  return parts.length > 1 ? `${parts[parts.length - 1]}` : label;
}

/** Entries in the order the menu lists (and numbers) them. */
export function orderedEntries(scan: ScanResult): BootEntry[] {
  return buildRows(scan).flatMap((row) => (row.kind === 'entry' ? [row.entry] : []));
}

export function buildRows(scan: ScanResult): Row[] {
  const rows: Row[] = [];
  let number = 0;
  const known = new Set(scan.sources.map((s) => s.id));
  const groups: { text: string; entries: BootEntry[] }[] = scan.sources.map((source) => ({
    text: describeSource(source),
    entries: scan.entries.filter((e) => e.kind === 'config' && e.source === source.id),
  }));
  for (const id of new Set(scan.entries.filter((e) => !known.has(e.source)).map((e) => e.source))) {
    groups.push({ text: id, entries: scan.entries.filter((e) => e.kind === 'config' && e.source === id) });
  }
  groups.push({ text: 'other kernels (found by file name)', entries: scan.entries.filter((e) => e.kind === 'other') });
  for (const group of groups) {
    if (group.entries.length === 0) continue;
    rows.push({ kind: 'source', text: group.text });
    for (const entry of group.entries) rows.push({ kind: 'entry', entry, number: ++number });
  }
  return rows;
}

/** The slice of rows to draw in `height` lines so that the selected entry is visible. */
export function visibleRows(rows: Row[], selectedId: string | null, height: number): Row[] {
  if (rows.length <= height) return rows;
  const at = rows.findIndex((r) => r.kind === 'entry' && r.entry.id === selectedId);
  const index = at < 0 ? 0 : at;
  // Keep the selection's group header in view when it fits.
  let start = Math.max(0, index - Math.floor(height / 2));
  start = Math.min(start, rows.length - height);
  return rows.slice(start, start + height);
}

/** Wraps text at spaces into at most `max` lines of `width`; the last line is cut with "...". */
export function wrapLines(text: string, width: number, max: number): string[] {
  const words = forTerminal(text).split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= max) return lines.map((l) => truncate(l, width));
  const kept = lines.slice(0, max);
  kept[max - 1] = truncate(`${kept[max - 1]} ${lines.slice(max).join(' ')}`, width);
  return kept;
}
