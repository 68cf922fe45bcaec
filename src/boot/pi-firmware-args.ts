// The Raspberry Pi firmware writes settings of its own (memory split, UART count, framebuffer,
// MAC address) in front of cmdline.txt. A kernel kexec'd from the menu never meets the firmware,
// so a Pi entry gets them from the menu kernel's command line, as the firmware would have
// written them for that entry.
import type { BootEntry } from '../model.js';
import { argName } from './cmdline.js';

export interface FirmwareWords {
  words: string[];
  /** How they were told apart from the menu's own cmdline.txt. */
  found: 'before the menu cmdline.txt' | 'by name';
}

// Names the firmware is known to write, for when the menu's own cmdline.txt is not among those
// scanned: then the leading run of such words is taken as the firmware's.
const KNOWN_NAMES = new Set([
  'coherent_pool', '8250.nr_uarts', 'smsc95xx.macaddr', 'dma.dmachans', 'dwc_otg.lpm_enable',
  'reboot', 'pci', 'numa_policy', 'cgroup_disable', 'nvme.max_host_mem_size_mb', 'video',
]);
const KNOWN_PREFIXES = ['bcm2708_fb.', 'bcm2708.', 'bcm2709.', 'snd_bcm2835.', 'vc_mem.'];

// What the firmware never writes: the menu's CPU limit for kexec and its own settings.
const NEVER_FIRMWARE = new Set(['nr_cpus', 'maxcpus']);

function isKnownFirmwareWord(word: string): boolean {
  const name = argName(word);
  return KNOWN_NAMES.has(name) || KNOWN_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function endsWith(words: string[], tail: string[]): boolean {
  return tail.length > 0 && tail.length < words.length && tail.every((word, i) => words[words.length - tail.length + i] === word);
}

/**
 * The words the firmware put before the menu's own cmdline.txt in `running` (the menu kernel's
 * words). `piCmdlines` are the cmdline.txt words of the Pi firmware entries scanned; the menu's
 * own boot partition is among them when it is attached, and the longest that `running` ends with
 * is taken for it. Without one, the leading run of words with names the firmware writes.
 */
export function firmwareWords(running: string[], piCmdlines: string[][]): FirmwareWords {
  const own = piCmdlines.filter((words) => endsWith(running, words)).sort((a, b) => b.length - a.length)[0];
  if (own) return { words: running.slice(0, running.length - own.length).filter((w) => !NEVER_FIRMWARE.has(argName(w))), found: 'before the menu cmdline.txt' };
  const end = running.findIndex((word) => !isKnownFirmwareWord(word));
  return { words: end === -1 ? [...running] : running.slice(0, end), found: 'by name' };
}

/**
 * The firmware's words as it would have written them for an entry: each running word that the
 * entry's config.txt decides otherwise (`derived`, e.g. `8250.nr_uarts=0`) replaced, and none that
 * the entry's own command line (`present`, names) sets. A derived word the firmware did not write
 * is not added: a menu kernel started some other way (U-Boot, QEMU) got none of them.
 */
export function firmwareWordsFor(firmware: string[], derived: string[], present: ReadonlySet<string>): string[] {
  const derivedByName = new Map(derived.map((word) => [argName(word), word]));
  return firmware.map((word) => derivedByName.get(argName(word)) ?? word).filter((word) => !present.has(argName(word)));
}

/** The cmdline.txt of each Pi firmware entry found: where the menu's own is looked for. */
export function piCmdlinesOf(entries: readonly BootEntry[]): string[] {
  return entries.filter((e) => e.origin.format === 'rpi').map((e) => e.cmdline);
}
