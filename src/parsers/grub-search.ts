// GRUB's `search` family, read for what it sets: which variable (normally `root`) ends up naming
// the device that holds a filesystem UUID, label, partition UUID or file.
import type { DeviceRef } from './types.js';

export interface SearchSpec {
  /** How the device is named; null when kexmenu cannot name such a device (--part-label, --disk-uuid). */
  by: DeviceRef['by'] | null;
  how: string;
  value: string;
  /** The variable it sets; null without --set, when GRUB only prints what it found. */
  variable: string | null;
}

const SHORTHANDS: Record<string, DeviceRef['by']> = {
  'search.fs_uuid': 'uuid',
  'search.fs_label': 'label',
  'search.file': 'file',
};

const KINDS: Record<string, { by: DeviceRef['by'] | null; how: string }> = {
  '-u': { by: 'uuid', how: 'fs-uuid' },
  '--fs-uuid': { by: 'uuid', how: 'fs-uuid' },
  '-l': { by: 'label', how: 'label' },
  '--label': { by: 'label', how: 'label' },
  '-f': { by: 'file', how: 'file' },
  '--file': { by: 'file', how: 'file' },
  '--part-uuid': { by: 'partuuid', how: 'part-uuid' },
  '--part-label': { by: null, how: 'part-label' },
  '--disk-uuid': { by: null, how: 'disk-uuid' },
};

const HINTS = /^(?:-h|--hint(?:-[a-z0-9]+)?)$/;

/** Reads `search ...` or `search.fs_uuid VALUE [VAR]`; an error string when it names nothing. */
export function parseSearch(command: string, args: string[]): SearchSpec | { error: string } {
  const shorthand = SHORTHANDS[command];
  if (shorthand) {
    if (!args[0]) return { error: `${command} without a value` };
    return { by: shorthand, how: command.slice('search.'.length), value: args[0], variable: args[1] ?? 'root' };
  }
  // GRUB searches for a file when no kind is given.
  let kind: { by: DeviceRef['by'] | null; how: string } = { by: 'file', how: 'file' };
  let variable: string | null = null;
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const known = KINDS[arg];
    if (known) kind = known;
    else if (arg === '-s' || arg === '--set') variable = 'root';
    else if (arg.startsWith('--set=')) variable = arg.slice('--set='.length) || 'root';
    else if (arg.startsWith('--hint') && arg.includes('=')) continue;
    else if (HINTS.test(arg)) i++;
    else if (arg === '-n' || arg === '--no-floppy' || arg === '--efidisk-only') continue;
    else if (arg.startsWith('-') && value === null) continue;
    else if (value === null) value = arg;
  }
  if (value === null) return { error: 'search without a value' };
  return { by: kind.by, how: kind.how, value, variable };
}
