// The boot command as a person runs it, stopping short of anything that would load a kernel:
// --dry-run prints the steps, and without a terminal or --yes it must refuse before kexec.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kexmenu } from '../helpers/cli.js';
import { fixturePath } from '../helpers/golden.js';

const TREE = fixturePath('extlinux', 'debian-u-boot-menu', 'tree');
const board = (name: string) => fixturePath('machines', name);

describe('kexmenu boot', () => {
  it('--dry-run prints every step and writes nothing', async () => {
    const fixedDtb = '/tmp/kexmenu-tree_extlinux_0.dtb';
    rmSync(fixedDtb, { force: true });
    const run = await kexmenu('boot', 'tree:extlinux:0', TREE, '--sysroot', board('rpi3b-plus-nr_cpus1'), '--board', 'raspberrypi,3-model-b', '--dry-run');
    expect(run.exitCode).toBe(0);
    const kernel = path.join(TREE, 'boot/vmlinuz-6.1.0-27-arm64');
    expect(run.stdout).toContain(`would write ${fixedDtb}: `);
    expect(run.stdout).toContain(
      `would run: kexec -l -y ${kernel} --initrd=${path.join(TREE, 'boot/initrd.img-6.1.0-27-arm64')} --dtb=${fixedDtb} '--append=root=UUID=5b1f3c2a-8e4d-4f6b-9a7c-2d1e0f3b4a59 ro quiet'\n`,
    );
    expect(run.stdout).toMatch(/would unmount every scanned filesystem\nwould run: sync\nwould run: kexec -e -y$/);
    expect(existsSync(fixedDtb)).toBe(false);
  });

  it("--dry-run and the refusal show a disk's control characters instead of sending them", async () => {
    const root = fixturePath('hostile', 'terminal-escapes');
    const run = await kexmenu('boot', 'terminal-escapes:grub:0', root, '--arch', 'x86_64', '--dry-run');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(run.stdout).toContain('Entry:        Debian \\x1b]0;pwned by a disk\\x07\\x1b[2J');
    expect(run.stdout).toMatch(/would run: kexec -l .*\\x1b\]0;cmdline\\x07/);
    const refused = await kexmenu('boot', 'terminal-escapes:grub:0', root, '--arch', 'x86_64');
    expect(refused.stderr).toContain('to boot "Debian \\x1b]0;pwned by a disk\\x07\\x1b[2J"');
    expect(refused.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('will not boot from a script without --yes', async () => {
    const run = await kexmenu('boot', 'tree:extlinux:0', TREE, '--arch', 'aarch64', '--board', 'raspberrypi,3-model-b');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('kexmenu boot: not asking on a non-terminal: pass --yes to boot "Debian GNU/Linux 12 (bookworm) 6.1.0-27-arm64"');
  });

  it('stops at a refused plan', async () => {
    const run = await kexmenu('boot', 'tree:extlinux:0', TREE, '--sysroot', board('rpi3b-plus'), '--dry-run', '--yes');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('Refused:');
    expect(run.stdout).not.toContain('would run');
  });

  it('boots a recorded machine only as a dry run', async () => {
    const run = await kexmenu('boot', 'tree:extlinux:0', TREE, '--sysroot', board('rpi4b'), '--yes');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('kexmenu boot: --sysroot describes a recorded machine, not this one: use it only with --dry-run');
  });
});
