import { describe, expect, it } from 'vitest';
import { lexGrub, type Token } from '../../src/parsers/grub-lexer.js';

/** Tokens as short strings: words show their parts, `$name` for variables, quoted text in <>. */
function show(tokens: Token[]): string[] {
  return tokens.map((t) => {
    if (t.kind !== 'word') return t.kind === 'separator' ? ';' : t.kind === 'lbrace' ? '{' : '}';
    return t.word.parts.map((p) => (p.kind === 'var' ? `$${p.name}` : p.quoted ? `<${p.text}>` : p.text)).join('');
  });
}

describe('lexGrub', () => {
  it('splits words, separators and braces; braces end words even when attached', () => {
    expect(show(lexGrub("menuentry 'A b' {linux /k;initrd /i}\n").tokens)).toEqual(['menuentry', '<A b>', '{', 'linux', '/k', ';', 'initrd', '/i', '}', ';']);
  });

  it('keeps variables unexpanded in every form; a $ that starts no name is literal', () => {
    expect(show(lexGrub('a$x ${y}b "q$z" \'$no\' $ ${bad name}').tokens)).toEqual(['a$x', '$yb', '<q>$z', '<$no>', '$', '$', '{', 'bad', 'name', '}']);
  });

  it('handles backslash escapes outside and inside double quotes', () => {
    expect(show(lexGrub('a\\ b "\\$x \\" \\\\ \\n"').tokens)).toEqual(['a< >b', '<$x " \\ \\n>']);
  });

  it("keeps \\xNN outside quotes whole in Red Hat's dialect only; other escapes and quoted text read the same in both", () => {
    const text = 'LABEL=A\\x20B \\x2 \\xZZ \'\\x20\' "\\x20" a\\ b';
    expect(show(lexGrub(text, 'redhat').tokens)).toEqual(['LABEL=A<\\x20>B', '<x>2', '<x>ZZ', '<\\x20>', '<\\x20>', 'a< >b']);
    expect(show(lexGrub(text, 'gnu').tokens)).toEqual(['LABEL=A<x>20B', '<x>2', '<x>ZZ', '<\\x20>', '<\\x20>', 'a< >b']);
  });

  it('drops comments only at the start of a word', () => {
    expect(show(lexGrub('echo a#b # comment {\nx').tokens)).toEqual(['echo', 'a#b', ';', 'x']);
  });

  it('joins continued lines and counts lines across them and across quoted newlines', () => {
    const { tokens } = lexGrub("linux /k \\\n  quiet\nset a='x\ny'\nlast");
    expect(show(tokens)).toEqual(['linux', '/k', 'quiet', ';', 'set', 'a=<x\ny>', ';', 'last']);
    expect(tokens.filter((t) => t.kind === 'word').map((t) => t.line)).toEqual([1, 1, 2, 3, 3, 5]);
  });

  it('stops at an unterminated quote with an error naming its line, dropping the unfinished word', () => {
    const r = lexGrub('ok\nset x="never closed\n\n');
    expect(show(r.tokens)).toEqual(['ok', ';', 'set']);
    expect(lexGrub("a 'b").error).toEqual({ line: 1, message: 'unterminated single quote' });
    expect(r.error).toEqual({ line: 2, message: 'unterminated double quote' });
  });
});
