import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/parsers/bls-version.js';

const sign = (a: string, b: string) => Math.sign(compareVersions(a, b));

describe('compareVersions (Boot Loader Specification "Version Order")', () => {
  it.each([
    // The spec's own examples.
    ['11', '11', 0],
    ['systemd-123', 'systemd-123', 0],
    ['bar-123', 'foo-123', -1],
    ['123a', '123', 1],
    ['123.a', '123', 1],
    ['123.a', '123.b', -1],
    ['123a', '123.a', 1],
    ['11α', '11β', 0],
    ['A', 'a', -1],
    ['', '0', -1],
    ['0.', '0', 1],
    ['0.0', '0', 1],
    // Kernel versions as they appear in entry names.
    ['6.5.12-300.fc39.x86_64', '6.5.6-300.fc39.x86_64', 1],
    ['6.1.0-27-amd64', '6.1.0-26-amd64', 1],
    ['6.10.0', '6.9.12', 1],
    ['010', '10', 0],
    ['99999999999999999999', '99999999999999999998', 1],
    // '~' marks a pre-release, below the release itself; '^' a patch on top.
    ['6.5~rc1', '6.5', -1],
    ['6.5~rc1', '6.5~rc2', -1],
    ['1.0^', '1.0', 1],
    ['1.0^', '1.0.1', 1],
    // '-' starts the release: a longer version part wins over an earlier release.
    ['1.1-1', '1-9', 1],
  ] as const)('%s vs %s -> %d', (a, b, expected) => {
    expect(sign(a, b)).toBe(expected);
    expect(sign(b, a)).toBe(-expected || 0);
  });
});
