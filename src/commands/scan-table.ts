// The readable form of a ScanResult: one block per source, the default marked with `*`,
// kernels that no config names under "other kernels", problems at the end.
import path from 'node:path';
import type { BootEntry, BootSource, ScanResult } from '../model.js';

export function formatScan(result: ScanResult): string {
  const lines: string[] = [];
  for (const source of result.sources) {
    lines.push(describeSource(source));
    const entries = result.entries.filter((e) => e.source === source.id);
    if (entries.length === 0) lines.push('    (nothing bootable found)');
    const configured = entries.filter((e) => e.kind === 'config');
    const others = entries.filter((e) => e.kind === 'other');
    for (const entry of configured) lines.push(describeEntry(entry, source));
    if (others.length > 0) {
      lines.push('    other kernels:');
      for (const entry of others) lines.push(describeEntry(entry, source));
    }
  }
  if (result.sources.length === 0) lines.push('no filesystems found');
  if (result.problems.length > 0) {
    lines.push('', `problems (${result.problems.length}):`);
    for (const p of result.problems) {
      const where = [p.source, p.file && (p.line ? `${p.file}:${p.line}` : p.file)].filter(Boolean).join(' ');
      lines.push(`  ${where ? `${where}: ` : ''}${p.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function describeSource(s: BootSource): string {
  const facts = [s.device, s.fstype, s.label && `"${s.label}"`, s.size ? humanSize(s.size) : null, s.removable ? 'USB' : null];
  return `${s.id}  ${facts.filter(Boolean).join('  ')}  ${s.root}`.replace(/ {2,}$/, '');
}

function describeEntry(e: BootEntry, s: BootSource): string {
  const inSource = (p: string) => `/${path.relative(s.root, p)}`;
  const files = [inSource(e.kernel), ...e.initrd.map(inSource)].join(' + ');
  return `  ${e.default ? '*' : ' '} ${e.id}  ${e.label}  [${e.arch ?? 'unknown arch'}] ${files}`;
}

export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
