// kexmenu.conf: `key = value` lines and `# comments`. One file comes with the boot image
// (/etc/kexmenu.conf or --config FILE); a scanned boot partition may carry its own kexmenu.conf
// at its root. The disk's file may choose the timeout and the default (like its grub.cfg would),
// but never the password: a disk must not be able to remove, or set, the console's password.
import { createHash, scryptSync, timingSafeEqual } from 'node:crypto';
import type { SourceFiles } from './parsers/types.js';
import { readFileBounded } from './read-file.js';

export interface MenuConfig {
  /** Seconds before the default boots; 0 boots at once; negative waits forever. */
  timeout: number | null;
  /** A label glob (`*` and `?`) or an entry id. */
  default: string | null;
  /** The console the image's init runs the menu on (e.g. "ttyS0,115200"); informational here. */
  console: string | null;
  /** `sha256:<hex>` or `scrypt:<salt>:<hex>`; editing and the shell need it when set. */
  password: string | null;
}

export interface ConfigProblem {
  file: string | null;
  line: number;
  message: string;
}

export const EMPTY_CONFIG: MenuConfig = { timeout: null, default: null, console: null, password: null };
export const DEFAULT_TIMEOUT = 10;
export const MAX_CONFIG_BYTES = 64 * 1024;

export function parseConfig(text: string, file: string | null = null): { config: MenuConfig; problems: ConfigProblem[] } {
  const config: MenuConfig = { ...EMPTY_CONFIG };
  const problems: ConfigProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const eq = trimmed.indexOf('=');
    if (eq < 0) {
      problems.push({ file, line, message: `expected "key = value": ${trimmed}` });
      return;
    }
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    const value = unquote(trimmed.slice(eq + 1).trim());
    switch (key) {
      case 'timeout': {
        if (!/^-?\d+$/.test(value)) {
          problems.push({ file, line, message: `timeout must be a whole number of seconds: ${value}` });
          return;
        }
        config.timeout = Number(value);
        return;
      }
      case 'default':
      case 'console':
        config[key] = value === '' ? null : value;
        return;
      case 'password': {
        if (value !== '' && !isPasswordHash(value)) {
          problems.push({ file, line, message: 'password must be sha256:<hex> or scrypt:<salt>:<hex>, never plain text' });
          // Fail closed: a mistyped hash still locks editing (nobody can unlock it; fix the file).
          config.password = 'invalid:';
          return;
        }
        config.password = value === '' ? null : value;
        return;
      }
      default:
        problems.push({ file, line, message: `unknown key: ${key}` });
    }
  });
  return { config, problems };
}

function unquote(value: string): string {
  const q = value[0];
  return value.length >= 2 && (q === '"' || q === "'") && value.endsWith(q) ? value.slice(1, -1) : value;
}

export function isPasswordHash(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/i.test(value) || /^scrypt:[^:]+:([0-9a-f]{2}){16,}$/i.test(value);
}

/** Reads a config file with a size bound; a missing file is an empty config, not a problem. */
export function readConfigFile(file: string): { config: MenuConfig; problems: ConfigProblem[] } {
  // `--config /dev/null`: no config at all, as with any tool that reads one.
  if (file === '/dev/null') return { config: { ...EMPTY_CONFIG }, problems: [] };
  const read = readFileBounded(file, { length: MAX_CONFIG_BYTES + 1 });
  const refused = (message: string) => ({ config: { ...EMPTY_CONFIG }, problems: [{ file, line: 0, message }] });
  if (!read.ok) return read.reason === 'missing' ? { config: { ...EMPTY_CONFIG }, problems: [] } : refused(read.reason === 'unreadable' ? `cannot read: ${read.message}` : read.message);
  if (read.data.length > MAX_CONFIG_BYTES) return refused(`larger than ${MAX_CONFIG_BYTES} bytes, ignored`);
  return parseConfig(Buffer.from(read.data.buffer, read.data.byteOffset, read.data.length).toString('utf8'), file);
}

/** What a scanned disk's own kexmenu.conf may choose. */
export type DiskSettings = Pick<MenuConfig, 'timeout' | 'default'>;

/**
 * A scanned disk's kexmenu.conf, at the root of its partition, read through the disk's confined
 * view like any file on it. Null when the disk has none, or one that chooses nothing. It may set
 * the timeout and the default (like its grub.cfg would), never the password.
 */
export function readDiskSettings(files: SourceFiles): { settings: DiskSettings | null; problems: ConfigProblem[] } {
  const file = '/kexmenu.conf';
  const read = files.read(file, MAX_CONFIG_BYTES);
  if (!read.ok) return { settings: null, problems: read.reason === 'missing' && !read.dangling ? [] : [{ file, line: 0, message: read.message }] };
  const { config, problems } = parseConfig(read.text, file);
  if (config.password !== null) problems.push({ file, line: 0, message: 'password ignored: only the boot image may set one' });
  const settings = config.timeout !== null || config.default !== null ? { timeout: config.timeout, default: config.default } : null;
  return { settings, problems };
}

/**
 * The config in force: the command line beats a disk's kexmenu.conf for timeout and default, a
 * disk's file beats the image's, and the password only ever comes from the image.
 */
export function mergeConfig(image: MenuConfig, disk: DiskSettings | null, cli: Partial<MenuConfig> = {}): MenuConfig {
  return {
    timeout: cli.timeout ?? disk?.timeout ?? image.timeout ?? null,
    default: cli.default ?? disk?.default ?? image.default ?? null,
    console: image.console ?? null,
    password: image.password,
  };
}

/**
 * Settings from the running kernel's command line: `kexmenu.timeout=N` and `kexmenu.default=ID`.
 * They let a person (or a test) change one boot without editing a file on a read-only image.
 */
export function kernelArgConfig(cmdline: string): Partial<MenuConfig> {
  const config: Partial<MenuConfig> = {};
  for (const word of cmdline.split(/\s+/)) {
    const timeout = /^kexmenu\.timeout=(-?\d+)$/.exec(word);
    if (timeout) config.timeout = Number(timeout[1]);
    const preferred = /^kexmenu\.default=(.+)$/.exec(word);
    if (preferred) config.default = preferred[1]!;
  }
  return config;
}

export function effectiveTimeout(config: MenuConfig): number {
  return config.timeout ?? DEFAULT_TIMEOUT;
}

/** Checks a typed password against the configured hash in constant time. */
export function verifyPassword(hash: string, typed: string): boolean {
  const sha = /^sha256:([0-9a-f]{64})$/i.exec(hash);
  if (sha) {
    const got = createHash('sha256').update(typed, 'utf8').digest();
    return timingSafeEqual(got, Buffer.from(sha[1]!, 'hex'));
  }
  const scrypt = /^scrypt:([^:]+):((?:[0-9a-f]{2})+)$/i.exec(hash);
  if (scrypt) {
    const want = Buffer.from(scrypt[2]!, 'hex');
    const got = scryptSync(typed, scrypt[1]!, want.length);
    return timingSafeEqual(got, want);
  }
  return false;
}

/** Makes a hash for kexmenu.conf (`scrypt:<salt>:<hex>`); the salt is used as the literal string. */
export function hashPassword(typed: string, salt: string): string {
  return `scrypt:${salt}:${scryptSync(typed, salt, 32).toString('hex')}`;
}
