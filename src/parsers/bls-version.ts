// Version comparison of the Boot Loader Specification ("Sorting" > "Version Order",
// https://uapi-group.org/specifications/specs/boot_loader_specification/#version-order), which is
// rpm's rpmvercmp() with a few changes and what `systemd-analyze compare-versions` implements.
//
// One deliberate difference from the spec's numbered steps: `~` is checked before "one string has
// ended", as rpm and systemd do, so `6.5~rc1` sorts below `6.5` ("a prefix that always compares
// lower"). Taken literally, the steps would put the pre-release above the release.

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const SEPARATORS = ['-', '^', '.'] as const;
const isVersionChar = (c: string) => isDigit(c) || isLetter(c) || c === '-' || c === '.' || c === '~' || c === '^';

/** Negative when `a` is older than `b`, positive when newer, 0 when they compare equal. */
export function compareVersions(a: string, b: string): number {
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isVersionChar(a[i]!)) i++;
    while (j < b.length && !isVersionChar(b[j]!)) j++;
    const ca = a[i] ?? '';
    const cb = b[j] ?? '';

    if (ca === '~' || cb === '~') {
      if (ca !== cb) return ca === '~' ? -1 : 1;
      i++;
      j++;
      continue;
    }
    if (ca === '' || cb === '') return ca === cb ? 0 : ca === '' ? -1 : 1;

    // '-' starts the release part: the string still in its version part is newer (1.1 > 1-9).
    // '.' loses to a letter or digit (123a > 123.a); '^' (a patch on top) wins over them.
    const sep = SEPARATORS.find((s) => ca === s || cb === s);
    if (sep) {
      if (ca !== cb) return (ca === sep ? 1 : -1) * (sep === '^' ? 1 : -1);
      i++;
      j++;
      continue;
    }

    if (isDigit(ca) || isDigit(cb)) {
      const na = digitRun(a, i);
      const nb = digitRun(b, j);
      const r = compareNumbers(a.slice(i, na), b.slice(j, nb));
      if (r !== 0) return r;
      i = na;
      j = nb;
      continue;
    }

    const la = letterRun(a, i);
    const lb = letterRun(b, j);
    const sa = a.slice(i, la);
    const sb = b.slice(j, lb);
    // Plain code-unit order puts capitals before lower case, as the spec asks (A < a).
    if (sa !== sb) {
      const common = Math.min(sa.length, sb.length);
      for (let k = 0; k < common; k++) {
        if (sa[k] !== sb[k]) return sa[k]! < sb[k]! ? -1 : 1;
      }
      return sa.length < sb.length ? -1 : 1;
    }
    i = la;
    j = lb;
  }
}

function digitRun(s: string, from: number): number {
  let k = from;
  while (k < s.length && isDigit(s[k]!)) k++;
  return k;
}

function letterRun(s: string, from: number): number {
  let k = from;
  while (k < s.length && isLetter(s[k]!)) k++;
  return k;
}

/** Compares decimal digit strings of any length; an empty string counts as 0. */
function compareNumbers(x: string, y: string): number {
  const a = x.replace(/^0+/, '');
  const b = y.replace(/^0+/, '');
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}
