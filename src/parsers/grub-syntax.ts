// Turns GRUB script tokens into statements: commands, if/elif/else/fi, menuentry and submenu
// blocks, function definitions and loops. A statement that is not closed (a `{` without its `}`,
// an `if` without `fi`) is dropped with a problem; the statements before it stand.
import { type EscapeDialect, GrubLexer, plainText, type Token, type Word } from './grub-lexer.js';

export type Stmt =
  | { kind: 'command'; words: Word[]; line: number }
  | { kind: 'if'; clauses: { cond: Stmt[]; body: Stmt[] }[]; otherwise: Stmt[] | null; line: number }
  | { kind: 'menuentry'; submenu: boolean; args: Word[]; body: Stmt[]; line: number }
  | { kind: 'function'; name: string; body: Stmt[]; line: number }
  | { kind: 'for'; name: string; items: Word[]; body: Stmt[]; line: number }
  /** while (or until): runs `body` as long as `cond` succeeds (fails). */
  | { kind: 'while'; until: boolean; cond: Stmt[]; body: Stmt[]; line: number }
  | { kind: 'block'; body: Stmt[]; line: number };

export interface SyntaxProblem {
  line: number;
  message: string;
}

export interface Script {
  body: Stmt[];
  problems: SyntaxProblem[];
}

const MAX_NESTING = 64;
const KEYWORDS_CLOSING = new Set(['then', 'elif', 'else', 'fi', 'do', 'done']);

/** The whole script at once (tests, and texts that are not run). */
export function parseGrubScript(text: string, dialect: EscapeDialect = 'gnu'): Script {
  const reader = new ScriptReader(text, dialect);
  const body: Stmt[] = [];
  for (let stmt = reader.next(); stmt; stmt = reader.next()) body.push(stmt);
  return { body, problems: reader.problems };
}

/**
 * Top-level statements one at a time, read as they are asked for, so a script runs while it is
 * read and a statement the interpreter is done with can go (GRUB itself runs a config that way).
 */
export class ScriptReader {
  private readonly parser: ScriptParser;
  private readonly lexer: GrubLexer;

  constructor(text: string, dialect: EscapeDialect = 'gnu') {
    this.lexer = new GrubLexer(text, dialect);
    this.parser = new ScriptParser(this.lexer);
  }

  next(): Stmt | null {
    return this.parser.nextTop();
  }

  /** What was wrong with the text read so far (the lexer's error, if it stopped, last). */
  get problems(): SyntaxProblem[] {
    return this.lexer.error ? [...this.parser.problems, this.lexer.error] : this.parser.problems;
  }
}

class ScriptParser {
  readonly problems: SyntaxProblem[] = [];
  private lookahead: Token | null | undefined = undefined;
  private depth = 0;
  private gaveUp = false;

  constructor(private readonly lexer: GrubLexer) {}

