// The shell language of U-Boot boot scripts (hush), read into statements: words with their
// quoting and `$var`/`${var}` references kept apart (expansion is the interpreter's), `;` and
// newlines, `&&`/`||`, `!`, `if/then/elif/else/fi`, `for NAME in WORDS; do ...; done`,
// `while`/`until ... do ... done`, comments, quotes, backslashes and backslash-newline. Statements
// come one at a time, so a script is run as far as it is read; nesting and the statements one
// compound command may hold are bounded, so no script can make the reader deep or large.

export type WordPart = { text: string; quoted: boolean } | { variable: string; quoted: boolean };

export interface Word {
  parts: WordPart[];
  /** The word's text when it is all unquoted literal text (keywords must be); else null. */
  bare: string | null;
}

export interface AndOr {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }>;
  line: number;
}

export interface Pipeline {
  negate: boolean;
  command: Command;
}

export type Command =
  | { kind: 'simple'; words: Word[]; line: number }
  | { kind: 'if'; clauses: Array<{ condition: AndOr[]; body: AndOr[] }>; otherwise: AndOr[] | null; line: number }
  | { kind: 'for'; name: string; items: Word[]; body: AndOr[]; line: number }
  | { kind: 'while'; until: boolean; condition: AndOr[]; body: AndOr[]; line: number };

export interface SyntaxProblem {
  line: number;
  message: string;
}

/** Compound commands inside compound commands deeper than this are a syntax problem. */
export const MAX_NESTING = 32;
/** Statements one top-level statement may hold, nested ones included. */
export const MAX_STATEMENTS = 20_000;

type Op = ';' | '\n' | '&&' | '||';
type Token = { kind: 'word'; word: Word; line: number } | { kind: 'op'; op: Op; line: number } | { kind: 'end'; line: number };

const NAME_CHAR = /[A-Za-z0-9_]/;

class ScriptSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

class Lexer {
  private at = 0;
  private line = 1;
  private ahead: Token | null = null;

  constructor(private readonly text: string) {}

  peek(): Token {
    this.ahead ??= this.read();
    return this.ahead;
  }

  next(): Token {
    const token = this.peek();
    this.ahead = null;
    return token;
  }

  private read(): Token {
    const { text } = this;
    for (;;) {
      const c = text[this.at];
      if (c === ' ' || c === '\t' || c === '\r') this.at++;
      else if (c === '\\' && text[this.at + 1] === '\n') {
        this.at += 2;
        this.line++;
      } else if (c === '#') {
        while (this.at < text.length && text[this.at] !== '\n') this.at++;
      } else break;
    }
    const line = this.line;
    if (this.at >= text.length) return { kind: 'end', line };
    const c = text[this.at]!;
    if (c === '\n') {
      this.at++;
      this.line++;
      return { kind: 'op', op: '\n', line };
    }
    if (c === ';') {
      this.at++;
      return { kind: 'op', op: ';', line };
    }
    if (c === '&' || c === '|') {
      if (text[this.at + 1] !== c) throw new ScriptSyntaxError(line, `'${c}' alone (pipes and background commands are not U-Boot script)`);
      this.at += 2;
      return { kind: 'op', op: c === '&' ? '&&' : '||', line };
    }
    return { kind: 'word', word: this.word(), line };
  }

  private word(): Word {
    const { text } = this;
    const parts: WordPart[] = [];
    let literal = '';
    let literalQuoted = false;
    const flush = () => {
      if (literal !== '') parts.push({ text: literal, quoted: literalQuoted });
      literal = '';
    };
    const addText = (s: string, quoted: boolean) => {
      if (quoted !== literalQuoted) flush();
      literalQuoted = quoted;
      literal += s;
    };
    let allBare = true;
    while (this.at < text.length) {
      const c = text[this.at]!;
      if (' \t\r\n;&|'.includes(c)) break;
      if (c === '\\') {
        const after = text[this.at + 1];
        this.at += 2;
        if (after === '\n') this.line++;
        else if (after !== undefined) addText(after, true);
        allBare = false;
      } else if (c === "'") {
        const end = text.indexOf("'", this.at + 1);
        if (end < 0) throw new ScriptSyntaxError(this.line, 'unterminated single quote');
        const quoted = text.slice(this.at + 1, end);
        this.line += countNewlines(quoted);
        addText(quoted, true);
        this.at = end + 1;
        allBare = false;
      } else if (c === '"') {
        this.at++;
        this.doubleQuoted(addText, (variable) => {
          flush();
          parts.push({ variable, quoted: true });
        });
        allBare = false;
      } else if (c === '$') {
        const variable = this.variable();
        if (variable === null) addText('$', false);
        else {
          flush();
          parts.push({ variable, quoted: false });
          allBare = false;
        }
      } else {
        addText(c, false);
        this.at++;
      }
    }
    flush();
    const bare = allBare ? parts.map((p) => ('text' in p ? p.text : '')).join('') : null;
    return { parts, bare };
  }

