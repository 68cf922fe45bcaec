// The plan command as a person runs it: the real CLI over a fixture tree and a recorded board.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryRanges, parseFdt, rootCompatible } from '../../src/platform/fdt.js';
import { kexmenu } from '../helpers/cli.js';
import { fixturePath } from '../helpers/golden.js';

const TREE = fixturePath('extlinux', 'debian-u-boot-menu', 'tree');
const board = (name: string) => fixturePath('machines', name);

describe('kexmenu plan', () => {
  it("prints a disk's control characters visibly", async () => {
    const run = await kexmenu('plan', 'terminal-escapes:grub:0', fixturePath('hostile', 'terminal-escapes'), '--arch', 'x86_64');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(run.stdout).toContain('Command line: root=/dev/sda1 ro \\x1b]0;cmdline\\x07 quiet');
    // --json stays exact.
    const json = await kexmenu('plan', 'terminal-escapes:grub:0', fixturePath('hostile', 'terminal-escapes'), '--arch', 'x86_64', '--json');
    expect(JSON.parse(json.stdout).cmdline).toBe('root=/dev/sda1 ro \x1b]0;cmdline\x07 quiet');
  });

  it('prints the JSON plan for a Pi 3 running with nr_cpus=1, with the FDTDIR DTB given the firmware memory', async () => {
    const run = await kexmenu('plan', 'tree:extlinux:0', TREE, '--sysroot', board('rpi3b-plus-nr_cpus1'), '--board', 'raspberrypi,3-model-b brcm,bcm2837', '--append', 'console=ttyS0,115200', '--json');
    expect(run.exitCode).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(Object.keys(plan)).toEqual(['ok', 'refusal', 'load', 'exec', 'cmdline', 'dtb', 'deviceTree', 'extract', 'warnings']);
    const dtb = path.join(TREE, 'usr/lib/linux-image-6.1.0-27-arm64/broadcom/bcm2837-rpi-3-b.dtb');
    expect(plan).toEqual({
      ok: true,
      refusal: null,
      load: [
        'kexec', '-l', '-y', path.join(TREE, 'boot/vmlinuz-6.1.0-27-arm64'),
        `--initrd=${path.join(TREE, 'boot/initrd.img-6.1.0-27-arm64')}`,
        '--dtb=/tmp/kexmenu-tree_extlinux_0.dtb',
        '--append=root=UUID=5b1f3c2a-8e4d-4f6b-9a7c-2d1e0f3b4a59 ro quiet console=ttyS0,115200',
      ],
      exec: ['kexec', '-e', '-y'],
      cmdline: 'root=UUID=5b1f3c2a-8e4d-4f6b-9a7c-2d1e0f3b4a59 ro quiet console=ttyS0,115200',
      dtb: { path: dtb, reason: expect.stringMatching(/bcm2837-rpi-3-b\.dtb is compatible with raspberrypi,3-model-b; its memory node is taken from the firmware's tree$/) },
      deviceTree: { steps: [], carried: ['memory (1 range)'] },
      extract: null,
      warnings: [],
    });
  });

  it('--dtb-out writes the exact tree the boot would pass: the FDTDIR tree with the firmware memory', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'kexmenu-dtb-out-')), 'boot.dtb');
    const run = await kexmenu('plan', 'tree:extlinux:0', TREE, '--sysroot', board('rpi3b-plus-nr_cpus1'), '--board', 'raspberrypi,3-model-b brcm,bcm2837', '--dtb-out', out);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Firmware:     memory (1 range)');
    const tree = parseFdt(readFileSync(out))!;
    expect(rootCompatible(tree)[0]).toBe('raspberrypi,3-model-b');
    expect(memoryRanges(tree)).toEqual(memoryRanges(parseFdt(readFileSync(path.join(board('rpi3b-plus-nr_cpus1'), 'sys/firmware/fdt')))!));
    rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it("takes the recorded board's compatible by default and falls back to the firmware tree", async () => {
    const run = await kexmenu('plan', 'tree:extlinux:0', TREE, '--sysroot', board('rpi4b'));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`Device tree:  ${path.join(board('rpi4b'), 'sys/firmware/fdt')} (the firmware's tree, which carries its memory, MAC and overlay fix-ups`);
    expect(run.stdout).toContain(`Load:         kexec -l -y ${path.join(TREE, 'boot/vmlinuz-6.1.0-27-arm64')} `);
    expect(run.stdout.endsWith('Boot:         kexec -e -y')).toBe(true);
  });

  it('refuses on a Pi 3 with four possible CPUs, exit status 1', async () => {
    const run = await kexmenu('plan', 'tree:extlinux:0', TREE, '--sysroot', board('rpi3b-plus'));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("Refused:      this board parks its secondary CPUs with spin-table");
    expect(run.stdout).not.toContain('Load:');
  });

  it('refuses an arm64 kernel on a PC', async () => {
    const run = await kexmenu('plan', 'tree:extlinux:2', TREE, '--sysroot', board('x86_64-pc'), '--json');
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, load: [], exec: [], dtb: null, refusal: expect.stringContaining('built for aarch64 and this machine runs x86_64') });
  });

  it('lists the known ids for an unknown one', async () => {
    const run = await kexmenu('plan', 'tree:grub:9', TREE, '--sysroot', board('rpi4b'));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('kexmenu plan: no entry "tree:grub:9"; known: tree:extlinux:0, tree:extlinux:1, tree:extlinux:2, tree:extlinux:3');
  });

  it('is a usage error without an ID, with an unknown option or an unknown --arch', async () => {
    for (const args of [['plan'], ['plan', 'x', '--frobnicate'], ['plan', 'x', '--arch', 'sparc']]) {
      const run = await kexmenu(...args);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/^kexmenu plan: /);
    }
  });
});
