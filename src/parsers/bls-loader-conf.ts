// loader/loader.conf, the systemd-boot settings beside loader/entries: only `default` (a glob
// over entry ids) and `timeout` matter to a menu that runs before the real boot loader.
import { globMatch } from '../text/glob.js';
import { splitKeyword } from './keyword-line.js';

export interface LoaderConf {
  default: string | null;
  /** Seconds; -1 waits for a key (`menu-force`), 0 boots the default at once. */
  timeout: number | null;
}

export function parseLoaderConf(text: string): LoaderConf {
  const conf: LoaderConf = { default: null, timeout: null };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const { keyword, rest } = splitKeyword(line);
    const value = rest.trim();
    if (value === '') continue;
    if (keyword === 'default') conf.default = value;
    if (keyword === 'timeout') conf.timeout = parseTimeout(value);
  }
  return conf;
}

function parseTimeout(value: string): number | null {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'menu-force') return -1;
  if (value === 'menu-hidden' || value === 'menu-disabled') return 0;
  return null;
}

/** fnmatch-style `*`, `?` and `[...]`, as systemd-boot matches `default` against entry ids. */
export function globMatches(pattern: string, name: string): boolean {
  return globMatch(pattern, name, { brackets: true });
}