  private doubleQuoted(addText: (s: string, quoted: boolean) => void, addVariable: (name: string) => void): void {
    const { text } = this;
    const startLine = this.line;
    while (this.at < text.length) {
      const c = text[this.at]!;
      if (c === '"') {
        this.at++;
        return;
      }
      if (c === '\\' && text[this.at + 1] === '\n') {
        this.at += 2;
        this.line++;
      } else if (c === '\\' && '"\\$'.includes(text[this.at + 1] ?? '')) {
        addText(text[this.at + 1]!, true);
        this.at += 2;
      } else if (c === '$') {
        const variable = this.variable();
        if (variable === null) addText('$', true);
        else addVariable(variable);
      } else {
        if (c === '\n') this.line++;
        addText(c, true);
        this.at++;
      }
    }
    throw new ScriptSyntaxError(startLine, 'unterminated double quote');
  }

  /** At a '$': the name it refers to, consumed; null (nothing consumed but the '$') when none. */
  private variable(): string | null {
    const { text } = this;
    this.at++;
    if (text[this.at] === '{') {
      const end = text.indexOf('}', this.at);
      const name = end < 0 ? '' : text.slice(this.at + 1, end);
      if (!/^(?:[A-Za-z0-9_.]+|\?)$/.test(name)) throw new ScriptSyntaxError(this.line, `bad variable reference: \${${name.slice(0, 40)}`);
      this.at = end + 1;
      return name;
    }
    if (text[this.at] === '?') {
      this.at++;
      return '?';
    }
    const start = this.at;
    while (this.at < text.length && NAME_CHAR.test(text[this.at]!)) this.at++;
    return this.at > start ? text.slice(start, this.at) : null;
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === '\n') n++;
  return n;
}

/** Reads a script one top-level statement at a time; after a syntax problem, no more. */
export class ScriptReader {
  private readonly lexer: Lexer;
  private depth = 0;
  private statements = 0;
  problem: SyntaxProblem | null = null;

  constructor(text: string) {
    this.lexer = new Lexer(text);
  }

  /** The next top-level statement; null at the end or after a syntax problem. */
  next(): AndOr | null {
    if (this.problem) return null;
    try {
      this.skipSeparators();
      if (this.lexer.peek().kind === 'end') return null;
      this.statements = 0;
      const stmt = this.andOr();
      this.endOfStatement();
      return stmt;
    } catch (e) {
      if (!(e instanceof ScriptSyntaxError)) throw e;
      this.problem = { line: e.line, message: `syntax: ${e.message}; the script stops here, as in U-Boot` };
      return null;
    }
  }

  private skipSeparators(): void {
    for (let t = this.lexer.peek(); t.kind === 'op' && (t.op === ';' || t.op === '\n'); t = this.lexer.peek()) this.lexer.next();
  }

  private endOfStatement(): void {
    const t = this.lexer.peek();
    if (t.kind === 'end' || (t.kind === 'op' && (t.op === ';' || t.op === '\n'))) return;
    throw new ScriptSyntaxError(t.line, `unexpected ${describe(t)}`);
  }

  /** Statements up to one of `terminators` (a keyword at a command's start, left unread). */
  private list(terminators: readonly string[], opener: string, line: number): AndOr[] {
    const out: AndOr[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.lexer.peek();
      if (t.kind === 'end') throw new ScriptSyntaxError(line, `${opener} without ${terminators.at(-1)}`);
      if (t.kind === 'word' && t.word.bare !== null && terminators.includes(t.word.bare)) return out;
      out.push(this.andOr());
      this.endOfStatement();
    }
  }

