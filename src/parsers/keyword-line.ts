// `KEYWORD rest of the line`, the shape of extlinux, BLS entry and loader.conf lines, split in one
// pass. (The regex this replaces, /^(\S+)\s*(.*)$/, backtracked over a long first word followed by
// a space and a lone CR or U+2028, which `.` does not match: seconds for a 60 KB line.)

const SPACE = /\s/;
const LEADING_SPACE = /^\s+/;

/** The first whitespace-delimited word and what follows it (leading whitespace dropped). */
export function splitKeyword(line: string): { keyword: string; rest: string } {
  const end = line.search(SPACE);
  if (end < 0) return { keyword: line, rest: '' };
  return { keyword: line.slice(0, end), rest: line.slice(end).replace(LEADING_SPACE, '') };
}
