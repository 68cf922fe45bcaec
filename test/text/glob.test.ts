import { describe, expect, it } from 'vitest';
import { globMatch, MAX_PATTERN_CHARS } from '../../src/text/glob.js';

describe('globMatch', () => {
  it('matches * and ? over the whole text', () => {
    expect(globMatch('Debian*', 'Debian GNU/Linux')).toBe(true);
    expect(globMatch('Debian', 'Debian GNU/Linux')).toBe(false);
    expect(globMatch('*recovery*', 'Debian (recovery mode)')).toBe(true);
    expect(globMatch('Linux 6.1.?-*', 'Linux 6.1.0-27')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('[ab]', '[ab]')).toBe(true); // brackets are plain characters unless asked for
  });

  it('reads fnmatch brackets when asked: sets, ranges, negation, a leading ]', () => {
    const fn = (p: string, t: string) => globMatch(p, t, { brackets: true });
    expect(fn('fedora-[0-9]*', 'fedora-6.1')).toBe(true);
    expect(fn('fedora-[!0-9]*', 'fedora-6.1')).toBe(false);
    expect(fn('[^a]x', 'bx')).toBe(true);
    expect(fn('[]]', ']')).toBe(true);
    expect(fn('[z-a]*', 'zebra')).toBe(false); // a reversed range holds nothing
    expect(fn('[abc', '[abc')).toBe(true); // never closed: literal
    expect(fn('a\\*', 'a*')).toBe(true);
  });

  it('answers the patterns that made a regular expression backtrack without end', () => {
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(40))).toBe(false);
    expect(globMatch(`0${'*'.repeat(200)}`, 'a'.repeat(40))).toBe(false);
    expect(globMatch(`0${'*'.repeat(200)}`, '0abc')).toBe(true);
    expect(globMatch('x'.repeat(MAX_PATTERN_CHARS + 1), 'x'.repeat(MAX_PATTERN_CHARS + 1))).toBe(false);
  });
});
