// Kernel command lines as the kernel reads them: words split on blanks, double quotes keep blanks
// inside one word (`foo="a b"`), and everything after a bare `--` belongs to init, not the kernel.
// Words are kept exactly as written, so splitting and joining again changes nothing but blanks.

export interface KernelArgs {
  /** Words the kernel parses itself. */
  kernel: string[];
  /** Words after `--`, handed to init untouched. */
  init: string[];
}

export function splitCmdline(cmdline: string): KernelArgs {
  const words: string[] = [];
  let word = '';
  let inQuote = false;
  let started = false;
  for (const char of cmdline) {
    if (!inQuote && /\s/.test(char)) {
      if (started) words.push(word);
      word = '';
      started = false;
      continue;
    }
    if (char === '"') inQuote = !inQuote;
    word += char;
    started = true;
  }
  if (started) words.push(word);
  const dashes = words.indexOf('--');
  return dashes === -1 ? { kernel: words, init: [] } : { kernel: words.slice(0, dashes), init: words.slice(dashes + 1) };
}

export function joinCmdline(args: KernelArgs): string {
  return (args.init.length > 0 ? [...args.kernel, '--', ...args.init] : args.kernel).join(' ');
}

/** Kernel words of `extra` after those of `base`, init words likewise, so nothing crosses `--`. */
export function appendArgs(base: KernelArgs, extra: KernelArgs): KernelArgs {
  return { kernel: [...base.kernel, ...extra.kernel], init: [...base.init, ...extra.init] };
}

/** A parameter's name without quotes; `-` and `_` are the same to the kernel, so `_` is used. */
export function argName(word: string): string {
  const unquoted = word.replaceAll('"', '');
  const eq = unquoted.indexOf('=');
  return (eq === -1 ? unquoted : unquoted.slice(0, eq)).replaceAll('-', '_');
}

export function argValue(word: string): string | null {
  const unquoted = word.replaceAll('"', '');
  const eq = unquoted.indexOf('=');
  return eq === -1 ? null : unquoted.slice(eq + 1);
}

/** Words that only meant something to the kernel that runs kexmenu, or to the loader that started it. */
const RUNNING_ONLY = new Set(['rdinit', 'BOOT_IMAGE', 'initrd']);

/**
 * Drops what must not reach the next kernel when its command line is taken from the running one:
 * every `kexmenu.*` setting, the initramfs's `rdinit=`, the previous loader's `BOOT_IMAGE=`/`initrd=`,
 * and `nr_cpus=1` when the menu kernel only had it to make kexec possible.
 */
export function withoutRunningOnlyArgs(args: KernelArgs, options: { dropNrCpus: boolean }): KernelArgs {
  const keep = (word: string): boolean => {
    const name = argName(word);
    if (name.startsWith('kexmenu.') || RUNNING_ONLY.has(name)) return false;
    return !(options.dropNrCpus && name === 'nr_cpus' && argValue(word) === '1');
  };
  return { kernel: args.kernel.filter(keep), init: args.init };
}

/** True when every kernel word of `candidate` is also a word of `running` (and there is at least one). */
export function isTakenFrom(candidate: KernelArgs, running: KernelArgs): boolean {
  const present = new Set(running.kernel);
  return candidate.kernel.length > 0 && candidate.kernel.every((word) => present.has(word));
}
