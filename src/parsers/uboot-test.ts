// U-Boot's `test`: `-n`/`-z`, `=`/`!=`/`<`/`>` on strings, `-eq`/`-ne`/`-lt`/`-le`/`-gt`/`-ge`
// on decimal numbers, `-e IFACE DEV[:PART] PATH`, `!`, `-a` and `-o`. The answer is true, false,
// or null when it depends on a value kexmenu cannot know (a marker of uboot-unknown.ts).
import { hasUnknown, type Unknowns, withoutUnknowns } from './uboot-unknown.js';

export type Tri = true | false | null;

export interface TestFacts {
  unknowns: Unknowns;
  /** `test -e`: whether the file is there, null when the device is not this partition. */
  exists(iface: string, devPart: string, path: string): Tri;
}

const NUMERIC: Record<string, (a: number, b: number) => boolean> = {
  '-eq': (a, b) => a === b,
  '-ne': (a, b) => a !== b,
  '-lt': (a, b) => a < b,
  '-le': (a, b) => a <= b,
  '-gt': (a, b) => a > b,
  '-ge': (a, b) => a >= b,
};
const STRING: Record<string, (a: string, b: string) => boolean> = {
  '=': (a, b) => a === b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
};

export function evaluateTest(args: string[], facts: TestFacts): Tri {
  let at = 0;
  const primary = (): Tri => {
    const word = args[at++];
    if (word === undefined) return false;
    if (word === '-n' || word === '-z') {
      const empty = isEmpty(args[at++] ?? '', facts.unknowns);
      return empty === null ? null : word === '-z' ? empty : !empty;
    }
    if (word === '-e') {
      const [iface = '', devPart = '', path = ''] = args.slice(at, at + 3);
      at += 3;
      return facts.exists(iface, devPart, path);
    }
    const op = args[at];
    if (op !== undefined && (op in STRING || op in NUMERIC)) {
      at++;
      const right = args[at++] ?? '';
      if (hasUnknown(word) || hasUnknown(right)) return word === right && (op === '=' || op === '==') ? true : null;
      if (op in STRING) return STRING[op]!(word, right);
      return NUMERIC[op]!(decimal(word), decimal(right));
    }
    const empty = isEmpty(word, facts.unknowns);
    return empty === null ? null : !empty;
  };
  const not = (): Tri => {
    if (args[at] !== '!') return primary();
    at++;
    const value = not();
    return value === null ? null : !value;
  };
  /** Operands joined by `op`, left to right. */
  const joined = (op: string, operand: () => Tri, combine: (a: Tri, b: Tri) => Tri) => (): Tri => {
    let value = operand();
    while (args[at] === op) {
      at++;
      value = combine(value, operand());
    }
    return value;
  };
  const and = joined('-a', not, (a, b) => (a === false || b === false ? false : a === null || b === null ? null : true));
  const or = joined('-o', and, (a, b) => (a === true || b === true ? true : a === null || b === null ? null : false));
  return or();
}

/** Whether text is empty; null when that rests on an unknown value that may be empty. */
function isEmpty(text: string, unknowns: Unknowns): Tri {
  if (!hasUnknown(text)) return text === '';
  if (withoutUnknowns(text) !== '') return false;
  return unknowns.in(text).some((u) => !u.maybeEmpty) ? false : null;
}

/** U-Boot reads test's numbers in base 10, as far as they go. */
function decimal(text: string): number {
  const n = Number.parseInt(text, 10);
  return Number.isNaN(n) ? 0 : n;
}
