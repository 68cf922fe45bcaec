import { describe, expect, it } from 'vitest';
import { appendArgs, argName, argValue, isTakenFrom, joinCmdline, splitCmdline, withoutRunningOnlyArgs } from '../../src/boot/cmdline.js';

describe('splitCmdline', () => {
  it('splits on runs of blanks, tabs and newlines', () => {
    expect(splitCmdline('  root=/dev/sda1\tro  quiet\n')).toEqual({ kernel: ['root=/dev/sda1', 'ro', 'quiet'], init: [] });
  });

  it('keeps a double-quoted value with blanks as one word, quotes included', () => {
    expect(splitCmdline('dyndbg="file drivers/usb/* +p" quiet').kernel).toEqual(['dyndbg="file drivers/usb/* +p"', 'quiet']);
    expect(splitCmdline('"with space"=x a').kernel).toEqual(['"with space"=x', 'a']);
  });

  it('hands everything after a bare -- to init, even words that look like kernel arguments', () => {
    expect(splitCmdline('ro -- single nr_cpus=1 -- x')).toEqual({ kernel: ['ro'], init: ['single', 'nr_cpus=1', '--', 'x'] });
    expect(splitCmdline('a=--b')).toEqual({ kernel: ['a=--b'], init: [] });
  });

  it('gives nothing for an empty or blank line', () => {
    expect(splitCmdline('')).toEqual({ kernel: [], init: [] });
    expect(splitCmdline('   ')).toEqual({ kernel: [], init: [] });
  });

  it('joins back to the same words', () => {
    for (const line of ['root=UUID=x ro -- single', 'a="b c" d', 'quiet']) expect(joinCmdline(splitCmdline(line))).toBe(line);
    expect(joinCmdline({ kernel: ['ro'], init: [] })).toBe('ro');
  });
});

describe('argument names', () => {
  it('treats - and _ alike and ignores quotes, as the kernel does', () => {
    expect(argName('nr-cpus=1')).toBe('nr_cpus');
    expect(argName('"nr_cpus=1"')).toBe('nr_cpus');
    expect(argName('quiet')).toBe('quiet');
    expect(argValue('root=PARTUUID=abc-02')).toBe('PARTUUID=abc-02');
    expect(argValue('quiet')).toBeNull();
  });
});

describe('appendArgs', () => {
  it('keeps kernel words before -- and init words after it', () => {
    expect(joinCmdline(appendArgs(splitCmdline('ro -- single'), splitCmdline('quiet')))).toBe('ro quiet -- single');
    expect(joinCmdline(appendArgs(splitCmdline('ro'), splitCmdline('-- emergency')))).toBe('ro -- emergency');
  });
});

describe('withoutRunningOnlyArgs', () => {
  const running = splitCmdline('BOOT_IMAGE=/vmlinuz initrd=\\initrd.img console=ttyS0 rdinit=/init kexmenu.timeout=5 kexmenu.console="ttyS0 tty1" nr_cpus=1 root=/dev/sda2 -- kexmenu.x');

  it('drops kexmenu.*, rdinit=, BOOT_IMAGE= and initrd=, and nr_cpus=1 only when asked', () => {
    expect(joinCmdline(withoutRunningOnlyArgs(running, { dropNrCpus: false }))).toBe('console=ttyS0 nr_cpus=1 root=/dev/sda2 -- kexmenu.x');
    expect(joinCmdline(withoutRunningOnlyArgs(running, { dropNrCpus: true }))).toBe('console=ttyS0 root=/dev/sda2 -- kexmenu.x');
  });

  it('keeps nr_cpus with another value: only nr_cpus=1 was the menu kernel\'s', () => {
    expect(withoutRunningOnlyArgs(splitCmdline('nr_cpus=2 nr-cpus=1'), { dropNrCpus: true }).kernel).toEqual(['nr_cpus=2']);
  });
});

describe('isTakenFrom', () => {
  const running = splitCmdline('coherent_pool=1M console=ttyS0 root=PARTUUID=1-02 rootwait nr_cpus=1');
  it('is true when every word comes from the running line', () => {
    expect(isTakenFrom(splitCmdline('console=ttyS0 root=PARTUUID=1-02 rootwait nr_cpus=1'), running)).toBe(true);
  });
  it('is false when a word is new, or the line is empty', () => {
    expect(isTakenFrom(splitCmdline('console=ttyS0 quiet'), running)).toBe(false);
    expect(isTakenFrom(splitCmdline(''), running)).toBe(false);
  });
});
