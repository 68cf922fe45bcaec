// Reads an extlinux.conf/syslinux.cfg into directive lines, with INCLUDE files spliced in where
// they are named (as syslinux does), TEXT ... ENDTEXT blocks dropped, and every problem kept.
import type { ResolvePath } from './extlinux-paths.js';
import { splitKeyword } from './keyword-line.js';
import type { ProblemSink, SourceFiles } from './types.js';

export interface Directive {
  /** Lower-cased keyword; MENU sub-keywords are joined to it: "menu label", "menu begin". */
  key: string;
  value: string;
  file: string;
  line: number;
}

const MAX_INCLUDE_DEPTH = 8;
/** Across the whole config: depth alone still lets each level include the next many times over. */
const MAX_INCLUDES = 64;

interface Walk {
  files: SourceFiles;
  resolve: ResolvePath;
  out: Directive[];
  problems: ProblemSink;
  includes: number;
}

export function readDirectives(files: SourceFiles, file: string, resolve: ResolvePath, problems: ProblemSink): Directive[] | null {
  const out: Directive[] = [];
  const top = files.read(file);
  if (!top.ok) {
    problems.push({ file, line: null, message: top.message });
    return null;
  }
  splice({ files, resolve, out, problems, includes: 0 }, file, top.text, [files.canonical(file) ?? file]);
  return out;
}

function splice(walk: Walk, file: string, text: string, stack: string[]): void {
  const { files, resolve, out, problems } = walk;
  let inText = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (inText) {
      if (/^endtext$/i.test(trimmed)) inText = false;
      return;
    }
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const directive = toDirective(trimmed, file, line);
    if (directive.key === 'text') {
      inText = true;
      return;
    }
    if (directive.key !== 'include' && directive.key !== 'menu include') {
      out.push(directive);
      return;
    }
    const name = directive.value.split(/\s+/)[0] ?? '';
    const target = name === '' ? null : resolve(name);
    const where = { file, line };
    if (target === null) {
      problems.push({ ...where, message: name === '' ? 'INCLUDE names no file' : `INCLUDE path escapes its partition: ${name}` });
      return;
    }
    const canonical = files.canonical(target) ?? target;
    if (stack.includes(canonical)) {
      problems.push({ ...where, message: `INCLUDE loop: ${[...stack, canonical].join(' -> ')}` });
      return;
    }
    if (stack.length > MAX_INCLUDE_DEPTH) {
      problems.push({ ...where, message: `INCLUDE nested deeper than ${MAX_INCLUDE_DEPTH} files: ${target}` });
      return;
    }
    if (++walk.includes > MAX_INCLUDES) {
      if (walk.includes === MAX_INCLUDES + 1) problems.push({ ...where, message: `more than ${MAX_INCLUDES} INCLUDEs: the rest are ignored` });
      return;
    }
    const read = files.read(target);
    if (!read.ok) {
      problems.push({ ...where, message: `INCLUDE ${read.message}` });
      return;
    }
    splice(walk, target, read.text, [...stack, canonical]);
  });
}

function toDirective(trimmed: string, file: string, line: number): Directive {
  const { keyword, rest } = splitKeyword(trimmed);
  let key = keyword.toLowerCase();
  let value = rest;
  if (key === 'menu') {
    const sub = splitKeyword(rest);
    key = `menu ${sub.keyword.toLowerCase()}`;
    value = sub.rest;
  }
  return { key, value: value.trim(), file, line };
}
