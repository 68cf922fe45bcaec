// `kexmenu scan` through the real CLI over the sample disks (directories as partitions).
import path from 'node:path';
import { kexmenu } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model.js';
import { fixturePath } from '../helpers/golden.js';

const disks = ['debian-root', 'rpi-boot', 'usb-stick'].map((d) => fixturePath('disks', d));

describe('kexmenu scan', () => {
  it('prints the JSON contract: sources, ordered entries with one default, problems', async () => {
    const { stdout, exitCode } = await kexmenu('scan', '--json', '--board', 'raspberrypi,3-model-b brcm,bcm2837', ...disks);
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as ScanResult;
    expect(result.sources.map((s) => [s.id, s.root, s.device])).toEqual(disks.map((d) => [path.basename(d), d, null]));
    expect(result.entries.filter((e) => e.default)).toHaveLength(1);
    expect(result.entries[0]!.default).toBe(true);
    const order = result.entries.map((e) => result.sources.findIndex((s) => s.id === e.source));
    expect(order.slice(1)).toEqual([...order.slice(1)].sort((a, b) => a - b));
    for (const entry of result.entries) {
      expect(entry.id.startsWith(`${entry.source}:${entry.origin.format}:`)).toBe(true);
      expect(path.isAbsolute(entry.kernel)).toBe(true);
    }
    const pi = result.entries.find((e) => e.origin.format === 'rpi');
    expect(pi?.arch).toBe('aarch64');
  });

  it('prints a readable table with the default marked and problems listed', async () => {
    const { stdout, exitCode } = await kexmenu('scan', ...disks);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^debian-root {2}/m);
    expect(stdout).toMatch(/^ {2}\* debian-root:grub:0 {2}Debian GNU\/Linux/m);
    expect(stdout).toMatch(/^problems \(\d+\):$/m);
  });

  it('refuses an unknown --arch with a usage error', async () => {
    const { stderr, exitCode } = await kexmenu('scan', '--arch', 'vax', ...disks);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('unknown --arch vax');
  });
});
