// loader/loader.conf, the systemd-boot settings beside loader/entries: only `default` (a glob
// over entry ids) matters to a menu that runs before the real boot loader. Its `timeout` is
// systemd-boot's own menu policy, not kexmenu's countdown, and is ignored with the other keys.
import { globMatch } from '../text/glob.js';
import { splitKeyword } from './keyword-line.js';

export interface LoaderConf {
  default: string | null;
}

export function parseLoaderConf(text: string): LoaderConf {
  const conf: LoaderConf = { default: null };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const { keyword, rest } = splitKeyword(line);
    const value = rest.trim();
    if (value === '') continue;
    if (keyword === 'default') conf.default = value;
  }
  return conf;
}

/** fnmatch-style `*`, `?` and `[...]`, as systemd-boot matches `default` against entry ids. */
export function globMatches(pattern: string, name: string): boolean {
  return globMatch(pattern, name, { brackets: true });
}
