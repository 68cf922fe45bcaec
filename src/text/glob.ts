// Glob matching for patterns that come from disks (kexmenu.conf `default`, systemd-boot's
// loader.conf `default`), without building a regular expression from them: a backtracking
// regex from `*a*a*a*a*b` takes exponential time, and a bracket like `[z-a]` would not compile.
// The match keeps one backtrack point (the last `*`), so it takes at most pattern x text steps.

export interface GlobOptions {
  /** fnmatch brackets: `[abc]`, `[a-z]`, `[!x]` / `[^x]`. Without it `[` is an ordinary character. */
  brackets?: boolean;
}

type Token = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; char: string } | { kind: 'set'; ranges: [string, string][]; negated: boolean };

/** Longer patterns match nothing: no real default is this long. */
export const MAX_PATTERN_CHARS = 4096;

export function globMatch(pattern: string, text: string, options: GlobOptions = {}): boolean {
  if (pattern.length > MAX_PATTERN_CHARS) return false;
  const tokens = compile(Array.from(pattern), options.brackets ?? false);
  return matchTokens(tokens, Array.from(text));
}

function compile(chars: string[], brackets: boolean): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') {
      tokens.push({ kind: 'any' });
    } else if (c === '[' && brackets) {
      const set = readBracket(chars, i);
      if (set) {
        tokens.push(set.token);
        i = set.end;
      } else {
        tokens.push({ kind: 'char', char: c });
      }
    } else if (c === '\\' && brackets && i + 1 < chars.length) {
      tokens.push({ kind: 'char', char: chars[++i]! });
    } else {
      tokens.push({ kind: 'char', char: c });
    }
  }
  return tokens;
}

/** `[...]` starting at chars[start]; null when it never closes (then `[` is literal, as fnmatch does). */
function readBracket(chars: string[], start: number): { token: Token; end: number } | null {
  let i = start + 1;
  let negated = false;
  if (chars[i] === '!' || chars[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: [string, string][] = [];
  // A `]` right after the opening (or the negation) is a member, not the end.
  for (let first = true; i < chars.length; i++, first = false) {
    const c = chars[i]!;
    if (c === ']' && !first) return { token: { kind: 'set', ranges, negated }, end: i };
    if (chars[i + 1] === '-' && chars[i + 2] !== undefined && chars[i + 2] !== ']') {
      // A reversed range (`z-a`) holds nothing.
      ranges.push([c, chars[i + 2]!]);
      i += 2;
    } else {
      ranges.push([c, c]);
    }
  }
  return null;
}

function matchOne(token: Token, c: string): boolean {
  switch (token.kind) {
    case 'any':
      return true;
    case 'char':
      return token.char === c;
    case 'set': {
      const inside = token.ranges.some(([lo, hi]) => lo <= c && c <= hi);
      return inside !== token.negated;
    }
    case 'star':
      return false;
  }
}

function matchTokens(tokens: Token[], text: string[]): boolean {
  let t = 0;
  let p = 0;
  // Where the last `*` was, and the text position it is currently taken to swallow up to.
  let starAt = -1;
  let starText = 0;
  while (t < text.length) {
    const token = tokens[p];
    if (token && token.kind === 'star') {
      starAt = p++;
      starText = t;
    } else if (token && matchOne(token, text[t]!)) {
      p++;
      t++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (tokens[p]?.kind === 'star') p++;
  return p === tokens.length;
}
