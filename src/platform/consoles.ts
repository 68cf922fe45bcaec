// Which consoles the menu runs on when it owns them all: every console the kernel writes to
// (/sys/class/tty/console/active), plus tty1 when it is a screen of its own (an HDMI or VGA
// screen on a board whose kernel console is the serial line). tty0 is "the foreground virtual
// terminal", which at boot is tty1.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Device names (ttyS0, tty1) from the `active` list; `tty1` says whether a tty1 exists to add. */
export function menuConsoles(active: string, tty1: boolean): string[] {
  const names = active.split(/\s+/).filter(Boolean).map((name) => (name === 'tty0' ? 'tty1' : name));
  if (tty1) names.push('tty1');
  return [...new Set(names)];
}

function isCharDevice(file: string): boolean {
  try {
    return statSync(file).isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * The console devices of this machine (under `sysroot`), each a character device that exists.
 * `kexmenu.tty1=off` on the kernel command line leaves tty1 out unless it is a kernel console.
 */
export function readMenuConsoles(cmdline: string, sysroot = '/'): string[] {
  let active = '';
  try {
    active = readFileSync(path.join(sysroot, 'sys/class/tty/console/active'), 'utf8');
  } catch {
    // No sysfs: only tty1, if there is one.
  }
  const tty1 = !/(^|\s)kexmenu\.tty1=off(\s|$)/.test(cmdline);
  return menuConsoles(active, tty1)
    .map((name) => path.join(sysroot, 'dev', name))
    .filter(isCharDevice);
}
