// The readable form of a ScanResult: one block per source, the default marked with `*`,
// kernels that no config names under "other kernels", problems at the end. Each line is made
// safe for a terminal (labels and paths come from disks).
import path from 'node:path';
import { formatSize } from '../format-size.js';
import type { BootEntry, BootSource, ScanResult } from '../model.js';
import { forTerminal } from '../text/terminal.js';

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
  return `${lines.map(forTerminal).join('\n')}\n`;
}

function describeSource(s: BootSource): string {
  const facts = [s.device, s.fstype, s.label && `"${s.label}"`, formatSize(s.size), s.removable ? 'USB' : null];
  return `${s.id}  ${facts.filter(Boolean).join('  ')}  ${s.root}`.replace(/ {2,}$/, '');
}

function describeEntry(e: BootEntry, s: BootSource): string {
  const inSource = (p: string) => `/${path.relative(s.root, p)}`;
  const files = [inSource(e.kernel), ...e.initrd.map(inSource)].join(' + ');
  return `  ${e.default ? '*' : ' '} ${e.id}  ${e.label}  [${e.arch ?? 'unknown arch'}] ${files}`;
}
