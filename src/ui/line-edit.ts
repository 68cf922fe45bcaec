// A one-line editor as a pure value: text plus a cursor (an index into the text's code units,
// kept on code point boundaries). Every editing key is a function from one LineState to the next.
import { forTerminal } from '../text/terminal.js';
import type { Key } from './keys.js';

export interface LineState {
  text: string;
  cursor: number;
}

export function lineOf(text: string): LineState {
  return { text, cursor: text.length };
}

function prevBoundary(text: string, i: number): number {
  if (i <= 0) return 0;
  const low = text.charCodeAt(i - 1);
  return low >= 0xdc00 && low <= 0xdfff && i >= 2 ? i - 2 : i - 1;
}

function nextBoundary(text: string, i: number): number {
  if (i >= text.length) return text.length;
  const high = text.charCodeAt(i);
  return high >= 0xd800 && high <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
}

/** Applies one key; returns the same object when the key is not an editing key. */
export function editLine(line: LineState, key: Key): LineState {
  const { text, cursor } = line;
  switch (key.kind) {
    case 'text': {
      // Newlines and tabs inside a paste become spaces: a command line is one line.
      const insert = key.text.replace(/[\r\n\t]+/g, ' ');
      return { text: text.slice(0, cursor) + insert + text.slice(cursor), cursor: cursor + insert.length };
    }
    case 'left':
      return { text, cursor: prevBoundary(text, cursor) };
    case 'right':
      return { text, cursor: nextBoundary(text, cursor) };
    case 'home':
    case 'ctrl-a':
      return { text, cursor: 0 };
    case 'end':
    case 'ctrl-e':
      return { text, cursor: text.length };
    case 'backspace': {
      const at = prevBoundary(text, cursor);
      return { text: text.slice(0, at) + text.slice(cursor), cursor: at };
    }
    case 'delete':
      return { text: text.slice(0, cursor) + text.slice(nextBoundary(text, cursor)), cursor };
    case 'ctrl-u':
      return { text: text.slice(cursor), cursor: 0 };
    case 'ctrl-k':
      return { text: text.slice(0, cursor), cursor };
    case 'ctrl-w': {
      let at = cursor;
      while (at > 0 && text[at - 1] === ' ') at--;
      while (at > 0 && text[at - 1] !== ' ') at--;
      return { text: text.slice(0, at) + text.slice(cursor), cursor: at };
    }
    default:
      return line;
  }
}

/**
 * The part of the line to show in `width` columns, scrolled so the cursor stays visible, with
 * control characters shown as escapes (a command line from a disk may hold them).
 * Returns the visible text and the cursor's column inside it.
 */
export function visibleLine(line: LineState, width: number): { text: string; cursor: number } {
  const w = Math.max(1, width);
  const text = forTerminal(line.text);
  const cursor = forTerminal(line.text.slice(0, line.cursor)).length;
  if (text.length < w) return { text, cursor };
  const start = Math.max(0, Math.min(cursor - Math.floor(w * 0.75), text.length + 1 - w));
  return { text: text.slice(start, start + w), cursor: cursor - start };
}
