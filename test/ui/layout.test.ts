import { describe, expect, it } from 'vitest';
import { formatSize } from '../../src/format-size.js';
import { buildRows, describeSource, fit, orderedEntries, listLabel, truncate, visibleRows, wrapLines } from '../../src/ui/layout.js';
import { source, twoDisks } from '../helpers/sample-scan.js';

describe('layout', () => {
  it('cuts long text with an ASCII ellipsis and never wraps', () => {
    expect(truncate('Debian GNU/Linux', 10)).toBe('Debian ...');
    expect(truncate('short', 10)).toBe('short');
    expect(fit('ab', 4)).toBe('ab  ');
    // Control characters from a disk are shown, never sent to the terminal.
    expect(truncate('tab\there', 20)).toBe('tab\\there');
    expect(truncate('x\x1b]0;title\x07', 20)).toBe('x\\x1b]0;title\\x07');
  });

  it('formats sizes and describes disks with USB for removable ones', () => {
    expect(formatSize(31_999_000_000)).toBe('32 GB');
    expect(formatSize(1_500_000)).toBe('1.5 MB');
    expect(describeSource(source('sdb1', { label: 'LIVE', removable: true, fstype: 'vfat', size: 8e9 }))).toBe('LIVE (/dev/sdb1)  vfat  8.0 GB  USB');
  });

  it('groups entries by disk with other kernels last, numbered in that order', () => {
    const rows = buildRows(twoDisks());
    expect(rows.map((r) => (r.kind === 'source' ? `# ${r.text.split(' ')[0]}` : `${r.number} ${r.entry.id}`))).toEqual([
      '# debian', '1 sda1:grub:0', '2 sda1:grub:1', '# LIVE', '3 sdb1:extlinux:0', '# other', '4 sda1:raw:0',
    ]);
    expect(orderedEntries(twoDisks()).map((e) => e.id)).toEqual(['sda1:grub:0', 'sda1:grub:1', 'sdb1:extlinux:0', 'sda1:raw:0']);
  });

  it('scrolls so the selected entry is visible', () => {
    const rows = buildRows(twoDisks());
    const shown = visibleRows(rows, 'sda1:raw:0', 3);
    expect(shown).toHaveLength(3);
    expect(shown.some((r) => r.kind === 'entry' && r.entry.id === 'sda1:raw:0')).toBe(true);
  });
});

describe('wrapLines', () => {
  it('wraps at spaces and cuts what does not fit in the last line', () => {
    expect(wrapLines('one two three', 8, 3)).toEqual(['one two', 'three']);
    expect(wrapLines('aaa bbb ccc ddd eee', 7, 2)).toEqual(['aaa bbb', 'ccc ...']);
  });
});

describe('listLabel', () => {
  it('keeps the last part of a GRUB submenu path', () => {
    expect(listLabel('Advanced options for Debian > Debian, with Linux 6.1.0-26-amd64')).toBe('Debian, with Linux 6.1.0-26-amd64');
    expect(listLabel('Debian GNU/Linux')).toBe('Debian GNU/Linux');
  });
});
