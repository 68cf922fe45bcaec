import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG } from '../../src/config.js';
import { autobootAfterScan, chooseDefault, initialAutoboot, tick } from '../../src/menu/countdown.js';
import { twoDisks, withUsbDefault } from '../helpers/sample-scan.js';

const config = EMPTY_CONFIG;

describe('autoboot rules', () => {
  it('counts down to the disk default once a scan brings one', () => {
    const a = autobootAfterScan(initialAutoboot(10), twoDisks(), config, 10);
    expect(a).toEqual({ state: 'counting', target: 'sda1:grub:0', priority: 1, remaining: 10 });
    expect(tick(tick(a))).toMatchObject({ remaining: 8 });
  });

  it('waits forever with a negative timeout', () => {
    expect(autobootAfterScan(initialAutoboot(-1), twoDisks(), config, -1)).toEqual({ state: 'off' });
  });

  it('prefers the entry the config names, by glob or id', () => {
    expect(chooseDefault(twoDisks(), { ...config, default: 'Live*' })).toEqual({ id: 'sdb1:extlinux:0', priority: 3 });
    expect(chooseDefault(twoDisks(), { ...config, default: 'sda1:grub:1' })).toEqual({ id: 'sda1:grub:1', priority: 3 });
  });

  it('restarts the count for a higher-priority default that appears (a USB stick)', () => {
    const counting = tick(tick(autobootAfterScan(initialAutoboot(5), twoDisks(), config, 5)));
    const after = autobootAfterScan(counting, withUsbDefault(twoDisks()), config, 5);
    expect(after).toEqual({ state: 'counting', target: 'sdc1:extlinux:0', priority: 2, remaining: 5 });
  });

  it('keeps counting when the new default is not better', () => {
    const counting = tick(autobootAfterScan(initialAutoboot(5), withUsbDefault(twoDisks()), config, 5));
    const plusFixed = withUsbDefault(twoDisks());
    expect(autobootAfterScan(counting, plusFixed, config, 5)).toBe(counting);
  });

  it('moves to the best default left when the target disappears, and never restarts after a key', () => {
    const counting = autobootAfterScan(initialAutoboot(5), withUsbDefault(twoDisks()), config, 5);
    expect(counting).toMatchObject({ target: 'sdc1:extlinux:0' });
    expect(autobootAfterScan(tick(counting), twoDisks(), config, 5)).toMatchObject({ target: 'sda1:grub:0', remaining: 5 });
    expect(autobootAfterScan({ state: 'stopped' }, withUsbDefault(twoDisks()), config, 5)).toEqual({ state: 'stopped' });
  });
});
