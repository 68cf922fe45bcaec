// The whole menu as a person sees it: the built bundle in an 80x24 pseudo-terminal, read back
// through a headless xterm. --dry-run makes booting print the kexec commands instead of running them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle, REPO, Screen } from '../helpers/screen.js';

const DISKS = path.join(REPO, 'test/fixtures/disks');
const DEBIAN = path.join(DISKS, 'debian-root');
const USB = path.join(DISKS, 'usb-stick');
const NO_CONFIG = ['--config', '/dev/null'];
const ORIGINAL_APPEND = "'--append=root=UUID=3f1c2b7a-5d4e-4c2b-9a8f-6e5d4c3b2a10 ro quiet'";

let tmp: string;
const screens: Screen[] = [];
function start(args: string[], options: Parameters<typeof Screen.start>[0] = {}): Screen {
  const s = Screen.start({ ...options, args });
  screens.push(s);
  return s;
}

beforeAll(() => {
  ensureBundle();
  tmp = mkdtempSync(path.join(tmpdir(), 'kexmenu-menu-'));
});
afterEach(() => {
  for (const s of screens.splice(0)) s.dispose();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kexmenu menu (bundle, 80x24 pty)', () => {
  it('stops the countdown on a key, and boots nothing by itself after that', async () => {
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '3', DEBIAN]);
    await s.waitFor(/Booting "Debian GNU\/Linux" in [23] s/);
    s.press('down');
    await s.waitForGone(/Booting/);
    expect(s.findLine(/> 2\./)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 4000));
    expect(s.exitStatus).toBeNull();
    expect(s.text()).not.toMatch(/would run/);
  }, 60_000);

  it('boots the default when the countdown ends', async () => {
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '1', DEBIAN]);
    await s.waitFor(/would run: kexec -e/, 20_000, { history: true });
    expect((await s.exited()).exitCode).toBe(0);
    expect(s.history()).toContain(`/debian-root/boot/vmlinuz-6.1.0-27-amd64 --initrd=${DEBIAN}/boot/initrd.img-6.1.0-27-amd64 ${ORIGINAL_APPEND}`);
  }, 60_000);

  it('boots the edited command line', async () => {
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '-1', DEBIAN]);
    await s.waitFor(/> 1\. Debian GNU\/Linux/);
    s.write('e');
    await s.waitFor(/Edit: Debian GNU\/Linux/);
    s.press('end', 'backspace', 'backspace', 'backspace', 'backspace', 'backspace');
    s.write('console=ttyS0,115200'); // one write: arrives like a paste
    await s.waitFor(/ro console=ttyS0,115200/);
    s.press('enter');
    await s.waitFor(/would run: kexec -e/, 15_000, { history: true });
    expect((await s.exited()).exitCode).toBe(0);
    const out = s.history();
    expect(out).toContain("'--append=root=UUID=3f1c2b7a-5d4e-4c2b-9a8f-6e5d4c3b2a10 ro console=ttyS0,115200'");
    expect(out).not.toContain('quiet');
  }, 60_000);

  it('discards the edit on Esc', async () => {
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '-1', DEBIAN]);
    await s.waitFor(/> 1\. Debian GNU\/Linux/);
    s.write('e');
    await s.waitFor(/Edit: /);
    s.write(' init=/bin/sh');
    await s.waitFor(/init=\/bin\/sh/);
    s.press('escape');
    await s.waitFor(/edit discarded/);
    s.press('enter');
    await s.waitFor(/would run: kexec -e/, 15_000, { history: true });
    expect(s.history()).toContain(ORIGINAL_APPEND);
    expect(s.history()).not.toContain('init=/bin/sh');
  }, 60_000);

  it('stays in the menu with the reason when an entry is refused (an arm64 kernel on x86_64)', async () => {
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '-1', '--arch', 'x86_64', DEBIAN, path.join(DISKS, 'rpi-boot')]);
    await s.waitFor(/Raspberry Pi firmware boot/);
    s.write('5');
    await s.waitFor(/> 5\. Raspberry Pi/);
    s.press('enter');
    await s.waitFor(/cannot boot Raspberry Pi firmware boot: kernel8\.img: /);
    expect(s.text()).toMatch(/aarch64|arm64/);
    expect(s.exitStatus).toBeNull();
    s.write('1\r');
    await s.waitFor(/would run: kexec -e/, 15_000, { history: true });
  }, 60_000);

  it('shows the whole spin-table refusal, fix included, on a recorded Raspberry Pi 3 B+', async () => {
    const pi = path.join(REPO, 'test/fixtures/machines/rpi3b-plus');
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '-1', '--sysroot', pi, path.join(DISKS, 'rpi-boot')]);
    await s.waitFor(/> 1\. Raspberry Pi firmware boot/);
    s.press('enter');
    await s.waitFor(/spin-table/);
    // The words wrap across status lines: read them as one text.
    const shown = s.text().replace(/\s+/g, ' ');
    expect(shown).toContain('nr_cpus=1 (maxcpus=1 is not enough)');
    expect(s.exitStatus).toBeNull();
  }, 60_000);

  it('runs a shell and comes back to the menu when it exits', async () => {
    const s = start([...NO_CONFIG, '--timeout', '-1', DEBIAN], { env: { SHELL: '/bin/sh', PS1: '$ ' } });
    await s.waitFor(/> 1\. Debian GNU\/Linux/);
    s.write('x');
    await s.waitFor(/starting \/bin\/sh/);
    s.write('echo shell-says-$((6 * 7))\r');
    await s.waitFor(/shell-says-42/);
    s.write('exit\r');
    await s.waitFor(/> 1\. Debian GNU\/Linux/);
    await s.waitFor(/Enter boot/);
    // Keys work again after the shell.
    s.press('down');
    await s.waitFor(/> 2\./);
  }, 60_000);

  it('shows a USB-like directory plugged into a watched directory without a key, and drops it when pulled', async () => {
    const watched = mkdtempSync(path.join(tmp, 'watch-'));
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '-1', '--watch-dir', watched, DEBIAN]);
    await s.waitFor(/> 1\. Debian GNU\/Linux/);
    // Plug in atomically: copy beside, then rename into the watched directory.
    const staging = path.join(tmp, 'staging-stick');
    cpSync(USB, staging, { recursive: true });
    const plugged = Date.now();
    renameSync(staging, path.join(watched, 'usb-stick'));
    await s.waitFor(/Rescue live system \(amd64\)/, 10_000);
    const appearedMs = Date.now() - plugged;
    expect(s.findLine(/usb-stick .*USB/)).not.toBeNull();
    expect(appearedMs).toBeLessThan(5_000);
    rmSync(path.join(watched, 'usb-stick'), { recursive: true });
    await s.waitForGone(/Rescue live system/, 10_000);
  }, 60_000);

  it('restarts the countdown for a higher-priority default that is plugged in while counting', async () => {
    const watched = mkdtempSync(path.join(tmp, 'watch-'));
    const conf = path.join(tmp, 'prefer-rescue.conf');
    writeFileSync(conf, 'timeout = 30\ndefault = Rescue live system (amd64)\n');
    const s = start(['--dry-run', '--config', conf, '--watch-dir', watched, DEBIAN]);
    await s.waitFor(/Booting "Debian GNU\/Linux" in \d+ s/);
    const staging = path.join(tmp, 'staging-rescue');
    cpSync(USB, staging, { recursive: true });
    renameSync(staging, path.join(watched, 'usb-stick'));
    await s.waitFor(/Booting "Rescue live system \(amd64\)" in (30|29|28) s/, 10_000);
    await s.waitFor(/> \d\. Rescue live system \(amd64\)/, 5_000);
  }, 60_000);

  it("moves the countdown to a plugged-in stick's own default, with no config asking for it", async () => {
    const watched = mkdtempSync(path.join(tmp, 'watch-'));
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '30', '--watch-dir', watched, DEBIAN]);
    await s.waitFor(/Booting "Debian GNU\/Linux" in \d+ s/);
    const staging = path.join(tmp, 'staging-own-default');
    cpSync(USB, staging, { recursive: true });
    renameSync(staging, path.join(watched, 'usb-stick'));
    await s.waitFor(/Booting "Rescue live system \(amd64\)" in (30|29|28) s/, 10_000);
  }, 60_000);

  it('keeps counting down for the default when a hostile stick with no default of its own is plugged in', async () => {
    const watched = mkdtempSync(path.join(tmp, 'watch-'));
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '30', '--watch-dir', watched, DEBIAN]);
    await s.waitFor(/Booting "Debian GNU\/Linux" in \d+ s/);
    const staging = path.join(tmp, 'staging-hostile');
    cpSync(path.join(REPO, 'test/fixtures/hostile/glob-default'), staging, { recursive: true });
    renameSync(staging, path.join(watched, 'hostile'));
    await s.waitFor(new RegExp(`\\d\\. ${'a'.repeat(40)}`), 10_000);
    const remaining = () => Number(/Booting "Debian GNU\/Linux" in (\d+) s/.exec(s.text())?.[1] ?? Number.NaN);
    const before = remaining();
    await s.waitFor(new RegExp(`Booting "Debian GNU/Linux" in ${before - 2} s`), 10_000);
  }, 60_000);

  it('asks for the password before editing in restricted mode', async () => {
    const conf = path.join(tmp, 'restricted.conf');
    writeFileSync(conf, `password = sha256:${createHash('sha256').update('letmein').digest('hex')}\ntimeout = -1\n`);
    const s = start(['--dry-run', '--config', conf, DEBIAN]);
    await s.waitFor(/> 1\. Debian GNU\/Linux/);
    s.write('e');
    await s.waitFor(/A password is needed to edit/);
    s.write('guess');
    await s.waitFor(/Password: \*{5} /);
    s.press('enter');
    await s.waitFor(/Wrong password \(1\)/);
    s.write('letmein\r');
    await s.waitFor(/Edit: Debian GNU\/Linux/);
  }, 60_000);

  it('keeps the > marker on TERM=vt102, which has no styling', async () => {
    const s = start([...NO_CONFIG, '--timeout', '-1', DEBIAN], { term: 'vt102' });
    await s.waitFor(/^\| > 1\. Debian GNU\/Linux/m);
    s.write('j');
    await s.waitFor(/^\| > 2\. /m);
    expect(s.findLine(/^\| {3}1\. Debian/)).not.toBeNull();
  }, 60_000);

  it('draws 80 columns on a terminal that reports 0x0', async () => {
    const command = `stty cols 0 rows 0; exec '${process.execPath}' '${ensureBundle()}' --config /dev/null --timeout -1 '${DEBIAN}'`;
    const s = start(['-c', command], { file: '/bin/sh' });
    // The whole frame: its last line (the help bar) has arrived, and the entry above it.
    await s.waitFor(/> 1\. Debian GNU\/Linux[\s\S]*Enter boot/);
    const border = s.lines().find((l) => l.startsWith('+-'));
    expect(border).toBe(`+${'-'.repeat(78)}+`);
  }, 60_000);

  it("draws a disk's entries and quits on q when its kexmenu.conf default would have made a regex backtrack for ever", async () => {
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '30', path.join(REPO, 'test/fixtures/hostile/glob-default')]);
    await s.waitFor(new RegExp(`1\\. ${'a'.repeat(40)}`));
    s.write('q');
    expect((await s.exited()).exitCode).toBe(0);
  }, 60_000);

  it("shows a disk's control characters in the list, the editor and the boot lines, and never sends them", async () => {
    const s = start(['--dry-run', ...NO_CONFIG, '--timeout', '-1', path.join(REPO, 'test/fixtures/hostile/terminal-escapes')]);
    const titles: string[] = [];
    s.term.onTitleChange((t) => titles.push(t));
    await s.waitFor('Debian \\x1b]0;pwned by a disk\\x07\\x1b[2J');
    s.write('e');
    await s.waitFor(/Enter will run/);
    await s.waitFor('\\x1b]0;cmdline\\x07');
    s.press('enter');
    await s.waitFor(/would run: kexec -e/, 15_000, { history: true });
    expect((await s.exited()).exitCode).toBe(0);
    expect(s.history()).toMatch(/booting Debian \\x1b\]0;pwned by a disk\\x07\\x1b\[2J/);
    expect(s.history()).toMatch(/would run: kexec -l .*\\x1b\]0;cmdline\\x07/);
    expect(titles).toEqual([]);
    expect(s.output).not.toContain('\x1b]0;');
    expect(s.output).not.toContain('\x07');
  }, 60_000);

  it('renders even when CI=true is in the environment', async () => {
    const s = start([...NO_CONFIG, '--timeout', '-1', DEBIAN], { env: { CI: 'true' } });
    await s.waitFor(/> 1\. Debian GNU\/Linux/);
  }, 60_000);

  it('refuses a --config file that does not exist, with exit code 2', async () => {
    const s = start(['--config', path.join(tmp, 'missing.conf'), DEBIAN]);
    await s.waitFor(/missing\.conf: no such file/);
    expect((await s.exited()).exitCode).toBe(2);
  }, 30_000);

  it("takes a first word that only Object's prototype knows (toString) for a ROOT, not a command", () => {
    const r = spawnSync(process.execPath, [ensureBundle(), 'toString'], { input: '', encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal/);
  }, 30_000);

  it('refuses an unknown --arch with exit code 2 instead of planning for it', () => {
    const r = spawnSync(process.execPath, [ensureBundle(), ...NO_CONFIG, '--arch', 'sparc', DEBIAN], { input: '', encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown --arch sparc/);
  }, 30_000);

  it('says it needs a terminal and exits 2 when stdin is not one', () => {
    const r = spawnSync(process.execPath, [ensureBundle(), ...NO_CONFIG, DEBIAN], { input: '', encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal, and stdin is not one/);
    expect(r.stderr).not.toMatch(/at .*\.mjs/);
  }, 30_000);
});
