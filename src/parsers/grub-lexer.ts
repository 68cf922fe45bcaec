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

export function lexGrub(text: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let parts: WordPart[] | null = null;
  let wordLine = 1;

  const addText = (s: string, quoted: boolean) => {
    if (!parts) {
      parts = [];
      wordLine = line;
    }
    const last = parts[parts.length - 1];
    if (last && last.kind === 'text' && last.quoted === quoted) last.text += s;
    else parts.push({ kind: 'text', text: s, quoted });
  };
  const addVar = (name: string, quoted: boolean) => {
    if (!parts) {
      parts = [];
      wordLine = line;
    }
    parts.push({ kind: 'var', name, quoted });
  };
  const endWord = () => {
    if (parts) tokens.push({ kind: 'word', word: { parts, line: wordLine }, line: wordLine });
    parts = null;
  };

  /** Reads `$name` or `${name}` at text[i] (the `$`); returns false when it is a literal dollar. */
  const readVar = (quoted: boolean): boolean => {
    if (text[i + 1] === '{') {
      // Only a name can stand between the braces, so look no further than one (searching the
      // rest of the text for a `}` made each `${` cost the whole file).
      const m = VAR_NAME.exec(text.slice(i + 2, i + 2 + MAX_BRACED_NAME + 1));
      if (!m || text[i + 2 + m[0].length] !== '}') return false;
      addVar(m[0], quoted);
      i += 3 + m[0].length;
      return true;
    }
    const m = VAR_NAME.exec(text.slice(i + 1, i + 65));
    if (!m) return false;
    addVar(m[0], quoted);
    i += 1 + m[0].length;
    return true;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') {
        line++;
        i += 2; // line continuation
      } else if (next === undefined) {
        i++;
      } else {
        addText(next, true);
        i += 2;
      }
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        return { tokens, error: { line, message: 'unterminated single quote' } };
      }
      const body = text.slice(i + 1, close);
      addText(body, true);
      line += countNewlines(body);
      i = close + 1;
    } else if (c === '"') {
      const start = line;
      i++;
      addText('', true);
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && (text[i + 1] === '$' || text[i + 1] === '"' || text[i + 1] === '\\')) {
          addText(text[i + 1]!, true);
          i += 2;
        } else if (d === '\\' && text[i + 1] === '\n') {
          line++;
          i += 2;
        } else if (d === '$' && readVar(true)) {
          // readVar moved i
        } else {
          if (d === '\n') line++;
          addText(d, true);
          i++;
        }
      }
      if (!closed) {
        return { tokens, error: { line: start, message: 'unterminated double quote' } };
      }
    } else if (c === '$') {
      if (!readVar(false)) {
        addText('$', false);
        i++;
      }
    } else if (c === '#' && !parts) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (WORD_END.has(c)) {
      endWord();
      if (c === '\n' || c === ';') tokens.push({ kind: 'separator', line });
      else if (c === '{') tokens.push({ kind: 'lbrace', line });
      else if (c === '}') tokens.push({ kind: 'rbrace', line });
      if (c === '\n') line++;
      i++;
    } else {
      let j = i + 1;
      while (j < text.length && !WORD_END.has(text[j]!) && !'\\\'"$'.includes(text[j]!)) j++;
      addText(text.slice(i, j), false);
      i = j;
    }
  }
  endWord();
  return { tokens, error: null };
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

/** The word's text when it is made only of unquoted literal text (keywords, `name=` assignments). */
export function plainText(word: Word): string | null {
  if (word.parts.length !== 1) return null;
  const part = word.parts[0]!;
  return part.kind === 'text' && !part.quoted ? part.text : null;
}
