// loader/loader.conf, the systemd-boot settings beside loader/entries: only `default` (a glob
// over entry ids) and `timeout` matter to a menu that runs before the real boot loader.

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
    const match = /^(\S+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const value = match[2]!.trim();
    if (match[1] === 'default') conf.default = value;
    if (match[1] === 'timeout') conf.timeout = parseTimeout(value);
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
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's').test(name);
}
