// Reads an extlinux.conf/syslinux.cfg into directive lines, with INCLUDE files spliced in where
// they are named (as syslinux does), TEXT ... ENDTEXT blocks dropped, and every problem kept.
import type { ResolvePath } from './extlinux-paths.js';
import type { ParseProblem, SourceFiles } from './types.js';

export interface Directive {
  /** Lower-cased keyword; MENU sub-keywords are joined to it: "menu label", "menu begin". */
  key: string;
  value: string;
  file: string;
  line: number;
}

const MAX_INCLUDE_DEPTH = 8;

export function readDirectives(files: SourceFiles, file: string, resolve: ResolvePath, problems: ParseProblem[]): Directive[] | null {
  const out: Directive[] = [];
  const top = files.read(file);
  if (!top.ok) {
    problems.push({ file, line: null, message: top.message });
    return null;
  }
  splice(files, file, top.text, resolve, [files.canonical(file) ?? file], out, problems);
  return out;
}

function splice(
  files: SourceFiles,
  file: string,
  text: string,
  resolve: ResolvePath,
  stack: string[],
  out: Directive[],
  problems: ParseProblem[],
): void {
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
    const read = files.read(target);
    if (!read.ok) {
      problems.push({ ...where, message: `INCLUDE ${read.message}` });
      return;
    }
    splice(files, target, read.text, resolve, [...stack, canonical], out, problems);
  });
}

function toDirective(trimmed: string, file: string, line: number): Directive {
  const [, first = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(trimmed) ?? [];
  let key = first.toLowerCase();
  let value = rest;
  if (key === 'menu') {
    const [, sub = '', subRest = ''] = /^(\S+)\s*(.*)$/.exec(rest) ?? [];
    key = `menu ${sub.toLowerCase()}`;
    value = subRest;
  }
  return { key, value: value.trim(), file, line };
}
