// Which consoles the menu runs on when it owns them all: every console the kernel writes to
// (/sys/class/tty/console/active), plus tty1 when it is a screen of its own (an HDMI or VGA
// screen on a board whose kernel console is the serial line). tty0 is "the foreground virtual
// terminal", which at boot is tty1.
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Whether the virtual terminals are drawn on a screen: a console driver other than the dummy one
 * (which every kernel with VTs has, and which shows nothing) is bound to them, e.g. "(S) VGA+" or
 * "(M) frame buffer device". A board with only a serial line has no screen to put a menu on.
 */
export function hasScreen(sysroot = '/'): boolean {
  const dir = path.join(sysroot, 'sys/class/vtconsole');
  let drivers: string[];
  try {
    drivers = readdirSync(dir);
  } catch {
    return false;
  }
  return drivers.some((d) => readText(path.join(dir, d, 'bind')).trim() === '1' && !/dummy/i.test(readText(path.join(dir, d, 'name'))));
}

/**
 * The console devices of this machine (under `sysroot`), each a character device that exists.
 * tty1 is added when there is a screen; `kexmenu.tty1=off` on the kernel command line leaves it
 * out anyway, unless it is a kernel console.
 */
export function readMenuConsoles(cmdline: string, sysroot = '/'): string[] {
  const active = readText(path.join(sysroot, 'sys/class/tty/console/active'));
  const tty1 = !/(^|\s)kexmenu\.tty1=off(\s|$)/.test(cmdline) && hasScreen(sysroot);
  return menuConsoles(active, tty1)
    .map((name) => path.join(sysroot, 'dev', name))
    .filter(isCharDevice);
}
