// The real backend over directories: the scan, a disk's own kexmenu.conf, and planning.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMPTY_CONFIG } from '../../src/config.js';
import type { Machine } from '../../src/model.js';
import { createBackend, deviceMode } from '../../src/menu/source-backend.js';
import { REPO } from '../helpers/screen.js';

const machine: Machine = {
  arch: 'x86_64', model: null, compatible: [], cpuEnableMethods: [], possibleCpus: 2, psci: false,
  cmdline: '', systemd: false, firmwareFdt: null,
};
const tmp = mkdtempSync(path.join(tmpdir(), 'kexmenu-backend-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('real backend', () => {
  it('uses a disk kexmenu.conf for timeout and default but ignores its password', async () => {
    const root = path.join(tmp, 'debian');
    cpSync(path.join(REPO, 'test/fixtures/disks/debian-root'), root, { recursive: true });
    writeFileSync(path.join(root, 'kexmenu.conf'), `timeout = 2\ndefault = *recovery*\npassword = sha256:${'0'.repeat(64)}\n`);
    const backend = createBackend({ roots: [root], watchDirs: [], devices: [], machine, imageConfig: { ...EMPTY_CONFIG, timeout: 9 }, cliConfig: {} });
    const lines: string[] = [];
    const { scan, config } = await backend.scan((l) => lines.push(l));
    expect(config).toMatchObject({ timeout: 2, default: '*recovery*', password: null });
    expect(scan.problems.some((p) => /password ignored/.test(p.message))).toBe(true);
    const entry = scan.entries.find((e) => e.label.endsWith('Debian GNU/Linux'))!;
    const plan = backend.plan(entry, { cmdline: 'root=/dev/sda1 single' });
    expect(plan.ok).toBe(true);
    expect(plan.load).toContain('--append=root=/dev/sda1 single');
  });

  it("reads a disk's kexmenu.conf inside its partition: no symlink out of it, no hang on a FIFO", async () => {
    const outside = path.join(tmp, 'host.conf');
    writeFileSync(outside, 'timeout = 3\n');
    const linked = path.join(tmp, 'linked');
    mkdirSync(linked);
    symlinkSync(outside, path.join(linked, 'kexmenu.conf'));
    const fifo = path.join(tmp, 'fifo');
    mkdirSync(fifo);
    execFileSync('mkfifo', [path.join(fifo, 'kexmenu.conf')]);
    const backend = createBackend({ roots: [linked, fifo], watchDirs: [], devices: [], machine, imageConfig: { ...EMPTY_CONFIG, timeout: 9 }, cliConfig: {} });
    const { scan, config } = await backend.scan(() => {});
    expect(config.timeout).toBe(9);
    expect(scan.problems).toContainEqual(expect.objectContaining({ source: 'fifo', message: 'not a file: /kexmenu.conf' }));
  });

  it("does not take a disk's kexmenu.conf that a symlink through a missing directory leads out of the partition to", async () => {
    const root = path.join(REPO, 'test/fixtures/hostile/escapes/configs');
    const backend = createBackend({ roots: [root], watchDirs: [], devices: [], machine, imageConfig: { ...EMPTY_CONFIG, timeout: 9 }, cliConfig: {} });
    const { scan, config } = await backend.scan(() => {});
    expect(config.timeout).toBe(9); // the file out there says 77
    expect(scan.problems).toContainEqual(expect.objectContaining({ source: 'configs', message: expect.stringMatching(/^not found: \/kexmenu\.conf/) }));
  });

  it("scans for the machine's board, so a recorded --sysroot board picks the same DTB as kexmenu plan", async () => {
    const pi: Machine = { ...machine, arch: 'aarch64', compatible: ['raspberrypi,3-model-b-plus', 'brcm,bcm2837'] };
    const backend = createBackend({ roots: [path.join(REPO, 'test/fixtures/disks/rpi-boot')], watchDirs: [], devices: [], machine: pi, imageConfig: EMPTY_CONFIG, cliConfig: {} });
    const { scan } = await backend.scan(() => {});
    expect(scan.entries[0]?.dtbReason).toMatch(/bcm2710-rpi-3-b-plus\.dtb/);
  });

  it('scans every subdirectory of a watched directory as a removable source', async () => {
    const watched = path.join(tmp, 'watched');
    cpSync(path.join(REPO, 'test/fixtures/disks/usb-stick'), path.join(watched, 'stick'), { recursive: true });
    const backend = createBackend({ roots: [], watchDirs: [watched], devices: [], machine, imageConfig: EMPTY_CONFIG, cliConfig: {} });
    const { scan } = await backend.scan(() => {});
    expect(scan.sources.map((s) => [s.id, s.removable])).toEqual([['stick', true]]);
    expect(scan.entries.map((e) => e.label)).toContain('Rescue live system (amd64)');
  });

  it('uses block devices only without ROOT, --device or --watch-dir', () => {
    expect(deviceMode({ roots: [], watchDirs: [], devices: [] })).toBe(true);
    expect(deviceMode({ roots: ['/x'], watchDirs: [], devices: [] })).toBe(false);
    expect(deviceMode({ roots: [], watchDirs: ['/w'], devices: [] })).toBe(false);
    expect(deviceMode({ roots: [], watchDirs: [], devices: ['/dev/sdb'] })).toBe(true);
  });
});
