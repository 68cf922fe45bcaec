// GRUB's environment block (`grubenv`, written by grub-editenv and save_env): a 1024-byte file
// that starts with "# GRUB Environment Block", then name=value lines, padded with '#'.
// A backslash in a value escapes the next character, so a value can hold "\\" or a newline.

export const GRUBENV_HEADER = '# GRUB Environment Block';

export type GrubEnvResult = { ok: true; vars: Map<string, string> } | { ok: false; message: string };

export function parseGrubEnv(text: string): GrubEnvResult {
  if (!text.startsWith(`${GRUBENV_HEADER}\n`)) return { ok: false, message: `not a GRUB environment block (no "${GRUBENV_HEADER}" line)` };
  const vars = new Map<string, string>();
  let i = GRUBENV_HEADER.length + 1;
  while (i < text.length) {
    if (text[i] === '#') {
      // Padding or a comment: skip to the end of the line.
      while (i < text.length && text[i] !== '\n') i++;
      i++;
      continue;
    }
    let logical = '';
    let escaped = false;
    const rawStart = i;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (escaped) {
        logical += c;
        escaped = false;
      } else if (c === '\\') {
        escaped = true;
      } else if (c === '\n') {
        break;
      } else {
        logical += c;
      }
    }
    const lineEnd = i;
    i++;
    // The name never holds escapes, so the first '=' of the raw line splits it (looked for on
    // this line only: searching past it made a file of lines without '=' quadratic).
    const eq = text.slice(rawStart, lineEnd).indexOf('=');
    if (eq <= 0) continue;
    const name = text.slice(rawStart, rawStart + eq);
    if (!/^[A-Za-z0-9_]+$/.test(name)) continue;
    vars.set(name, logical.slice(name.length + 1));
  }
  return { ok: true, vars };
}
