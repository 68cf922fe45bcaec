import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, hashPassword, mergeConfig, parseConfig, readConfigFile, kernelArgConfig, verifyPassword } from '../src/config.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

describe('parseConfig', () => {
  it('reads key = value lines, comments and quotes', () => {
    const { config, problems } = parseConfig(`# boot menu\ntimeout = 3\ndefault = "Debian*"\nconsole=ttyS0,115200\n\npassword = ${sha('x')}\n`);
    expect(problems).toEqual([]);
    expect(config).toEqual({ timeout: 3, default: 'Debian*', console: 'ttyS0,115200', password: sha('x') });
  });

  it('accepts a negative timeout (wait forever) and zero', () => {
    expect(parseConfig('timeout = -1').config.timeout).toBe(-1);
    expect(parseConfig('timeout = 0').config.timeout).toBe(0);
  });

  it('reports bad lines with their line numbers and keeps going', () => {
    const { config, problems } = parseConfig('timeout = soon\nfoo = 1\njust words\ndefault = x', 'f.conf');
    expect(config.default).toBe('x');
    expect(config.timeout).toBeNull();
    expect(problems.map((p) => [p.file, p.line])).toEqual([['f.conf', 1], ['f.conf', 2], ['f.conf', 3]]);
  });

  it('refuses a plain-text password and fails closed', () => {
    const { config, problems } = parseConfig('password = hunter2');
    expect(problems[0]!.message).toMatch(/never plain text/);
    expect(config.password).not.toBeNull();
    expect(verifyPassword(config.password!, 'hunter2')).toBe(false);
  });
});

describe('verifyPassword', () => {
  it('checks sha256 hashes', () => {
    expect(verifyPassword(sha('secret'), 'secret')).toBe(true);
    expect(verifyPassword(sha('secret'), 'Secret')).toBe(false);
  });

  it('checks scrypt hashes made by hashPassword', () => {
    const hash = hashPassword('open sesame', 'salt123');
    expect(hash).toMatch(/^scrypt:salt123:[0-9a-f]{64}$/);
    expect(verifyPassword(hash, 'open sesame')).toBe(true);
    expect(verifyPassword(hash, 'open sesame ')).toBe(false);
  });
});

describe('mergeConfig', () => {
  const image = { ...EMPTY_CONFIG, timeout: 10, default: 'Debian*', password: sha('root') };
  it('lets a disk choose timeout and default but never the password', () => {
    const disk = { ...EMPTY_CONFIG, timeout: 2, default: 'Live*', password: null };
    expect(mergeConfig(image, disk)).toEqual({ timeout: 2, default: 'Live*', console: null, password: sha('root') });
    const sneaky = { ...EMPTY_CONFIG, password: sha('mine') };
    expect(mergeConfig({ ...EMPTY_CONFIG }, sneaky).password).toBeNull();
  });

  it('lets the command line win over both', () => {
    expect(mergeConfig(image, { ...EMPTY_CONFIG, timeout: 2 }, { timeout: 0 }).timeout).toBe(0);
  });
});

describe('readConfigFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kexmenu-conf-'));
  it('treats a missing file as an empty config', () => {
    expect(readConfigFile(path.join(dir, 'nope.conf'))).toEqual({ config: EMPTY_CONFIG, problems: [] });
  });

  it('reads a file and refuses an oversized one', () => {
    const small = path.join(dir, 'small.conf');
    writeFileSync(small, 'timeout = 4\n');
    expect(readConfigFile(small).config.timeout).toBe(4);
    const big = path.join(dir, 'big.conf');
    writeFileSync(big, `# ${'x'.repeat(70_000)}\ntimeout = 4\n`);
    const read = readConfigFile(big);
    expect(read.config.timeout).toBeNull();
    expect(read.problems[0]!.message).toMatch(/larger than/);
  });
});

describe('kernelArgConfig', () => {
  it('reads kexmenu.timeout and kexmenu.default from the kernel command line', () => {
    expect(kernelArgConfig('console=ttyS0 kexmenu.timeout=-1 quiet kexmenu.default=vda1:grub:2')).toEqual({ timeout: -1, default: 'vda1:grub:2' });
    expect(kernelArgConfig('console=ttyS0 kexmenu.timeout=soon nr_cpus=1')).toEqual({});
  });
});
