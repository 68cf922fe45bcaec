import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { menuConsoles, readMenuConsoles } from '../../src/platform/consoles.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A sysroot as the kernel shows it: the console list, the VT console drivers, and /dev nodes. */
function sysroot(active: string, vtconsoles: Array<[name: string, bound: boolean]>, devices: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-consoles-'));
  roots.push(root);
  mkdirSync(path.join(root, 'sys/class/tty/console'), { recursive: true });
  writeFileSync(path.join(root, 'sys/class/tty/console/active'), `${active}\n`);
  vtconsoles.forEach(([name, bound], i) => {
    const dir = path.join(root, `sys/class/vtconsole/vtcon${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'name'), `${name}\n`);
    writeFileSync(path.join(dir, 'bind'), bound ? '1\n' : '0\n');
  });
  mkdirSync(path.join(root, 'dev'));
  // Each stands in for a tty: /dev/null is a character device too.
  for (const d of devices) symlinkSync('/dev/null', path.join(root, 'dev', d));
  return root;
}

describe('the consoles the menu owner draws on', () => {
  it('are the kernel consoles, tty0 read as tty1, each once', () => {
    expect(menuConsoles('tty0 ttyS0', false)).toEqual(['tty1', 'ttyS0']);
    expect(menuConsoles('ttyS0 tty0', true)).toEqual(['ttyS0', 'tty1']);
  });

  it('add tty1 when a screen is bound to the VTs (a PC with VGA and a serial console)', () => {
    const root = sysroot('ttyS0', [['(S) dummy device', false], ['(S) VGA+', true]], ['ttyS0', 'tty1']);
    expect(readMenuConsoles('console=ttyS0', root)).toEqual([path.join(root, 'dev/ttyS0'), path.join(root, 'dev/tty1')]);
  });

  it('leave tty1 out when only the dummy console is bound (a board with just a serial line)', () => {
    const root = sysroot('ttyAMA0', [['(S) dummy device', true]], ['ttyAMA0', 'tty1']);
    expect(readMenuConsoles('console=ttyAMA0', root)).toEqual([path.join(root, 'dev/ttyAMA0')]);
  });

  it('leave tty1 out with kexmenu.tty1=off, unless it is a kernel console itself', () => {
    const screen: Array<[string, boolean]> = [['(M) frame buffer device', true]];
    const serialOnly = sysroot('ttyS1', screen, ['ttyS1', 'tty1']);
    expect(readMenuConsoles('console=ttyS1 kexmenu.tty1=off', serialOnly)).toEqual([path.join(serialOnly, 'dev/ttyS1')]);
    const both = sysroot('tty0 ttyS1', screen, ['ttyS1', 'tty1']);
    expect(readMenuConsoles('console=tty0 console=ttyS1 kexmenu.tty1=off', both)).toEqual([path.join(both, 'dev/tty1'), path.join(both, 'dev/ttyS1')]);
  });

  it('skip a console whose device node is missing (a USB serial adapter pulled before start)', () => {
    const root = sysroot('ttyUSB0 ttyS0', [], ['ttyS0']);
    expect(readMenuConsoles('', root)).toEqual([path.join(root, 'dev/ttyS0')]);
  });
});
