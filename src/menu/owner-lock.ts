// Exactly one menu owner mounts disks at a time. The lock is a listening Unix socket in Linux's
// abstract namespace: binding it is atomic, and the kernel lets go of it when its process dies,
// even by kill -9, so there is no stale lock to judge. /run/kexmenu.pid only names the owner for
// the message a second menu (someone starting it by hand from a shell) gets when it is refused.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

export const OWNER_LOCK = 'kexmenu-menu-owner';
export const OWNER_PID_FILE = '/run/kexmenu.pid';

export type OwnerLock = { held: true; release: () => Promise<void> } | { held: false; owner: number | null };

function readOwner(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock if nobody holds it; else says who does (when the pid file tells). */
export async function takeOwnerLock(name = OWNER_LOCK, pidFile = OWNER_PID_FILE): Promise<OwnerLock> {
  const server = net.createServer((socket) => socket.destroy());
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen(`\0${name}`, () => resolve(true));
  });
  if (!bound) return { held: false, owner: readOwner(pidFile) };
  server.unref();
  try {
    writeFileSync(pidFile, `${process.pid}\n`);
  } catch {
    // Not root (a menu over ROOT directories needs no lock): the lock holds without the name.
  }
  return { held: true, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
