import { describe, expect, it } from 'vitest';
import { decodeKeys } from '../../src/ui/keys.js';

describe('decodeKeys', () => {
  it('tells Backspace (0x7f) from Delete (ESC [3~)', () => {
    expect(decodeKeys('\x7f')).toEqual([{ kind: 'backspace' }]);
    expect(decodeKeys('\x1b[3~')).toEqual([{ kind: 'delete' }]);
  });

  it('reads the arrow, Home and End spellings of linux, vt100 and xterm', () => {
    expect(decodeKeys('\x1b[A')).toEqual([{ kind: 'up' }]);
    expect(decodeKeys('\x1bOB')).toEqual([{ kind: 'down' }]);
    for (const home of ['\x1b[H', '\x1bOH', '\x1b[1~', '\x1b[7~']) expect(decodeKeys(home)).toEqual([{ kind: 'home' }]);
    for (const end of ['\x1b[F', '\x1bOF', '\x1b[4~', '\x1b[8~']) expect(decodeKeys(end)).toEqual([{ kind: 'end' }]);
  });

  it('keeps a paste as one text key and splits out the Enter after it', () => {
    expect(decodeKeys('console=ttyS0 quiet\r')).toEqual([{ kind: 'text', text: 'console=ttyS0 quiet' }, { kind: 'enter' }]);
  });

  it('reads a CRLF as one Enter and control keys in a run in order', () => {
    expect(decodeKeys('a\r\nb\x15')).toEqual([{ kind: 'text', text: 'a' }, { kind: 'enter' }, { kind: 'text', text: 'b' }, { kind: 'ctrl-u' }]);
  });

  it('reports a lone Escape and unknown sequences', () => {
    expect(decodeKeys('\x1b')).toEqual([{ kind: 'escape' }]);
    expect(decodeKeys('\x1b[99~')).toEqual([{ kind: 'unknown', sequence: '\x1b[99~' }]);
  });
});
