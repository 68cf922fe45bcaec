// argv to one line a person can read and paste into a shell. For display only: commands are
// always run from their argv arrays, never through a shell.
const PLAIN = /^[A-Za-z0-9_/.,:=+@%-]+$/;

export function shellQuote(argv: readonly string[]): string {
  return argv.map((word) => (PLAIN.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}
