// The text environment `env import -t` reads (Armbian's armbianEnv.txt, flash-kernel's and
// others' *Env.txt): one `name=value` a line, the value everything after the first `=`; blanks
// before a name and `#` lines are skipped. A line with an empty value, or with no `=` at all,
// deletes the variable it names. With `-r` a line's CR before its LF is not part of the value;
// without it, it is (U-Boot's own reading of a CRLF file).

export interface EnvAssignment {
  name: string;
  /** null deletes the variable. */
  value: string | null;
  line: number;
}

export function readEnvText(text: string, stripCr: boolean): EnvAssignment[] {
  const assignments: EnvAssignment[] = [];
  // The import ends at the first NUL, as the environment's own block format does.
  const end = text.indexOf('\0');
  const lines = (end < 0 ? text : text.slice(0, end)).split('\n');
  lines.forEach((raw, index) => {
    const line = (stripCr && raw.endsWith('\r') ? raw.slice(0, -1) : raw).replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    const value = eq < 0 ? '' : line.slice(eq + 1);
    assignments.push({ name, value: value === '' ? null : value, line: index + 1 });
  });
  return assignments;
}
