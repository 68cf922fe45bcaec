// Exactly one menu owner mounts disks at a time. The owner's pid is in /run/kexmenu.pid; a second
// `kexmenu` menu in device mode (someone starting it by hand from a shell) is refused while that
// owner lives. A new owner after one that was killed (kill -9 leaves its mounts behind) takes the
// lock and lets go of the mounts the dead one left under /run/kexmenu.
import { readFileSync, writeFileSync } from 'node:fs';

export const OWNER_PID_FILE = '/run/kexmenu.pid';

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kexmenu');
  } catch {
    return false;
  }
}

/** Takes the lock: null when taken (the previous owner, if any, is dead), else the live owner's pid. */
export function takeOwnerLock(file = OWNER_PID_FILE, pid = process.pid): number | null {
  let previous = Number.NaN;
  try {
    previous = Number(readFileSync(file, 'utf8').trim());
  } catch {
    // no owner before us
  }
  if (Number.isInteger(previous) && previous > 0 && previous !== pid && alive(previous)) return previous;
  try {
    writeFileSync(file, `${pid}\n`);
  } catch {
    // Not root (a menu over ROOT directories needs no lock; a device scan will say what it lacks).
  }
  return null;
}
