import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, type MenuConfig } from '../../src/config.js';
import type { MenuState } from '../../src/ui/state.js';
import { apply, keys, run, start } from '../helpers/menu-model.js';
import { twoDisks, withUsbDefault } from '../helpers/sample-scan.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

function scanned(config: MenuConfig = EMPTY_CONFIG, timeout = 10): MenuState {
  return apply(start({ ...config, timeout }), { type: 'scanned', scan: twoDisks(), config: { ...config, timeout } });
}

describe('menu reducer', () => {
  it('selects the default after the first scan and counts down to it', () => {
    const s = scanned();
    expect(s.selected).toBe('sda1:grub:0');
    expect(s.autoboot).toMatchObject({ state: 'counting', remaining: 10 });
  });

  it('boots the default when the countdown reaches zero, once', () => {
    const { fired, state } = run(scanned(EMPTY_CONFIG, 2), { type: 'tick' }, { type: 'tick' }, { type: 'tick' });
    expect(fired).toEqual(['sda1:grub:0']);
    expect(state.autoboot).toEqual({ state: 'stopped' });
  });

  it('boots at once with timeout 0', () => {
    const { fired } = run(start({ ...EMPTY_CONFIG, timeout: 0 }), { type: 'scanned', scan: twoDisks(), config: { ...EMPTY_CONFIG, timeout: 0 } });
    expect(fired).toEqual(['sda1:grub:0']);
  });

  it('stops the countdown on any key', () => {
    const s = apply(scanned(), ...keys('\x1b[B'), { type: 'tick' });
    expect(s.autoboot).toEqual({ state: 'stopped' });
    expect(s.selected).toBe('sda1:grub:1');
    expect(s.effect).toBeNull();
  });

  it('acts on every key of a fast run in order (j j k Enter boots the second entry)', () => {
    const s = apply(scanned(), ...keys('jjk\r'));
    expect(s.effect).toEqual({ kind: 'boot', entryId: 'sda1:grub:1', edits: null });
  });

  it('jumps with number keys, Home and End, and stays in bounds', () => {
    expect(apply(scanned(), ...keys('3')).selected).toBe('sdb1:extlinux:0');
    expect(apply(scanned(), ...keys('9')).selected).toBe('sda1:grub:0');
    expect(apply(scanned(), ...keys('\x1b[F')).selected).toBe('sda1:raw:0');
    expect(apply(scanned(), ...keys('\x1b[F\x1b[H')).selected).toBe('sda1:grub:0');
    expect(apply(scanned(), ...keys('kkk')).selected).toBe('sda1:grub:0');
  });

  it('edits the command line and boots with only the changes as edits', () => {
    const s = apply(scanned(), ...keys('e'), ...keys(' console=ttyS0\r'));
    expect(s.effect).toEqual({ kind: 'boot', entryId: 'sda1:grub:0', edits: { cmdline: 'root=/dev/sda1 ro quiet console=ttyS0' } });
  });

  it('discards the edit on Esc', () => {
    const s = apply(scanned(), ...keys('e'), ...keys('xyz'), ...keys('\x1b'));
    expect(s.screen).toBe('menu');
    expect(s.editor).toBeNull();
    expect(apply(s, ...keys('\r')).effect).toEqual({ kind: 'boot', entryId: 'sda1:grub:0', edits: null });
  });

  it('asks for the password before editing or a shell in restricted mode, not before booting', () => {
    const locked = scanned({ ...EMPTY_CONFIG, password: sha('pw') });
    expect(apply(locked, ...keys('\r')).effect).toMatchObject({ kind: 'boot' });
    const asked = apply(locked, ...keys('e'));
    expect(asked.screen).toBe('password');
    const wrong = apply(asked, ...keys('nope\r'));
    expect(wrong.screen).toBe('password');
    expect(wrong.password?.wrong).toBe(1);
    const right = apply(wrong, ...keys('pw\r'));
    expect(right.screen).toBe('editor');
    // Unlocked for the rest of the session: the shell no longer asks.
    expect(apply(right, ...keys('\x1b'), ...keys('x')).effect).toEqual({ kind: 'shell' });
    expect(apply(locked, ...keys('x')).screen).toBe('password');
  });

  it('restarts the countdown when a USB stick with a default appears, and the selection follows', () => {
    const s = apply(scanned(EMPTY_CONFIG, 5), { type: 'tick' }, { type: 'scanned', scan: withUsbDefault(twoDisks()), config: { ...EMPTY_CONFIG, timeout: 5 } });
    expect(s.autoboot).toMatchObject({ state: 'counting', target: 'sdc1:extlinux:0', remaining: 5 });
    expect(s.selected).toBe('sdc1:extlinux:0');
  });

  it('keeps the selection across a rescan and leaves the editor when its entry vanishes', () => {
    const s = apply(scanned(), ...keys('jj'), { type: 'scanned', scan: twoDisks(), config: EMPTY_CONFIG });
    expect(s.selected).toBe('sdb1:extlinux:0');
    const editing = apply(s, ...keys('e'));
    const gone = twoDisks();
    gone.entries = gone.entries.filter((e) => e.source !== 'sdb1');
    const after = apply(editing, { type: 'scanned', scan: gone, config: EMPTY_CONFIG });
    expect(after.screen).toBe('menu');
    expect(after.message).toMatch(/gone/);
    expect(after.selected).toBe('sda1:grub:0');
  });

  it('opens the log, rescans from it with r and goes back', () => {
    const log = apply(scanned(), ...keys('l'));
    expect(log.screen).toBe('log');
    const again = apply(log, ...keys('r'));
    expect(again.effect).toEqual({ kind: 'rescan' });
    expect(apply(again, ...keys('\x1b')).screen).toBe('menu');
  });

  it('returns to the menu with the reason when a boot fails', () => {
    const s = apply(scanned(), { type: 'boot-failed', message: 'kexec: Device or resource busy' });
    expect(s.notice).toBe('kexec: Device or resource busy');
    expect(s.autoboot).toEqual({ state: 'stopped' });
    // Read once a key is pressed (on any console).
    expect(apply(s, ...keys('j')).notice).toBeNull();
  });
});

describe('scan failures', () => {
  it('stops showing "scanning" and says so', () => {
    const s = apply(start(EMPTY_CONFIG), { type: 'scan-failed', message: 'lsblk: not found' });
    expect(s.scanning).toBe(false);
    expect(s.notice).toMatch(/scan failed: lsblk: not found/);
  });
});

describe('log scrolling', () => {
  it('scrolls down and up within the log', () => {
    const log = apply(scanned(), ...keys('l'));
    // Two problems and two headings, no log lines yet: scrolling stops at 4.
    expect(apply(log, ...keys('\x1b[6~'), ...keys('\x1b[6~')).logScroll).toBe(4);
    expect(apply(log, ...keys('jjk')).logScroll).toBe(1);
    expect(apply(log, ...keys('k')).logScroll).toBe(0);
  });
});
