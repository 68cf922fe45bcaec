// Labels are read on one console line. A config can make one as long as the config itself (or,
// through nested menus, longer), so every label a parser builds is cut here, whole code points kept.

export const MAX_LABEL_CHARS = 256;

export function boundedLabel(text: string): string {
  if (text.length <= MAX_LABEL_CHARS) return text;
  return `${Array.from(text.slice(0, MAX_LABEL_CHARS)).slice(0, MAX_LABEL_CHARS - 3).join('')}...`;
}
