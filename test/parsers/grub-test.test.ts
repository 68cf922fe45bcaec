import { describe, expect, it } from 'vitest';
import { evaluateTest, type FileTest } from '../../src/parsers/grub-test.js';

const known = (...texts: string[]) => texts.map((text) => ({ text, unknown: false }));
const noFiles: FileTest = () => false;

describe('evaluateTest', () => {
  it.each([
    [['x', '=', 'x'], true],
    [['x', '!=', 'x'], false],
    [[''], false],
    [['a'], true],
    [['-z', ''], true],
    [['-n', ''], false],
    [['3', '-gt', '10'], false],
    [['!', 'a', '=', 'b'], true],
    [['a', '=', 'b', '-o', 'c', '=', 'c'], true],
    [['a', '=', 'a', '-a', 'c', '=', 'd'], false],
    [['(', 'a', '=', 'b', ')', '-o', 'x'], true],
  ] as [string[], boolean][])('[ %j ] is %s', (args, expected) => {
    expect(evaluateTest(known(...args), noFiles)).toBe(expected);
  });

  it('is unknown when a compared value depends on the machine, unless -a/-o already decide', () => {
    const platform = { text: 'x', unknown: true };
    expect(evaluateTest([platform, ...known('=', 'xefi')], noFiles)).toBeNull();
    expect(evaluateTest([platform, ...known('=', 'xefi', '-a', 'a', '=', 'b')], noFiles)).toBe(false);
    expect(evaluateTest([platform, ...known('=', 'xefi', '-o', 'a', '=', 'a')], noFiles)).toBe(true);
  });

  it('asks the file test for -f/-e/-d/-s', () => {
    const asked: string[] = [];
    const files: FileTest = (op, path) => (asked.push(`${op} ${path}`), path === '/there');
    expect(evaluateTest(known('-f', '/there'), files)).toBe(true);
    expect(evaluateTest(known('-s', '/missing'), files)).toBe(false);
    expect(asked).toEqual(['-f /there', '-s /missing']);
  });
});
