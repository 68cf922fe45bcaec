// GRUB's `test` / `[ ... ]` over already expanded arguments, in three-valued logic: a comparison
// that involves a value kexmenu cannot know (say $grub_platform) is `null`, and `-a`/`-o`/`!`
// keep what can still be decided (false -a unknown is false).

export interface TestArg {
  text: string;
  /** The text came from a variable whose value depends on the machine GRUB runs on. */
  unknown: boolean;
}

export type Tri = boolean | null;

/** Answers -f/-e/-d/-s for a path; null when it cannot be known. */
export type FileTest = (op: '-e' | '-f' | '-d' | '-s', path: string) => Tri;

const UNARY_STRING = new Set(['-z', '-n']);
const UNARY_FILE = new Set(['-e', '-f', '-d', '-s']);
const BINARY = new Set(['=', '==', '!=', '<', '<=', '>', '>=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-pgt', '-plt', '-nt', '-ot']);

/** `!` and `(` nest no deeper than this (a test from a hostile config could nest thousands). */
const MAX_DEPTH = 64;

export function evaluateTest(args: TestArg[], fileTest: FileTest): Tri {
  let pos = 0;
  let depth = 0;
  const nested = (inner: () => Tri): Tri => {
    if (depth >= MAX_DEPTH) {
      pos = args.length;
      return null;
    }
    depth++;
    try {
      return inner();
    } finally {
      depth--;
    }
  };
  const at = (k = 0) => args[pos + k];
  const isOp = (k: number, op: string) => {
    const a = at(k);
    return a !== undefined && !a.unknown && a.text === op;
  };

  const or = (): Tri => {
    let value = and();
    while (isOp(0, '-o')) {
      pos++;
      const right = and();
      value = value === true || right === true ? true : value === false && right === false ? false : null;
    }
    return value;
  };
  const and = (): Tri => {
    let value = not();
    while (isOp(0, '-a')) {
      pos++;
      const right = not();
      value = value === false || right === false ? false : value === true && right === true ? true : null;
    }
    return value;
  };
  const not = (): Tri => {
    if (isOp(0, '!') && at(1) !== undefined) {
      pos++;
      const v = nested(not);
      return v === null ? null : !v;
    }
    return primary();
  };
  const primary = (): Tri => {
    const a = at();
    if (!a) return false;
    if (isOp(0, '(')) {
      pos++;
      const v = nested(or);
      if (isOp(0, ')')) pos++;
      return v;
    }
    const next = at(1);
    if (next && !next.unknown && BINARY.has(next.text) && at(2)) {
      const b = at(2)!;
      pos += 3;
      if (a.unknown || b.unknown) return null;
      return compare(a.text, next.text, b.text);
    }
    if (!a.unknown && next && (UNARY_STRING.has(a.text) || UNARY_FILE.has(a.text))) {
      pos += 2;
      if (a.text === '-z') return next.unknown ? null : next.text === '';
      if (a.text === '-n') return next.unknown ? null : next.text !== '';
      return next.unknown ? null : fileTest(a.text as '-e' | '-f' | '-d' | '-s', next.text);
    }
    pos++;
    return a.unknown ? null : a.text !== '';
  };

  const value = or();
  return pos < args.length ? null : value;
}

function compare(a: string, op: string, b: string): Tri {
  const na = Number.parseInt(a, 10);
  const nb = Number.parseInt(b, 10);
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '-eq':
      return na === nb;
    case '-ne':
      return na !== nb;
    case '-lt':
      return na < nb;
    case '-le':
      return na <= nb;
    case '-gt':
      return na > nb;
    case '-ge':
      return na >= nb;
    default:
      // -pgt/-plt (version-like) and -nt/-ot (file times): not worth guessing.
      return null;
  }
}
