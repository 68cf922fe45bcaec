// The one way text reaches a terminal. Labels, paths, command lines and messages come from disks,
// and a label holding ESC ] 0 ; ... BEL retitles the terminal, ESC [ 2 J clears it, and a NUL or
// a lone CR garbles the line. Every such character is shown, not obeyed: \x1b, \x00, \r, and the
// Unicode controls that reorder or break lines as \u202e. JSON output needs none of this
// (JSON.stringify escapes control characters itself).

// C0, DEL, C1; line and paragraph separators; bidi embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function visible(c: string): string {
  const code = c.codePointAt(0)!;
  if (c === '\t') return '\\t';
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text, every control character shown as an escape. */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE, visible);
}
