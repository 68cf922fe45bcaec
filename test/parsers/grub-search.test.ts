import { describe, expect, it } from 'vitest';
import { parseSearch } from '../../src/parsers/grub-search.js';

describe('parseSearch', () => {
  it("reads grub-mkconfig's search line, hints and all", () => {
    const args = ['--no-floppy', '--fs-uuid', '--set=root', '--hint-bios=hd0,gpt1', '--hint-efi=hd0,gpt1', '--hint-baremetal=ahci0,gpt1', 'UUID-1'];
    expect(parseSearch('search', args)).toEqual({ by: 'uuid', how: 'fs-uuid', value: 'UUID-1', variable: 'root' });
  });

  it('reads short options, a separate --hint value, and defaults to a file search', () => {
    expect(parseSearch('search', ['-l', '-s', '--hint', 'hd0,gpt3', 'ROOT'])).toEqual({ by: 'label', how: 'label', value: 'ROOT', variable: 'root' });
    expect(parseSearch('search', ['--set=dev', '/boot/KEX'])).toEqual({ by: 'file', how: 'file', value: '/boot/KEX', variable: 'dev' });
    expect(parseSearch('search', ['-u', 'UUID-2'])).toMatchObject({ variable: null });
  });

  it('reads the search.fs_uuid shorthand with its variable and hint', () => {
    expect(parseSearch('search.fs_uuid', ['UUID-3', 'root', 'hd0,gpt2'])).toEqual({ by: 'uuid', how: 'fs_uuid', value: 'UUID-3', variable: 'root' });
    expect(parseSearch('search.fs_label', ['ESP'])).toMatchObject({ by: 'label', variable: 'root' });
  });

  it('names kinds kexmenu cannot map, and refuses a search without a value', () => {
    expect(parseSearch('search', ['--part-label', '--set', 'boot'])).toMatchObject({ by: null, how: 'part-label', value: 'boot' });
    expect(parseSearch('search', ['--fs-uuid', '--set=root'])).toEqual({ error: 'search without a value' });
  });
});