  private expectKeyword(keyword: string, opener: string, line: number): void {
    const t = this.lexer.next();
    if (t.kind !== 'word' || t.word.bare !== keyword) throw new ScriptSyntaxError(t.line, `${opener} (line ${line}) without ${keyword}`);
  }

  private andOr(): AndOr {
    if (++this.statements > MAX_STATEMENTS) throw new ScriptSyntaxError(this.lexer.peek().line, `more than ${MAX_STATEMENTS} statements in one command`);
    const line = this.lexer.peek().line;
    const first = this.pipeline();
    const rest: AndOr['rest'] = [];
    for (let t = this.lexer.peek(); t.kind === 'op' && (t.op === '&&' || t.op === '||'); t = this.lexer.peek()) {
      this.lexer.next();
      while (this.lexer.peek().kind === 'op' && (this.lexer.peek() as { op: Op }).op === '\n') this.lexer.next();
      rest.push({ op: t.op, pipeline: this.pipeline() });
    }
    return { first, rest, line };
  }

  private pipeline(): Pipeline {
    const t = this.lexer.peek();
    if (t.kind === 'word' && t.word.bare === '!') {
      this.lexer.next();
      return { negate: true, command: this.command() };
    }
    return { negate: false, command: this.command() };
  }

  private command(): Command {
    const t = this.lexer.peek();
    if (t.kind !== 'word') throw new ScriptSyntaxError(t.line, `unexpected ${describe(t)}`);
    const keyword = t.word.bare;
    if (keyword === 'if' || keyword === 'for' || keyword === 'while' || keyword === 'until') {
      if (this.depth >= MAX_NESTING) throw new ScriptSyntaxError(t.line, `compound commands nested more than ${MAX_NESTING} deep`);
      this.depth++;
      try {
        this.lexer.next();
        if (keyword === 'if') return this.ifCommand(t.line);
        if (keyword === 'for') return this.forCommand(t.line);
        return this.whileCommand(keyword === 'until', t.line);
      } finally {
        this.depth--;
      }
    }
    if (keyword !== null && ['then', 'elif', 'else', 'fi', 'do', 'done'].includes(keyword)) throw new ScriptSyntaxError(t.line, `unexpected ${keyword}`);
    const words: Word[] = [];
    for (let w = this.lexer.peek(); w.kind === 'word'; w = this.lexer.peek()) words.push((this.lexer.next() as { word: Word }).word);
    return { kind: 'simple', words, line: t.line };
  }

  private ifCommand(line: number): Command {
    const clauses: Array<{ condition: AndOr[]; body: AndOr[] }> = [];
    let otherwise: AndOr[] | null = null;
    for (let keyword = 'if'; ; ) {
      const condition = this.list(['then'], keyword, line);
      this.expectKeyword('then', keyword, line);
      const body = this.list(['elif', 'else', 'fi'], 'if', line);
      clauses.push({ condition, body });
      const next = (this.lexer.next() as { word: Word }).word.bare!;
      if (next === 'fi') break;
      if (next === 'else') {
        otherwise = this.list(['fi'], 'else', line);
        this.lexer.next();
        break;
      }
      keyword = 'elif';
    }
    return { kind: 'if', clauses, otherwise, line };
  }

  private forCommand(line: number): Command {
    const name = this.lexer.next();
    if (name.kind !== 'word' || name.word.bare === null || !/^[A-Za-z_]\w*$/.test(name.word.bare)) throw new ScriptSyntaxError(line, 'for without a variable name');
    this.expectKeyword('in', 'for', line);
    const items: Word[] = [];
    for (let w = this.lexer.peek(); w.kind === 'word'; w = this.lexer.peek()) items.push((this.lexer.next() as { word: Word }).word);
    this.skipSeparators();
    this.expectKeyword('do', 'for', line);
    const body = this.list(['done'], 'for', line);
    this.lexer.next();
    return { kind: 'for', name: name.word.bare, items, body, line };
  }

  private whileCommand(until: boolean, line: number): Command {
    const opener = until ? 'until' : 'while';
    const condition = this.list(['do'], opener, line);
    this.expectKeyword('do', opener, line);
    const body = this.list(['done'], opener, line);
    this.lexer.next();
    return { kind: 'while', until, condition, body, line };
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'end of script';
  if (t.kind === 'op') return t.op === '\n' ? 'newline' : `'${t.op}'`;
  return t.word.bare === null ? 'word' : `'${t.word.bare.slice(0, 40)}'`;
}
