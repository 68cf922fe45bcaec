// GRUB's wildcards (the filename translator of its regexp module, built into the signed EFI
// images Debian and Fedora ship): a word that starts with `/`, `(` or `*` and holds a `*` or `?`
// outside quotes becomes the paths that match it. `*` and `?` are the only wildcards (GRUB reads
// `[` as itself); a component without one that comes after one must exist; a word that matches
// nothing stays as written, as in GRUB. A wildcard in the device part (`(hd*)`, or a bare `*`)
// would list the machine's disks, which a source cannot see, so such a word stays as written too.
//
// Paths are listed in this source's sorted order (GRUB takes the filesystem's own order), on this
// source whatever device the word names (as `test -f` is answered), and never above its root.
import { globMatch } from '../text/glob.js';
import { sourcePathParts } from './source-path.js';
import type { SourceFiles } from './types.js';

/**
 * A word as the wildcard sees it: `*` and `?` that came from outside quotes are wildcards; every
 * other `*`, `?`, `[` and `\` is escaped with a `\`, as globMatch reads escapes.
 */
export type WildcardPattern = string;

const LITERAL_SPECIALS = /[\\[*?]/g;
const ACTIVE_SPECIALS = /[\\[]/g;

/** Text for a pattern: quoted text (`wildcards: false`) matches only itself. */
export function patternText(text: string, wildcards: boolean): WildcardPattern {
  return text.replace(wildcards ? ACTIVE_SPECIALS : LITERAL_SPECIALS, '\\$&');
}

export const hasWildcard = (pattern: WildcardPattern): boolean => /(?:^|[^\\])(?:\\\\)*[*?]/.test(pattern);

export interface WildcardBudget {
  /** Spends work for a directory read or a check; false once the budget is gone. */
  charge(units: number): boolean;
  /** Paths one word may expand to. */
  maxMatches: number;
}

export interface WildcardResult {
  paths: string[];
  /** More paths matched than maxMatches. */
  cut: boolean;
}

interface Candidate {
  written: string;
  parts: string[];
}

/** The paths the pattern names in `files`; null when the word stays as written. */
export function expandWildcard(pattern: WildcardPattern, files: Pick<SourceFiles, 'list' | 'stat'>, budget: WildcardBudget): WildcardResult | null {
  const split = splitDevice(pattern);
  if (!split || !hasWildcard(split.path)) return null;
  let candidates: Candidate[] = [{ written: split.device, parts: [] }];
  let matched = false;
  let cut = false;
  for (const component of split.path.split('/')) {
    if (component === '') continue;
    const next: Candidate[] = [];
    for (const c of candidates) {
      if (next.length >= budget.maxMatches) {
        cut = true;
        break;
      }
      if (hasWildcard(component)) {
        for (const name of matchingNames(c, component, files, budget)) {
          if (next.length >= budget.maxMatches) {
            cut = true;
            break;
          }
          next.push({ written: `${c.written}/${name}`, parts: [...c.parts, name] });
        }
      } else {
        const name = unescape(component);
        const parts = sourcePathParts(`/${[...c.parts, name].join('/')}`);
        if (parts === null) return null;
        if (matched && !(budget.charge(1) && files.stat(`/${parts.join('/')}`))) continue;
        next.push({ written: `${c.written}/${name}`, parts });
      }
    }
    matched ||= hasWildcard(component);
    candidates = next;
    if (candidates.length === 0) return null;
  }
  const trailing = split.path.endsWith('/') ? '/' : '';
  return { paths: candidates.map((c) => c.written + trailing), cut };
}

/** `(device)` and the path after it; null when the device part itself holds a wildcard, or there is no path. */
function splitDevice(pattern: WildcardPattern): { device: string; path: string } | null {
  if (pattern.startsWith('/')) return { device: '', path: pattern };
  if (!pattern.startsWith('(')) return null;
  const close = pattern.indexOf(')');
  if (close < 0 || hasWildcard(pattern.slice(0, close))) return null;
  return { device: unescape(pattern.slice(0, close + 1)), path: pattern.slice(close + 1) };
}

function matchingNames(c: Candidate, component: WildcardPattern, files: Pick<SourceFiles, 'list'>, budget: WildcardBudget): string[] {
  const names = files.list(`/${c.parts.join('/')}`) ?? [];
  if (!budget.charge(1 + (names.length >> 4))) return [];
  return names.filter((name) => name !== '.' && name !== '..' && globMatch(component, name, { brackets: true }));
}

function unescape(pattern: WildcardPattern): string {
  return pattern.replace(/\\(.)/gs, '$1');
}
