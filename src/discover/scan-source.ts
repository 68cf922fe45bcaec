// Everything one source contributes to a scan, read through that source's confined view: what
// each parser finds, the entries resolved and checked, and the disk's own kexmenu.conf. It runs
// in a scan worker (isolate.ts), so nothing a disk holds can stop the process that owns the menu;
// what it returns is bounded here (problems folded, entries and output size capped).
import { type DiskSettings, readDiskSettings } from '../config.js';
import type { Arch, BootEntry, BootSource, Problem } from '../model.js';
import { PARSERS } from '../parsers/index.js';
import { ProblemLog } from '../parsers/problems.js';
import { parseGrubLoopback } from '../parsers/grub.js';
import type { SourceFiles } from '../parsers/types.js';
import { assembleContext, assembleSource, type ParsedSource, type SourceView } from './assemble.js';
import { isoSources } from './iso-sources.js';
import { fsSourceFiles } from './source-files.js';

export interface SourceJob {
  /** Every source of the scan (a config may name files on another disk); `index` is this one. */
  sources: BootSource[];
  index: number;
  board: string[];
  arch: Arch;
}

export interface SourceScan {
  entries: BootEntry[];
  problems: Problem[];
  /** What the disk's kexmenu.conf chooses, when it has one that chooses something. */
  settings: DiskSettings | null;
}

/** Bytes of JSON one source may add to the scan (10,000 ordinary entries take about 5 MB). */
export const MAX_SOURCE_OUTPUT_BYTES = 8 * 1024 * 1024;

export function scanSource(job: SourceJob, openFiles: (root: string) => SourceFiles = fsSourceFiles): SourceScan {
  const source = job.sources[job.index]!;
  const views: SourceView[] = job.sources.map((s) => ({ source: s, files: openFiles(s.root) }));
  const view = views[job.index]!;
  const problems = new ProblemLog<Problem>();

  const ctx = assembleContext(views, job.board, job.arch, problems);
  const found = assembleSource({ view, results: parseAll(view, job, problems) }, ctx);
  // Read before the ISO images: a hostile one may spend the rest of this view's budget.
  const disk = readDiskSettings(view.files);
  // ISO images on a stick are sources of their own, which its configs may name by label.
  for (const iso of source.removable ? isoSources(view, (p) => problems.add(p)) : []) {
    views.push(iso);
    const loopback = parseGrubLoopback({ files: iso.files, board: job.board, arch: job.arch }, iso.image!.path);
    // Kernels found by file name on an image are not what it was made to boot.
    const results = loopback ? [{ format: 'grub' as const, result: loopback }] : parseAll(iso, job, problems).filter((r) => r.format !== 'raw');
    found.push(...assembleSource({ view: iso, results }, ctx));
  }

  for (const p of disk.problems) {
    problems.add({ source: source.id, file: `${source.root.replace(/\/+$/, '')}${p.file ?? ''}`, line: p.line || null, message: p.message });
  }
  return { entries: withinOutputBudget(found, source, problems), problems: problems.list(), settings: disk.settings };
}

/** What each parser finds on one view; a parser bug costs one format on one disk, never the menu. */
function parseAll(view: SourceView, job: SourceJob, problems: ProblemLog<Problem>): ParsedSource['results'] {
  return PARSERS.map(({ format, parse }) => {
    try {
      return { format, result: parse({ files: view.files, board: job.board, arch: job.arch }) };
    } catch (error) {
      problems.add({ source: view.source.id, file: null, line: null, message: `${format} parser failed: ${(error as Error).message}` });
      return { format, result: { entries: [], problems: [] } };
    }
  });
}

function withinOutputBudget(entries: BootEntry[], source: BootSource, problems: ProblemLog<Problem>): BootEntry[] {
  let bytes = 0;
  for (let i = 0; i < entries.length; i++) {
    bytes += outputSize(entries[i]!);
    if (bytes > MAX_SOURCE_OUTPUT_BYTES) {
      problems.add({ source: source.id, file: null, line: null, message: `the entries of this disk take more than ${MAX_SOURCE_OUTPUT_BYTES / 1048576} MiB: ${entries.length - i} of them are not listed` });
      return entries.slice(0, i);
    }
  }
  return entries;
}

/** About what an entry takes as JSON: its strings, and the rest of its fields. */
function outputSize(e: BootEntry): number {
  let n = 300 + e.id.length + e.label.length + e.kernel.length + e.cmdline.length + e.origin.file.length;
  for (const f of e.initrd) n += f.length + 3;
  for (const o of e.overlays) n += o.path.length + 3 + o.params.reduce((m, p) => m + p.name.length + (p.value?.length ?? 0) + 30, 0);
  for (const p of e.dtparams) n += p.name.length + (p.value?.length ?? 0) + 30;
  return n + (e.dtb?.length ?? 0) + (e.dtbReason?.length ?? 0);
}
