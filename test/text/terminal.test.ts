import { describe, expect, it } from 'vitest';
import { forTerminal } from '../../src/text/terminal.js';

describe('forTerminal', () => {
  it('shows every control character instead of sending it', () => {
    expect(forTerminal('Debian \x1b]0;pwned\x07\x1b[2J')).toBe('Debian \\x1b]0;pwned\\x07\\x1b[2J');
    expect(forTerminal('a\x00b\x7fc\x9bd')).toBe('a\\x00b\\x7fc\\x9bd');
    expect(forTerminal('tab\tcr\rnl\n')).toBe('tab\\tcr\\rnl\\n');
  });

  it('shows the Unicode controls that reorder or break lines', () => {
    expect(forTerminal('abc\u202edcba\u2028x\u2066y')).toBe('abc\\u202edcba\\u2028x\\u2066y');
  });

  it('leaves ordinary text alone, wide and accented characters included', () => {
    expect(forTerminal('Debian GNU/Linux, mit Linux 6.1 — ünicode 日本')).toBe('Debian GNU/Linux, mit Linux 6.1 — ünicode 日本');
  });
});
