// parseGrub on small trees written into a temporary directory: bounds that need big or generated
// input, and language behaviour that is clearer shown one rule at a time than in a golden file.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { parseGrub } from '../../src/parsers/grub.js';
import type { ParseResult } from '../../src/parsers/types.js';
import { fixturePath } from '../helpers/golden.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempTree(files: Record<string, string>, from?: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-grub-'));
  dirs.push(root);
  if (from) cpSync(from, root, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

function parse(files: Record<string, string>, from?: string): ParseResult {
  return parseGrub({ files: fsSourceFiles(tempTree(files, from)), board: [], arch: 'x86_64' });
}

const cfg = (text: string) => parse({ 'boot/grub/grub.cfg': text });
const defaultLabel = (r: ParseResult) => r.entries.filter((e) => e.isDefault).map((e) => e.label);

/** A grubenv the way grub-editenv writes it: header, lines, '#' up to 1024 bytes. */
function grubenv(vars: Record<string, string>): string {
  const body = `# GRUB Environment Block\n${Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join('')}`;
  return body + '#'.repeat(1024 - body.length);
}

const MENU = `
menuentry 'First' --id first { linux /vmlinuz-1 }
submenu 'More' --id more {
  menuentry 'Second' --id second { linux /vmlinuz-2 }
  menuentry 'Third>with arrow' --id third { linux /vmlinuz-3 }
}
`;

describe('bounds', () => {
  it('refuses a 2 MiB grub.cfg with a problem instead of reading it', () => {
    const big = `${"menuentry 'x' { linux /vmlinuz }\n".repeat(70_000)}`;
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    const r = cfg(big);
    expect(r.entries).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(/over the 1048576-byte limit/);
  });

  it('stops following source after 8 nested files', () => {
    const files: Record<string, string> = { 'boot/grub/grub.cfg': 'source /boot/grub/s1.cfg\n' };
    for (let i = 1; i <= 12; i++) files[`boot/grub/s${i}.cfg`] = `menuentry 'Level ${i}' { linux /vmlinuz-${i} }\nsource /boot/grub/s${i + 1}.cfg\n`;
    const r = parse(files);
    expect(r.entries.map((e) => e.label)).toEqual(['Level 1', 'Level 2', 'Level 3', 'Level 4', 'Level 5', 'Level 6', 'Level 7']);
    expect(r.problems).toEqual([{ file: '/boot/grub/s7.cfg', line: 2, message: 'source /boot/grub/s8.cfg: more than 8 configs deep, not read' }]);
  });

  it("runs each entry on its own copy of the variables: what one entry sets stays in it", () => {
    const r = cfg(
      'set x=outer\nfor i in 1 2; do\n  menuentry "A$i" { set x=inner$i; linux /vmlinuz $x }\n  menuentry "B$i" { linux /vmlinuz $x }\ndone\nset x=after\nmenuentry C { linux /vmlinuz $x }\n',
    );
    expect(r.entries.map((e) => `${e.label} ${e.cmdline}`)).toEqual(['A1 inner1', 'B1 outer', 'A2 inner2', 'B2 outer', 'C after']);
  });

  it('a function that calls itself twice ends with one problem', () => {
    const r = cfg(`function f { f; f }\nf\nmenuentry 'After' { linux /vmlinuz }\n`);
    expect(r.entries.map((e) => e.label)).toEqual(['After']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(/nested more than 16 deep/);
  });

  it('nesting deeper than the parser allows is a problem, not a stack overflow', () => {
    const r = cfg(`${'if true; then\n'.repeat(5000)}${'fi\n'.repeat(5000)}`);
    expect(r.problems.map((p) => p.message)).toContain('nested more than 64 deep: the rest of the file is ignored');
  });
});

describe('default', () => {
  it.each([
    ['0', 'First'],
    ['1', 'More > Second'],
    ['1>1', 'More > Third>with arrow'],
    ['more>second', 'More > Second'],
    ['more>third', 'More > Third>with arrow'],
    ['More>Third>>with arrow', 'More > Third>with arrow'],
    ['First', 'First'],
  ])('set default="%s" -> %s', (spec, label) => {
    const r = cfg(`set default="${spec}"\n${MENU}`);
    expect(r.problems).toEqual([]);
    expect(defaultLabel(r)).toEqual([label]);
  });

  it('an id inside a submenu needs the submenu in its path, as in GRUB', () => {
    const r = cfg(`set default=second\n${MENU}`);
    expect(defaultLabel(r)).toEqual(['First']);
    expect(r.problems[0]!.message).toBe('default "second" names no menu entry: the first entry is the default');
  });

  it('an index past the end is a problem and falls back to the first entry', () => {
    const r = cfg(`set default=7\n${MENU}`);
    expect(defaultLabel(r)).toEqual(['First']);
    expect(r.problems[0]!.message).toBe('default "7" names no menu entry: the first entry is the default');
  });

  it("Debian's next_entry/else: next_entry from grubenv wins, without it default=0", () => {
    const header = `load_env\nif [ "\${next_entry}" ] ; then\n  set default="\${next_entry}"\nelse\n  set default="0"\nfi\n`;
    const withNext = parse({ 'boot/grub/grub.cfg': header + MENU, 'boot/grub/grubenv': grubenv({ next_entry: 'more>second' }) });
    expect(defaultLabel(withNext)).toEqual(['More > Second']);
    const without = parse({ 'boot/grub/grub.cfg': header + MENU, 'boot/grub/grubenv': grubenv({ saved_entry: 'more>second' }) });
    expect(defaultLabel(without)).toEqual(['First']);
    expect(without.problems).toEqual([]);
  });

  it('an empty default (GRUB_DEFAULT=saved, nothing saved yet) is the first entry without a problem', () => {
    const r = cfg(`set default="\${saved_entry}"\n${MENU}`);
    expect(defaultLabel(r)).toEqual(['First']);
    expect(r.problems).toEqual([]);
  });
});

describe('language', () => {
  it('expands variables in paths and command lines; quotes are dropped, unquoted values split into words', () => {
    const r = cfg(
      [
        'set kdir=/boot',
        'set opts="quiet   splash"',
        `set extra='a "b c"'`,
        'menuentry "Vars" {',
        '  linux ${kdir}/vmlinuz-$ver root=/dev/sda1 $opts "$extra" \\',
        '    console=ttyS0',
        '  initrd $kdir/initrd.img $kdir/ucode.img',
        '  devicetree ($root)/dtbs/board.dtb',
        '}',
      ].join('\n'),
    );
    expect(r.problems).toEqual([]);
    const e = r.entries[0]!;
    expect(e.kernel).toEqual({ path: '/boot/vmlinuz-' });
    expect(e.cmdline).toBe('root=/dev/sda1 quiet splash a "b c" console=ttyS0');
    expect(e.initrd.map((i) => i.path)).toEqual(['/boot/initrd.img', '/boot/ucode.img']);
    expect(e.dtb).toEqual({ path: '/dtbs/board.dtb' });
  });

  it('search --set=root puts later paths on that device; an explicit GRUB drive keeps them here', () => {
    const r = cfg(
      [
        'search --no-floppy --label --set=root --hint hd0,gpt3 ROOTFS',
        "menuentry 'By label' { linux /vmlinuz; initrd (hd0,gpt1)/initrd.img }",
        "menuentry 'By part-uuid' { search -s --part-uuid 0a1b2c3d-02; linux /vmlinuz }",
        "menuentry 'Into a variable' { search -f /KEXMENU --set=dev; linux ($dev)/vmlinuz }",
        "menuentry 'Drive name' { set root='hd0,gpt2'; linux /vmlinuz }",
      ].join('\n'),
    );
    expect(r.problems).toEqual([]);
    expect(r.entries.map((e) => [e.label, e.kernel.device ?? null])).toEqual([
      ['By label', { by: 'label', value: 'ROOTFS' }],
      ['By part-uuid', { by: 'partuuid', value: '0a1b2c3d-02' }],
      ['Into a variable', { by: 'file', value: '/KEXMENU' }],
      ['Drive name', null],
    ]);
    expect(r.entries[0]!.initrd).toEqual([{ path: '/initrd.img' }]);
  });

  it('an undecidable condition runs every branch, the last linux wins, and no entry appears twice', () => {
    const r = cfg(
      [
        'if [ "${grub_platform}" = "efi" ]; then',
        "  menuentry 'Same title' { linuxefi /vmlinuz.efi }",
        "  menuentry 'EFI only' { linuxefi /vmlinuz.efi }",
        'else',
        "  menuentry 'Same title' { linux16 /vmlinuz.bios }",
        'fi',
        "menuentry 'Both loaders' {",
        '  if [ x$grub_platform = xefi ]; then linuxefi /a root=A; else linux /b root=B; fi',
        '}',
      ].join('\n'),
    );
    expect(r.entries.map((e) => [e.label, e.kernel.path, e.cmdline])).toEqual([
      ['Same title', '/vmlinuz.efi', ''],
      ['EFI only', '/vmlinuz.efi', ''],
      ['Both loaders', '/b', 'root=B'],
    ]);
  });

  it('decidable conditions take one branch: -f on this source, string tests, -a/-o and !', () => {
    const r = parse({
      'boot/grub/grub.cfg': [
        'if [ -f $prefix/extra.cfg -a ! -e /nothing ]; then source $prefix/extra.cfg; fi',
        'if [ -z "$unset" -o x = y ]; then set which=yes; else set which=no; fi',
        "menuentry 'Checked' { linux /vmlinuz which=$which from=$from }",
      ].join('\n'),
      'boot/grub/extra.cfg': 'set from=extra\n',
    });
    expect(r.entries[0]!.cmdline).toBe('which=yes from=extra');
  });

  it('a submenu sees only exported variables, as in GRUB', () => {
    const r = cfg(
      [
        'set shown=yes; export shown',
        'set hidden=yes',
        "submenu 'Sub' { menuentry 'Inner' { linux /vmlinuz shown=$shown hidden=$hidden } }",
      ].join('\n'),
    );
    expect(r.entries[0]!.cmdline).toBe('shown=yes hidden=');
  });

  it("a menuentry's own changes do not leak to the next one", () => {
    const r = cfg("menuentry 'A' { set x=1; linux /a $x }\nmenuentry 'B' { linux /b x=$x }\n");
    expect(r.entries.map((e) => e.cmdline)).toEqual(['1', 'x=']);
  });

  it("\\xNN outside quotes: GNU GRUB's reading unless a config read in the run uses Red Hat's commands", () => {
    const entry = "menuentry 'M' { linux /vmlinuz root=LABEL=My\\x20Disk }\n";
    expect(cfg(entry).entries[0]!.cmdline).toBe('root=LABEL=Myx20Disk');
    const viaStub = parse({
      'EFI/centos/grub.cfg': 'configfile /EFI/centos/menu.cfg\n',
      'EFI/centos/menu.cfg': `${entry}menuentry 'E' { linuxefi /vmlinuz root=LABEL=My\\x20Disk }\n`,
    });
    expect(viaStub.entries.map((e) => e.cmdline)).toEqual(['root=LABEL=My\\x20Disk', 'root=LABEL=My\\x20Disk']);
  });

  it("blscfg keeps a BLS title as written, as GRUB's blscfg shows it; options are expanded", () => {
    const r = parse({
      'grub2/grub.cfg': 'set os_name=Fedora\nset kernelopts="root=/dev/sda2 ro"\nblscfg\n',
      'loader/entries/a.conf': 'title $os_name (6.1)\nlinux /vmlinuz\noptions $kernelopts quiet\n',
    });
    expect(r.entries.map((e) => [e.label, e.cmdline])).toEqual([['$os_name (6.1)', 'root=/dev/sda2 ro quiet']]);
  });

  it('timeout stays an ordinary variable that scripts set and test', () => {
    const r = cfg("set timeout=0\nif [ \"${timeout}\" = 0 ]; then set timeout=10; fi\nif [ \"${timeout}\" = 10 ]; then menuentry 'Ten' { linux /a }; fi\n");
    expect(r.entries.map((e) => e.label)).toEqual(['Ten']);
  });

  it('Ubuntu after a failed boot (recordfail=1 in grubenv): text mode, no vt.handoff', () => {
    const r = parse({ 'boot/grub/grubenv': grubenv({ recordfail: '1' }) }, fixturePath('grub', 'ubuntu', 'tree'));
    expect(r.entries[0]!.cmdline).toBe('root=UUID=3e6b2f5a-8c1d-4a7e-9b0f-6d5c4e3b2a19 ro quiet splash');
  });

  it('reads GRUB_CONFIG paths for grub2 distros and /EFI/<vendor>/grub.cfg case-insensitively', () => {
    const r = parse({
      'grub2/grub.cfg': "menuentry 'From /grub2' { linux /vmlinuz }\n",
      'efi/Fedora/GRUB.CFG': "menuentry 'From the ESP' { linux /vmlinuz }\n",
    });
    expect(r.entries.map((e) => [e.label, e.origin.file])).toEqual([
      ['From /grub2', '/grub2/grub.cfg'],
      ['From the ESP', '/efi/Fedora/GRUB.CFG'],
    ]);
    expect(defaultLabel(r)).toEqual(['From /grub2']);
  });

  it('an ESP configfile into a grub.cfg already read is not read twice', () => {
    const r = parse({
      'boot/grub/grub.cfg': "menuentry 'Once' { linux /vmlinuz }\n",
      'EFI/debian/grub.cfg': "set prefix=/boot/grub\nconfigfile $prefix/grub.cfg\n",
    });
    expect(r.entries.map((e) => e.label)).toEqual(['Once']);
    expect(r.problems).toEqual([]);
  });
});

describe('while and until', () => {
  const labels = (r: ParseResult) => r.entries.map((e) => e.label);

  it('run while the condition holds (until: until it does), each turn seeing what the last one set', () => {
    const turns = (loop: string) =>
      cfg(`set state=a\n${loop}; do\n  menuentry "Turn $state" { linux /vmlinuz }\n  if [ $state = a ]; then set state=b; else set state=done; fi\ndone\n`);
    expect(labels(turns('while [ $state != done ]'))).toEqual(['Turn a', 'Turn b']);
    expect(labels(turns('until [ $state = done ]'))).toEqual(['Turn a', 'Turn b']);
  });

  it('break and continue leave as many loops as they name, and no more than there are', () => {
    const r = cfg(
      [
        'while true; do',
        '  for i in 1 2 3; do',
        '    if [ $i = 2 ]; then continue; fi',
        "    menuentry \"Item $i\" { linux /vmlinuz }",
        '    if [ $i = 3 ]; then break 5; fi',
        '  done',
        "  menuentry 'Never' { linux /vmlinuz }",
        'done',
        'break',
        "menuentry 'After' { linux /vmlinuz }",
      ].join('\n'),
    );
    expect(labels(r)).toEqual(['Item 1', 'Item 3', 'After']);
    expect(r.problems).toEqual([]);
  });

  it('a loop around a menu entry or a function call is not theirs to break', () => {
    const r = cfg("function f { break; menuentry 'F' { linux /f } }\nfor i in 1 2; do\n  menuentry \"E$i\" { break; linux /e }\n  f\ndone\n");
    expect(r.entries.map((e) => [e.label, e.kernel.path])).toEqual([
      ['E1', '/e'],
      ['F', '/f'],
      ['E2', '/e'],
      ['F', '/f'],
    ]);
  });

  it('a condition that depends on the machine runs the body once', () => {
    const r = cfg("while [ \"$grub_platform\" = efi ]; do menuentry 'EFI' { linux /vmlinuz }; done\n");
    expect(labels(r)).toEqual(['EFI']);
  });

  it('a loop without end stops at the work budget, with one problem, and the entries before it stand', () => {
    const r = cfg("menuentry 'Before' { linux /vmlinuz }\nwhile true; do true; done\nmenuentry 'After' { linux /vmlinuz }\n");
    expect(labels(r)).toEqual(['Before']);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^stopped: the config did more work than a boot menu needs/)]);
  });
});

