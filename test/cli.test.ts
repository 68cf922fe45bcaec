import { describe, expect, it } from 'vitest';
import { kexmenu } from './helpers/cli.js';

describe('kexmenu <command> --help', () => {
  it.each(['scan', 'plan', 'boot', 'version'])('%s --help prints that command\'s usage and exits 0', async (name) => {
    const r = await kexmenu(name, '--help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: kexmenu ${name}\\b`));
    expect(r.stderr).toBe('');
  });

  it('menu --help prints the menu usage', async () => {
    const r = await kexmenu('menu', '-h');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^usage: kexmenu \[menu\]/);
  });
});
