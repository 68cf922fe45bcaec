import { describe, expect, it } from 'vitest';
import type { Key } from '../../src/ui/keys.js';
import { editLine, lineOf, visibleLine, type LineState } from '../../src/ui/line-edit.js';

const run = (line: LineState, ...keys: Key[]) => keys.reduce(editLine, line);
const k = (kind: Exclude<Key['kind'], 'text' | 'unknown'>) => ({ kind }) as Key;

describe('editLine', () => {
  it('inserts typed and pasted text at the cursor', () => {
    const line = run(lineOf('ro quiet'), k('home'), { kind: 'text', text: 'root=/dev/sda1 ' });
    expect(line).toEqual({ text: 'root=/dev/sda1 ro quiet', cursor: 15 });
  });

  it('turns newlines inside a paste into spaces', () => {
    expect(run(lineOf(''), { kind: 'text', text: 'a\nb' }).text).toBe('a b');
  });

  it('moves left and right within bounds', () => {
    expect(run(lineOf('ab'), k('left'), k('left'), k('left')).cursor).toBe(0);
    expect(run(lineOf('ab'), k('right')).cursor).toBe(2);
  });

  it('deletes before the cursor with Backspace and under it with Delete', () => {
    const start = run(lineOf('abcd'), k('left'), k('left'));
    expect(run(start, k('backspace'))).toEqual({ text: 'acd', cursor: 1 });
    expect(run(start, k('delete'))).toEqual({ text: 'abd', cursor: 2 });
    expect(run(lineOf('x'), k('home'), k('backspace'))).toEqual({ text: 'x', cursor: 0 });
  });

  it('cuts to the start with Ctrl-U and to the end with Ctrl-K', () => {
    const mid = run(lineOf('root=/dev/sda1 quiet'), k('left'), k('left'), k('left'), k('left'), k('left'));
    expect(run(mid, k('ctrl-u'))).toEqual({ text: 'quiet', cursor: 0 });
    expect(run(mid, k('ctrl-k'))).toEqual({ text: 'root=/dev/sda1 ', cursor: 15 });
  });

  it('deletes the word before the cursor with Ctrl-W', () => {
    expect(run(lineOf('ro quiet splash'), k('ctrl-w')).text).toBe('ro quiet ');
  });

  it('never splits a surrogate pair', () => {
    const line = run(lineOf('a😀'), k('backspace'));
    expect(line).toEqual({ text: 'a', cursor: 1 });
  });
});

describe('visibleLine', () => {
  it('shows a short line whole', () => {
    expect(visibleLine(lineOf('abc'), 10)).toEqual({ text: 'abc', cursor: 3 });
  });

  it('scrolls a long line so the cursor stays in view', () => {
    const long = lineOf('x'.repeat(100) + 'END');
    const shown = visibleLine(long, 20);
    expect(shown.text.length).toBeLessThanOrEqual(20);
    expect(shown.text).toContain('END');
    expect(shown.cursor).toBeLessThan(20);
    const atStart = visibleLine({ ...long, cursor: 0 }, 20);
    expect(atStart.cursor).toBe(0);
    expect(atStart.text.startsWith('xxx')).toBe(true);
  });
});
