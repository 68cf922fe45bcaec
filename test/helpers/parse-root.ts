// One parser over a directory, summed up in plain data: what test/helpers/guarded.ts hands back
// from its worker thread.
import { fsSourceFiles } from '../../src/discover/source-files.js';
import type { Arch } from '../../src/model.js';
import { PARSERS } from '../../src/parsers/index.js';

export interface ParseSummary {
  labels: string[];
  cmdlines: string[];
  problems: string[];
  defaults: number;
}

export function parseRoot(format: string, root: string, arch: Arch = 'x86_64', board: string[] = []): ParseSummary {
  const parser = PARSERS.find((p) => p.format === format);
  if (!parser) throw new Error(`no parser ${format}`);
  const result = parser.parse({ files: fsSourceFiles(root), board, arch });
  return {
    labels: result.entries.map((e) => e.label),
    cmdlines: result.entries.map((e) => e.cmdline),
    problems: result.problems.map((p) => p.message),
    defaults: result.entries.filter((e) => e.isDefault).length,
  };
}