describe('wildcards', () => {
  const kernels = { 'boot/vmlinuz-linux': 'k', 'boot/vmlinuz-linux-lts': 'k', 'boot/initramfs-linux.img': 'i' };
  const loop = (words: string, files: Record<string, string> = kernels) =>
    parse({ ...files, 'boot/grub/grub.cfg': `for k in ${words}; do menuentry "$k" "$k" { linux $2 }; done\n` }).entries.map((e) => e.label);

  it('a word with * or ? outside quotes becomes the paths on this source that match it, in sorted order', () => {
    expect(loop('/boot/vmlinuz-*')).toEqual(['/boot/vmlinuz-linux', '/boot/vmlinuz-linux-lts']);
    expect(loop('/boot/vmlinuz-linu?')).toEqual(['/boot/vmlinuz-linux']);
    expect(loop('(hd0,gpt2)/boot/v*-lts')).toEqual(['(hd0,gpt2)/boot/vmlinuz-linux-lts']);
    const wild = 'vmlinuz-*';
    expect(parse({ ...kernels, 'boot/grub/grub.cfg': `set w=${wild}\nfor k in /boot/$w; do menuentry "$k" { linux $k }; done\n` }).entries).toHaveLength(2);
  });

  it('quoted or escaped wildcards, [ and words that match nothing stay as written', () => {
    expect(loop('"/boot/vmlinuz-*" /boot/vmlinuz-\\* /boot/vmlinuz-[l]inux')).toEqual(['/boot/vmlinuz-*', '/boot/vmlinuz-*', '/boot/vmlinuz-[l]inux']);
    expect(loop('/boot/nothing-* vmlinuz-* (hd*)/boot/vmlinuz-linux')).toEqual(['/boot/nothing-*', 'vmlinuz-*', '(hd*)/boot/vmlinuz-linux']);
  });

  it('a component after a wildcard must exist; every argument of a command is expanded, as in GRUB', () => {
    const files = { 'a/one/vmlinuz': 'k', 'a/two/other': 'x', 'a/three/vmlinuz': 'k' };
    expect(loop('/a/*/vmlinuz', files)).toEqual(['/a/one/vmlinuz', '/a/three/vmlinuz']);
    const r = parse({ ...files, 'boot/grub/grub.cfg': "menuentry 'M' { linux /a/one/vmlinuz; initrd /a/*/vmlinuz }\n" });
    expect(r.entries[0]!.initrd.map((i) => i.path)).toEqual(['/a/one/vmlinuz', '/a/three/vmlinuz']);
  });

  it('never lists above the source root', () => {
    const r = parse({ ...kernels, 'boot/grub/grub.cfg': 'for k in /../*/vmlinuz-* /boot/../../*; do menuentry "$k" { linux /boot/vmlinuz-linux }; done\n' });
    expect(r.entries.map((e) => e.label)).toEqual(['/../*/vmlinuz-*', '/boot/../../*']);
  });

  it('lists at most 1024 paths for one word, with one problem', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 1100; i++) many[`k/f${i}`] = '';
    const r = parse({ ...many, 'boot/grub/grub.cfg': 'for f in /k/* /k/*; do true; done\nmenuentry "After" { linux /vmlinuz }\n' });
    expect(r.entries.map((e) => e.label)).toEqual(['After']);
    expect(r.problems.map((p) => p.message)).toEqual(['a wildcard matched more than 1024 paths: the rest are left out']);
  });
});
