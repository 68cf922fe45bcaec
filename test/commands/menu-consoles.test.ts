// One kexmenu on two consoles, as init starts it on a board with a serial line and a screen: two
// pseudo-terminals stand in for them (each an idle program's terminal, read back through a
// headless xterm), and the built bundle opens both with --console. --dry-run: booting prints the
// kexec commands instead of running them.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, ensureBundle, REPO, Screen } from '../helpers/screen.js';

const DEBIAN = path.join(REPO, 'test/fixtures/disks/debian-root');
let screens: Screen[] = [];
let owners: ChildProcess[] = [];

/** A terminal nobody else reads: `sleep` holds it open. */
function idleConsole(): Screen {
  const s = Screen.start({ file: '/bin/sleep', args: ['600'] });
  screens.push(s);
  return s;
}

interface Owner {
  proc: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function owner(args: string[], consoles: Screen[]): Owner {
  const env: NodeJS.ProcessEnv = { ...process.env, SHELL: '/bin/sh' };
  delete env.CI;
  const argv = [process.execPath, BUNDLE, '--dry-run', '--config', '/dev/null', ...consoles.flatMap((c) => ['--console', c.device]), ...args];
  // node-pty's master descriptors are inherited by every child: closed here, so that the one a
  // test hangs up is closed everywhere and the owner sees the hang-up, as it would a pulled adapter.
  const closeInherited = 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; exec "$@"';
  const proc = spawn('/bin/bash', ['-c', closeInherited, 'owner', ...argv], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  owners.push(proc);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, stderr: () => err, exit };
}

beforeAll(() => {
  ensureBundle();
});
afterEach(() => {
  for (const p of owners) p.kill('SIGKILL');
  for (const s of screens) s.dispose();
  owners = [];
  screens = [];
});

describe('one kexmenu, two consoles (bundle, two ptys)', () => {
  it('both show the menu; a key on one stops the countdown on both; Enter on the other boots, and the first says where it was chosen', async () => {
    const [serial, screen] = [idleConsole(), idleConsole()];
    const o = owner(['--timeout', '4', DEBIAN], [serial, screen]);
    await serial.waitFor(/Booting "Debian GNU\/Linux" in \d s/);
    await screen.waitFor(/Booting "Debian GNU\/Linux" in \d s/);
    screen.press('down');
    await serial.waitForGone(/Booting/);
    await screen.waitFor(/> 2\./);
    // The serial console's cursor stays where it was; nothing boots by itself after the key.
    expect(serial.findLine(/> 1\./)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 5000));
    expect(serial.history()).not.toMatch(/would run/);
    serial.press('enter');
    await serial.waitFor(/would run: kexec -e/, 15_000, { history: true });
    const name = serial.device.replace(/^\/dev\//, '');
    await screen.waitFor(new RegExp(`booting Debian GNU/Linux \\(chosen on ${name.replace('/', '\\/')}\\)`), 5000, { history: true });
    expect(serial.history()).toMatch(/booting Debian GNU\/Linux\s/);
    expect(await o.exit).toBe(0);
  }, 60_000);

  it('a console that goes away costs only that console: the other goes on and boots', async () => {
    const [serial, adapter] = [idleConsole(), idleConsole()];
    const o = owner(['--timeout', '-1', DEBIAN], [serial, adapter]);
    await serial.waitFor(/> 1\. Debian GNU\/Linux/);
    await adapter.waitFor(/> 1\. Debian GNU\/Linux/);
    adapter.hangUp(); // the USB serial adapter is pulled out
    await new Promise((r) => setTimeout(r, 1000));
    expect(o.proc.exitCode).toBeNull();
    serial.write('l');
    await serial.waitFor(/console pts\/\d+ is gone/);
    serial.press('escape');
    await serial.waitFor(/> 1\. Debian GNU\/Linux/);
    serial.press('enter');
    await serial.waitFor(/would run: kexec -e/, 15_000, { history: true });
    expect(await o.exit).toBe(0);
  }, 60_000);

  it('the shell opens on the console that asked, with job control; the other keeps the menu, and the menu comes back', async () => {
    const [serial, screen] = [idleConsole(), idleConsole()];
    owner(['--timeout', '-1', DEBIAN], [serial, screen]);
    await serial.waitFor(/> 1\. Debian GNU\/Linux/);
    await screen.waitFor(/> 1\. Debian GNU\/Linux/);
    serial.write('x');
    await serial.waitFor(/starting \/bin\/sh/);
    // A controlling terminal of its own: `tty` names it and job control is on.
    serial.write('echo "ctty=$(tty) jobs=$(set -o | grep -c "monitor *on")"\r');
    await serial.waitFor(new RegExp(`ctty=${serial.device} jobs=1`));
    expect(screen.text()).toMatch(/> 1\. Debian GNU\/Linux/);
    expect(screen.history()).not.toMatch(/ctty=/);
    screen.press('down');
    await screen.waitFor(/> 2\./);
    serial.write('exit\r');
    await serial.waitFor(/> 1\. Debian GNU\/Linux/);
    serial.write('l');
    await serial.waitFor(/shell on pts\/\d+ exited with status 0/);
  }, 60_000);
});
