// Raw terminal input -> keys. Ink's parser hands us one event per escape sequence or per run of
// plain text (a paste, or several fast keystrokes). Ink's own key object cannot tell Backspace
// (0x7f) from Delete (ESC [3~), so the menu decodes the raw text itself, here, in one pure place.

export type Key =
  | { kind: 'text'; text: string }
  | {
      kind:
        | 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'pageup' | 'pagedown'
        | 'enter' | 'escape' | 'tab' | 'backtab' | 'backspace' | 'delete'
        | 'ctrl-a' | 'ctrl-e' | 'ctrl-u' | 'ctrl-k' | 'ctrl-c' | 'ctrl-d' | 'ctrl-l' | 'ctrl-w';
    }
  | { kind: 'unknown'; sequence: string };

const SEQUENCES: Record<string, Key['kind']> = {
  '[A': 'up', '[B': 'down', '[C': 'right', '[D': 'left',
  OA: 'up', OB: 'down', OC: 'right', OD: 'left',
  '[H': 'home', '[F': 'end', OH: 'home', OF: 'end',
  '[1~': 'home', '[7~': 'home', '[4~': 'end', '[8~': 'end',
  '[3~': 'delete', '[5~': 'pageup', '[6~': 'pagedown', '[Z': 'backtab',
};

const CONTROLS: Record<string, Key['kind']> = {
  '\r': 'enter', '\n': 'enter', '\t': 'tab', '\x7f': 'backspace', '\b': 'backspace',
  '\x01': 'ctrl-a', '\x05': 'ctrl-e', '\x15': 'ctrl-u', '\x0b': 'ctrl-k',
  '\x03': 'ctrl-c', '\x04': 'ctrl-d', '\x0c': 'ctrl-l', '\x17': 'ctrl-w',
};

/** Decodes one raw input event into keys, in order. Printable runs stay whole (a paste is one key). */
export function decodeKeys(raw: string): Key[] {
  if (raw.startsWith('\x1b')) {
    if (raw === '\x1b' || raw === '\x1b\x1b') return [{ kind: 'escape' }];
    const body = raw.replace(/^\x1b+/, '');
    const known = SEQUENCES[body];
    if (known) return [{ kind: known } as Key];
    return [{ kind: 'unknown', sequence: raw }];
  }
  const keys: Key[] = [];
  let text = '';
  const flush = () => {
    if (text) keys.push({ kind: 'text', text });
    text = '';
  };
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const control = CONTROLS[ch];
    if (control) {
      flush();
      keys.push({ kind: control } as Key);
      // A pasted CRLF is one Enter, not two.
      if (ch === '\r' && chars[i + 1] === '\n') i++;
    } else if (ch < ' ') {
      flush();
      keys.push({ kind: 'unknown', sequence: ch });
    } else {
      text += ch;
    }
  }
  flush();
  return keys;
}
