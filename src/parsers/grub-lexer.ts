// Splits GRUB script text into tokens the way GRUB's own lexer does: words made of unquoted,
// 'single-quoted' and "double-quoted" pieces with $variables kept unexpanded, `{` and `}` as
// tokens of their own (they are never part of a word unless quoted), and `;`/newline separators.
// Variables stay unexpanded because their values depend on what the script has run so far.

export type WordPart =
  | { kind: 'text'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; quoted: boolean };

export interface Word {
  parts: WordPart[];
  line: number;
}

export type Token =
  | { kind: 'word'; word: Word; line: number }
  | { kind: 'separator'; line: number }
  | { kind: 'lbrace'; line: number }
  | { kind: 'rbrace'; line: number };

/**
 * What a backslash outside quotes keeps: GNU GRUB keeps only the character after it; Red Hat's
 * build also keeps `\x` and two hex digits whole (grub-dialect.ts says which GRUB a config is for).
 */
export type EscapeDialect = 'gnu' | 'redhat';

export interface LexResult {
  tokens: Token[];
  /** A syntax error that stopped the lexer (an unterminated quote); tokens hold what came before it. */
  error: { line: number; message: string } | null;
}

const VAR_NAME = /^(?:[A-Za-z0-9_]+|[?#@*])/;
/** GRUB variable names are short; a longer run of name characters inside `${...}` is not one. */
const MAX_BRACED_NAME = 1024;
// Characters that end an unquoted word. GRUB also reserves `|`, `&`, `<` and `>` without using
// them; they are kept as word characters here so `set default=1>2` means what its author meant.
const WORD_END = new Set([' ', '\t', '\r', '\n', ';', '{', '}']);
const codes = (chars: string) => new Set(Array.from(chars, (c) => c.charCodeAt(0)));
/** Characters that end a run of plain text outside quotes, and inside double quotes. */
const UNQUOTED_SPECIAL = codes(' \t\r\n;{}\\\'"$');
const IN_QUOTES_SPECIAL = codes('"\\$');
/** What can follow `$` or `${` in a variable reference (see VAR_NAME). */
const NAME_START = codes('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_?#@*');
const HEX_ESCAPE = /\\x[0-9A-Fa-f]{2}/y;

/**
 * Tokens one at a time, so a script can be run while it is read: what the interpreter is done
 * with never piles up (a 1 MiB config is a million tokens).
 */
export class GrubLexer {
  /** A syntax error that stopped the lexer (an unterminated quote); the tokens before it were given. */
  error: { line: number; message: string } | null = null;
  private i = 0;
  private line = 1;
  private parts: WordPart[] | null = null;
  private wordLine = 1;
  private readonly queue: Token[] = [];
  private done = false;

  constructor(
    private readonly text: string,
    private readonly dialect: EscapeDialect = 'gnu',
  ) {}

  next(): Token | null {
    while (this.queue.length === 0 && !this.done) this.step();
    return this.queue.shift() ?? null;
  }

  private addText(s: string, quoted: boolean): void {
    if (!this.parts) {
      this.parts = [];
      this.wordLine = this.line;
    }
    const last = this.parts[this.parts.length - 1];
    if (last && last.kind === 'text' && last.quoted === quoted) last.text += s;
    else this.parts.push({ kind: 'text', text: s, quoted });
  }

  private addVar(name: string, quoted: boolean): void {
    if (!this.parts) {
      this.parts = [];
      this.wordLine = this.line;
    }
    this.parts.push({ kind: 'var', name, quoted });
  }

  private endWord(): void {
    if (this.parts) this.queue.push({ kind: 'word', word: { parts: this.parts, line: this.wordLine }, line: this.wordLine });
    this.parts = null;
  }

  private fail(line: number, message: string): void {
    this.error = { line, message };
    this.done = true;
  }

  /** Reads `$name` or `${name}` at text[i] (the `$`); returns false when it is a literal dollar. */
  private readVar(quoted: boolean): boolean {
    const { text, i } = this;
    if (text[i + 1] === '{') {
      // Only a name can stand between the braces, so look no further than one (searching the
      // rest of the text for a `}` made each `${` cost the whole file).
      if (!NAME_START.has(text.charCodeAt(i + 2))) return false;
      const m = VAR_NAME.exec(text.slice(i + 2, i + 2 + MAX_BRACED_NAME + 1));
      if (!m || text[i + 2 + m[0].length] !== '}') return false;
      this.addVar(m[0], quoted);
      this.i += 3 + m[0].length;
      return true;
    }
    if (!NAME_START.has(text.charCodeAt(i + 1))) return false;
    const m = VAR_NAME.exec(text.slice(i + 1, i + 65));
    if (!m) return false;
    this.addVar(m[0], quoted);
    this.i += 1 + m[0].length;
    return true;
  }

  /** Reads one piece of the input: a character, a run of plain text, or a quoted string. */
  private step(): void {
    const text = this.text;
    if (this.i >= text.length) {
      this.endWord();
      this.done = true;
      return;
    }
    const c = text[this.i]!;
    if (c === '\\') {
      const next = text[this.i + 1];
      if (next === '\n') {
        this.line++;
        this.i += 2; // line continuation
      } else if (next === undefined) {
        this.i++;
      } else if (this.dialect === 'redhat' && this.hexEscapeAt(this.i)) {
        this.addText(text.slice(this.i, this.i + 4), true);
        this.i += 4;
      } else {
        this.addText(next, true);
        this.i += 2;
      }
    } else if (c === "'") {
      const close = text.indexOf("'", this.i + 1);
      if (close < 0) return this.fail(this.line, 'unterminated single quote');
      const body = text.slice(this.i + 1, close);
      this.addText(body, true);
      this.line += countNewlines(body);
      this.i = close + 1;
    } else if (c === '"') {
      this.readDoubleQuoted();
    } else if (c === '$') {
      if (!this.readVar(false)) {
        this.addText('$', false);
        this.i++;
      }
    } else if (c === '#' && !this.parts) {
      const end = text.indexOf('\n', this.i);
      this.i = end < 0 ? text.length : end;
    } else if (WORD_END.has(c)) {
      this.endWord();
      if (c === '\n' || c === ';') this.queue.push({ kind: 'separator', line: this.line });
      else if (c === '{') this.queue.push({ kind: 'lbrace', line: this.line });
      else if (c === '}') this.queue.push({ kind: 'rbrace', line: this.line });
      if (c === '\n') this.line++;
      this.i++;
    } else {
      let j = this.i + 1;
      while (j < text.length && !UNQUOTED_SPECIAL.has(text.charCodeAt(j))) j++;
      this.addText(text.slice(this.i, j), false);
      this.i = j;
    }
  }

  private hexEscapeAt(i: number): boolean {
    HEX_ESCAPE.lastIndex = i;
    return HEX_ESCAPE.test(this.text);
  }

  private readDoubleQuoted(): void {
    const text = this.text;
    const start = this.line;
    this.i++;
    this.addText('', true);
    while (this.i < text.length) {
      const d = text[this.i]!;
      const after = text[this.i + 1];
      if (d === '"') {
        this.i++;
        return;
      }
      if (d === '\\' && (after === '$' || after === '"' || after === '\\')) {
        this.addText(after, true);
        this.i += 2;
      } else if (d === '\\' && after === '\n') {
        this.line++;
        this.i += 2;
      } else if (d === '$' && this.readVar(true)) {
        // readVar moved i
      } else {
        // A run of ordinary characters in one piece (one character at a time made long
        // quoted strings slow to build).
        let j = this.i + 1;
        while (j < text.length && !IN_QUOTES_SPECIAL.has(text.charCodeAt(j))) j++;
        const run = text.slice(this.i, j);
        this.line += countNewlines(run);
        this.addText(run, true);
        this.i = j;
      }
    }
    this.fail(start, 'unterminated double quote');
  }
}

/** Every token of `text` at once (for short texts: a BLS field, a test). */
export function lexGrub(text: string, dialect: EscapeDialect = 'gnu'): LexResult {
  const lexer = new GrubLexer(text, dialect);
  const tokens: Token[] = [];
  for (let t = lexer.next(); t; t = lexer.next()) tokens.push(t);
  return { tokens, error: lexer.error };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let at = s.indexOf('\n'); at >= 0; at = s.indexOf('\n', at + 1)) n++;
  return n;
}

/** The word's text when it is made only of unquoted literal text (keywords, `name=` assignments). */
export function plainText(word: Word): string | null {
  if (word.parts.length !== 1) return null;
  const part = word.parts[0]!;
  return part.kind === 'text' && !part.quoted ? part.text : null;
}