  /** The next top-level statement; null at the end (or once the parser gave up). */
  nextTop(): Stmt | null {
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (!t || this.gaveUp) return null;
      if (t.kind === 'rbrace') {
        this.problems.push({ line: t.line, message: 'unbalanced braces: "}" with no "{" before it' });
        this.advance();
        continue;
      }
      const kw = this.keywordAt();
      if (kw !== null && KEYWORDS_CLOSING.has(kw)) {
        this.problems.push({ line: t.line, message: `"${kw}" with no statement to close` });
        this.advance();
        continue;
      }
      const stmt = this.parseStatement();
      if (stmt) return stmt;
    }
  }

  private peek(): Token | undefined {
    if (this.lookahead === undefined) this.lookahead = this.lexer.next();
    return this.lookahead ?? undefined;
  }

  private advance(): void {
    this.peek();
    this.lookahead = undefined;
  }

  private keywordAt(): string | null {
    const t = this.peek();
    return t?.kind === 'word' ? plainText(t.word) : null;
  }

  private skipSeparators(): void {
    while (this.peek()?.kind === 'separator') this.advance();
  }

  /** Statements until EOF, a `}` closing the block we are in, or one of `stops` as a command word. */
  private parseList(stops: Set<string>): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (!t || this.gaveUp) return out;
      if (t.kind === 'rbrace') {
        if (this.depth > 0) return out;
        this.problems.push({ line: t.line, message: 'unbalanced braces: "}" with no "{" before it' });
        this.advance();
        continue;
      }
      const kw = this.keywordAt();
      if (kw !== null && stops.has(kw)) return out;
      if (kw !== null && KEYWORDS_CLOSING.has(kw)) {
        this.problems.push({ line: t.line, message: `"${kw}" with no statement to close` });
        this.advance();
        continue;
      }
      const stmt = this.parseStatement();
      if (stmt) out.push(stmt);
    }
  }

  private nested<T>(line: number, parse: () => T): T | null {
    if (this.depth >= MAX_NESTING) {
      if (!this.gaveUp) this.problems.push({ line, message: `nested more than ${MAX_NESTING} deep: the rest of the file is ignored` });
      this.gaveUp = true;
      return null;
    }
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private parseStatement(): Stmt | null {
    const t = this.peek()!;
    if (t.kind === 'lbrace') {
      this.advance();
      const body = this.parseBraceBody(t.line, 'block');
      return body && { kind: 'block', body, line: t.line };
    }
    switch (this.keywordAt()) {
      case 'if':
        return this.parseIf();
      case 'menuentry':
      case 'submenu':
        return this.parseMenuentry();
      case 'function':
        return this.parseFunction();
      case 'for':
        return this.parseFor();
      case 'while':
      case 'until':
        return this.parseWhile();
      default:
        return { kind: 'command', words: this.readWords(), line: t.line };
    }
  }

  private readWords(): Word[] {
    const words: Word[] = [];
    for (let t = this.peek(); t?.kind === 'word'; t = this.peek()) {
      words.push(t.word);
      this.advance();
    }
    return words;
  }

  /** After a consumed `{`: the statements up to and including its `}`; null (with a problem) when it never closes. */
  private parseBraceBody(line: number, what: string): Stmt[] | null {
    const body = this.nested(line, () => this.parseList(new Set()));
    if (body === null) return null;
    if (this.peek()?.kind !== 'rbrace') {
      if (!this.gaveUp) this.problems.push({ line, message: `unbalanced braces: ${what} at line ${line} has no closing "}"` });
      return null;
    }
    this.advance();
    return body;
  }

  private expectKeyword(word: string): boolean {
    this.skipSeparators();
    if (this.keywordAt() !== word) return false;
    this.advance();
    return true;
  }

  private parseIf(): Stmt | null {
    const line = this.peek()!.line;
    this.advance();
    const result = this.nested(line, () => {
      const clauses: { cond: Stmt[]; body: Stmt[] }[] = [];
      let otherwise: Stmt[] | null = null;
      for (;;) {
        const cond = this.parseList(new Set(['then']));
        if (!this.expectKeyword('then')) return null;
        const body = this.parseList(new Set(['elif', 'else', 'fi']));
        clauses.push({ cond, body });
        const kw = this.keywordAt();
        if (kw === 'elif') {
          this.advance();
          continue;
        }
        if (kw === 'else') {
          this.advance();
          otherwise = this.parseList(new Set(['fi']));
          if (!this.expectKeyword('fi')) return null;
        } else if (kw === 'fi') {
          this.advance();
        } else {
          return null;
        }
        return { kind: 'if' as const, clauses, otherwise, line };
      }
    });
    if (!result && !this.gaveUp) this.problems.push({ line, message: `"if" at line ${line} is not closed by "fi"` });
    return result;
  }

  private parseMenuentry(): Stmt | null {
    const first = this.peek()! as Extract<Token, { kind: 'word' }>;
    const submenu = plainText(first.word) === 'submenu';
    this.advance();
    const args = this.readWords();
    const what = submenu ? 'submenu' : 'menuentry';
    if (this.peek()?.kind !== 'lbrace') {
      this.problems.push({ line: first.line, message: `${what} at line ${first.line} has no "{" body` });
      return null;
    }
    this.advance();
    const body = this.parseBraceBody(first.line, what);
    return body && { kind: 'menuentry', submenu, args, body, line: first.line };
  }

  private parseFunction(): Stmt | null {
    const line = this.peek()!.line;
    this.advance();
    const nameToken = this.peek();
    const name = nameToken?.kind === 'word' ? plainText(nameToken.word) : null;
    if (name === null) {
      this.problems.push({ line, message: 'function without a name' });
      return null;
    }
    this.advance();
    this.skipSeparators();
    if (this.peek()?.kind !== 'lbrace') {
      this.problems.push({ line, message: `function ${name} has no "{" body` });
      return null;
    }
    this.advance();
    const body = this.parseBraceBody(line, `function ${name}`);
    return body && { kind: 'function', name, body, line };
  }

  private parseFor(): Stmt | null {
    const line = this.peek()!.line;
    this.advance();
    const words = this.readWords();
    const name = words[0] ? plainText(words[0]) : null;
    if (name === null || (words[1] && plainText(words[1]) !== 'in')) {
      this.problems.push({ line, message: 'malformed for loop' });
      return null;
    }
    const body = this.nested(line, () => (this.expectKeyword('do') ? this.parseList(new Set(['done'])) : null));
    if (!body || !this.expectKeyword('done')) {
      if (!this.gaveUp) this.problems.push({ line, message: `"for" at line ${line} is not closed by "done"` });
      return null;
    }
    return { kind: 'for', name, items: words.slice(2), body, line };
  }

  private parseWhile(): Stmt | null {
    const line = this.peek()!.line;
    const until = this.keywordAt() === 'until';
    this.advance();
    const loop = this.nested(line, () => {
      const cond = this.parseList(new Set(['do']));
      if (!this.expectKeyword('do')) return null;
      const body = this.parseList(new Set(['done']));
      return this.expectKeyword('done') ? { cond, body } : null;
    });
    if (!loop) {
      if (!this.gaveUp) this.problems.push({ line, message: `loop at line ${line} is not closed by "done"` });
      return null;
    }
    return { kind: 'while', until, ...loop, line };
  }
}
