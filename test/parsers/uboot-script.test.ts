import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { readScriptImage } from '../../src/parsers/uboot-image.js';
import { UBOOT_LIMITS } from '../../src/parsers/uboot-limits.js';
import { MAX_SCRIPT_BYTES, parseUbootScript } from '../../src/parsers/uboot-script.js';
import { Unknowns } from '../../src/parsers/uboot-unknown.js';
import type { ParseResult } from '../../src/parsers/types.js';
import { expectGolden, fixturePath } from '../helpers/golden.js';
import { type MemoryTree, memorySourceFiles } from '../helpers/memory-source.js';
import { mkimageScript, mkimageUInitrd, scriptImage, treeCopy } from '../helpers/uboot-image.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((done) => done()));

/** A fixture's tree with boot.scr (and what else mkimage makes) added, parsed. */
function parseCopy(name: string, prepare: (boot: string) => void): ParseResult {
  const copy = treeCopy(fixturePath('uboot-script', name, 'tree'));
  cleanups.push(copy.done);
  prepare(path.join(copy.root, 'boot'));
  return parseUbootScript({ files: fsSourceFiles(copy.root), board: [], arch: 'aarch64' });
}

/** parseCopy, compared with the fixture's golden file. */
function fixture(name: string, prepare: (boot: string) => void): ParseResult {
  const result = parseCopy(name, prepare);
  expectGolden(result, fixturePath('uboot-script', name, 'expected.json'));
  return result;
}

const parse = (tree: MemoryTree) => parseUbootScript({ files: memorySourceFiles(tree), board: [], arch: 'aarch64' });
/** A source with `script` as /boot.scr and a kernel, an initrd and a DTB to load. */
const withScript = (script: string, more: MemoryTree = {}) =>
  parse({ '/boot.scr': scriptImage(script), '/Image': 'kernel', '/initrd': 'initrd', '/board.dtb': 'dtb', ...more });
const messages = (result: ParseResult) => result.problems.map((p) => p.message);
const LOAD = 'load ${devtype} ${devnum}:${distro_bootpart}';

describe('parseUbootScript on fixtures', () => {
  it('runs Armbian`s boot.scr with its armbianEnv.txt', () => {
    const V = '6.6.16-current-rockchip64';
    const result = fixture('armbian-rockchip64', (boot) => {
      mkimageScript(boot);
      mkimageUInitrd(boot, V);
    });
    expect(result.entries).toHaveLength(1);
    const entry = result.entries[0]!;
    expect(entry.kernel).toEqual({ path: '/boot/Image' });
    expect(entry.version).toBe(V);
    // uInitrd is the mkimage wrapper around initrd.img-V: kexec gets the file U-Boot would unwrap.
    expect(entry.initrd).toEqual([{ path: `/boot/initrd.img-${V}` }]);
    expect(entry.dtb).toEqual({ path: '/boot/dtb/rockchip/rk3399-rock-pi-4b.dtb' });
    // overlays=i2c7 uart4 spi-jedec-nor with overlay_prefix=rockchip; the missing one is skipped, as U-Boot does.
    expect(entry.overlays).toEqual([
      { path: '/boot/dtb/rockchip/overlay/rockchip-i2c7.dtbo', params: [] },
      { path: '/boot/dtb/rockchip/overlay/rockchip-uart4.dtbo', params: [] },
    ]);
    // ubootpart=${partuuid} is left out whole: the partition's UUID is the board's to know.
    expect(entry.cmdline).toBe(
      'root=UUID=8a5f1f5e-3c6b-4d1e-9f0a-2b7c4e6d8a10 rootwait rootfstype=ext4 splash=verbose console=ttyS2,1500000 console=tty1 consoleblank=0 loglevel=1 ' +
        'usb-storage.quirks=0x2537:0x1066:u,0x2537:0x1068:u cma=256M cgroup_enable=cpuset cgroup_memory=1 cgroup_enable=memory swapaccount=1',
    );
    expect(entry.isDefault).toBe(true);
    expect(entry.origin).toEqual({ format: 'uboot-script', file: '/boot/boot.scr', line: 77 });
    // ${partuuid} comes from `part uuid` under `test "${devtype}" = "mmc"`: not knowable here, and said so.
    expect(messages(result)).toEqual([expect.stringMatching(/^booti: the command line holds partuuid, which depends on `test \$\{devtype\} = mmc` \(line 38\)/)]);
  });

  it('runs the boot.scr flash-kernel makes for Debian, both of its ways', () => {
    const result = fixture('debian-flash-kernel', (boot) => mkimageScript(boot));
    expect(result.entries.map((e) => [e.kernel.path, e.initrd, e.dtb, e.isDefault])).toEqual([
      ['/boot/vmlinuz-6.1.0-27-arm64', [{ path: '/boot/initrd.img-6.1.0-27-arm64' }], null, true],
      ['/boot/vmlinuz', [{ path: '/boot/initrd.img' }], { path: '/boot/dtb' }, false],
    ]);
    expect(result.entries[0]!.cmdline).toBe('quiet root=UUID=2f0b6c7e-61a4-4f5e-8d3b-9e1c0a7b5d42 ro');
    // Whether the board sets fdtfile picks the first block's DTB: a problem, not a guess.
    expect(messages(result).join('\n')).toMatch(/^load \/boot\/<fdtpath, which depends on `test -n \$\{fdtfile\}` \(line 33\)>: the path rests on what kexmenu cannot know here$/m);
  });

  it('says when boot.cmd was edited and boot.scr not remade', () => {
    const result = parseCopy('debian-flash-kernel', (boot) => {
      mkimageScript(boot);
      writeFileSync(path.join(boot, 'boot.cmd'), `${readFileSync(path.join(boot, 'boot.cmd'), 'utf8')}\n# edited\n`);
    });
    expect(result.problems[0]).toEqual({ file: '/boot/boot.cmd', line: null, message: expect.stringMatching(/^differs from \/boot\/boot.scr, which is what U-Boot runs/) });
  });
});

describe('the legacy image header', () => {
  const real = () => {
    const copy = treeCopy(fixturePath('uboot-script', 'debian-flash-kernel', 'tree'));
    cleanups.push(copy.done);
    mkimageScript(path.join(copy.root, 'boot'));
    return new Uint8Array(readFileSync(path.join(copy.root, 'boot', 'boot.scr')));
  };
  const cmd = readFileSync(fixturePath('uboot-script', 'debian-flash-kernel', 'tree/boot/boot.cmd'), 'utf8');

  it('gives the script mkimage wrapped, and our writer makes what mkimage makes', () => {
    const image = real();
    expect(readScriptImage(image)).toEqual({ ok: true, text: cmd, name: '' });
    const ours = scriptImage(cmd);
    expect(ours.subarray(64)).toEqual(image.subarray(64));
  });

  it('refuses a bad magic, a bad header CRC, a bad data CRC, and a truncated image', () => {
    const bent = (at: number) => {
      const image = real();
      image[at]! ^= 0xff;
      return readScriptImage(image);
    };
    expect(bent(0)).toEqual({ ok: false, message: 'not a U-Boot script image: bad magic number' });
    expect(bent(8)).toEqual({ ok: false, message: 'U-Boot script image: bad header CRC' });
    expect(bent(64 + 8 + 100)).toEqual({ ok: false, message: 'U-Boot script image: bad data CRC' });
    const image = real();
    expect(readScriptImage(image.subarray(0, 100))).toEqual({ ok: false, message: `U-Boot script image truncated: 36 of ${image.length - 64} data bytes` });
    expect(readScriptImage(image.subarray(0, 40))).toEqual({ ok: false, message: 'not a U-Boot script image: 40 bytes, shorter than the 64-byte header' });
  });

  it('refuses an image of another type', () => {
    expect(readScriptImage(scriptImage('echo', 3))).toEqual({ ok: false, message: 'U-Boot image of type 3, not a script (type 6)' });
  });

  it('reports a broken boot.scr and goes on to the next script, as U-Boot does', () => {
    const broken = scriptImage(`${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    broken[70]! ^= 1;
    const result = parse({ '/boot.scr': broken, '/boot/boot.scr': scriptImage(`${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`), '/Image': 'k' });
    expect(result.problems).toEqual([{ file: '/boot.scr', line: null, message: 'U-Boot script image: bad data CRC' }]);
    expect(result.entries.map((e) => e.origin.file)).toEqual(['/boot/boot.scr']);
  });

  it('refuses a script over 1 MiB', () => {
    const result = parse({ '/boot.scr': scriptImage(`#${'x'.repeat(MAX_SCRIPT_BYTES)}`) });
    expect(messages(result)).toEqual([`${MAX_SCRIPT_BYTES + 64 + 8 + 1} bytes, over the ${MAX_SCRIPT_BYTES}-byte limit for a boot script: not read`]);
  });
});

describe('where U-Boot looks', () => {
  const boots = (file: string) => scriptImage(`${LOAD} \${kernel_addr_r} /${file}; booti \${kernel_addr_r}`);

  it('takes /boot.scr.uimg, then /boot.scr, then /boot/boot.scr.uimg and /boot/boot.scr', () => {
    const all: MemoryTree = { '/boot.scr.uimg': boots('a'), '/boot.scr': boots('b'), '/boot/boot.scr.uimg': boots('c'), '/boot/boot.scr': boots('d'), '/a': 'k', '/b': 'k', '/c': 'k', '/d': 'k' };
    const order: string[] = [];
    for (const file of ['/boot.scr.uimg', '/boot.scr', '/boot/boot.scr.uimg', '/boot/boot.scr']) {
      const entries = parse(all).entries;
      order.push(entries[0]!.origin.file);
      delete all[file];
    }
    expect(order).toEqual(['/boot.scr.uimg', '/boot.scr', '/boot/boot.scr.uimg', '/boot/boot.scr']);
  });

  it('sets ${prefix} to where the script is', () => {
    const result = parse({ '/boot/boot.scr': scriptImage(`${LOAD} \${kernel_addr_r} \${prefix}Image; booti \${kernel_addr_r}`), '/boot/Image': 'k' });
    expect(result.entries[0]!.kernel).toEqual({ path: '/boot/Image' });
  });

  it('reads boot.cmd when there is no boot.scr, and says U-Boot would not', () => {
    const result = parse({ '/boot/boot.cmd': `${LOAD} \${kernel_addr_r} \${prefix}Image; booti \${kernel_addr_r}`, '/boot/Image': 'k' });
    expect(result.entries[0]!.kernel).toEqual({ path: '/boot/Image' });
    expect(messages(result)).toEqual([expect.stringMatching(/^U-Boot runs boot.scr, not boot.cmd, and there is no boot.scr/)]);
  });

  it('lists nothing on a partition without a script', () => {
    expect(parse({ '/boot/Image': 'k' })).toEqual({ entries: [], problems: [] });
  });
});

describe('the commands', () => {
  const only = (result: ParseResult) => {
    expect(result.entries).toHaveLength(1);
    return result.entries[0]!;
  };

  it('booti: kernel, initrd and DTB by the addresses they were loaded at, bootargs as it is then', () => {
    const entry = only(withScript(`
      setenv bootargs "root=/dev/mmcblk0p2 rw"
      ${LOAD} \${kernel_addr_r} /Image
      ${LOAD} \${ramdisk_addr_r} /initrd
      ${LOAD} \${fdt_addr_r} /board.dtb
      booti \${kernel_addr_r} \${ramdisk_addr_r}:\${filesize} \${fdt_addr_r}
      setenv bootargs changed`));
    expect(entry).toMatchObject({ kernel: { path: '/Image' }, initrd: [{ path: '/initrd' }], dtb: { path: '/board.dtb' }, cmdline: 'root=/dev/mmcblk0p2 rw' });
    expect(entry.origin.line).toBe(6);
  });

  it('bootz and bootm with "-" for no initrd, and literal addresses in any spelling', () => {
    const entry = only(withScript(`load \${devtype} \${devnum} 0x42000000 zImage\nload \${devtype} \${devnum} 43000000 board.dtb\nbootz 42000000 - 0x43000000`, { '/zImage': 'k' }));
    expect(entry).toMatchObject({ kernel: { path: '/zImage' }, initrd: [], dtb: { path: '/board.dtb' } });
  });

  it('a booti whose kernel load failed is a problem, and the script goes on', () => {
    const result = withScript(`${LOAD} \${kernel_addr_r} /nope\nbooti \${kernel_addr_r}\n${LOAD} \${kernel_addr_r} /Image\nbooti \${kernel_addr_r}`);
    expect(only(result).kernel).toEqual({ path: '/Image' });
    expect(messages(result)).toEqual(['booti: the kernel: /nope was not found (load at line 1)']);
  });

  it('bootm of a FIT image is a problem', () => {
    expect(messages(withScript(`${LOAD} \${loadaddr} /Image\nbootm \${loadaddr}#conf-1`))).toEqual([expect.stringMatching(/a FIT image, which kexmenu does not read/)]);
  });

  it('setenv, env set, $var and ${var}, hush assignments, quotes and escapes', () => {
    const entry = only(withScript(`
      setenv a one; env set b "two  spaced"; c=three
      setenv -f d 'single $a' "double $a" \\$a
      setenv bootargs "\${a} $b $c \${d}"
      ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`));
    expect(entry.cmdline).toBe('one two spaced three single $a double one $a');
  });

  it('if/elif/else with test -n, -z, =, !=, -eq, !, -a, -o', () => {
    const entry = only(withScript(`
      setenv x 5
      if test -z "$x"; then setenv r z
      elif test "$x" != 5 -o ! -n "$x"; then setenv r ne
      elif test $x -eq 5 -a "$x" = 5; then setenv r eq
      else setenv r none; fi
      setenv bootargs r=$r
      ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`));
    expect(entry.cmdline).toBe('r=eq');
  });

  it('test -e on this partition, && and ||', () => {
    const entry = only(withScript(`
      test -e \${devtype} \${devnum}:\${distro_bootpart} /initrd && setenv a yes || setenv a no
      test -e \${devtype} \${devnum}:\${distro_bootpart} /nope && setenv b yes || setenv b no
      setenv bootargs $a $b
      ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`));
    expect(entry.cmdline).toBe('yes no');
  });

  it('env import -t of the file loaded there, only the names asked for when some are', () => {
    const entry = only(withScript(`
      ${LOAD} \${loadaddr} /env.txt
      env import -t \${loadaddr} \${filesize} keep gone kernel
      setenv bootargs "$keep [$skip] [$gone]"
      ${LOAD} \${kernel_addr_r} /$kernel; booti \${kernel_addr_r}`, { '/env.txt': '# comment\n  keep=a=b c\nskip=no\ngone=\nkernel=Image\n' }));
    expect(entry.cmdline).toBe('a=b c [] []');
    expect(entry.kernel).toEqual({ path: '/Image' });
  });

  it('env import -r takes the CR off CRLF lines; without it the CR stays', () => {
    const script = (flags: string) => `${LOAD} 0x1000 /env.txt; env import ${flags} 0x1000 \${filesize}; ${LOAD} \${kernel_addr_r} /\${k}; booti \${kernel_addr_r}`;
    const tree = { '/env.txt': 'k=Image\r\n' };
    expect(only(withScript(script('-t -r'), tree)).kernel).toEqual({ path: '/Image' });
    expect(withScript(script('-t'), tree).entries).toEqual([]);
  });

  it('for over an unquoted variable, and fdt apply of each overlay to the tree at fdt addr', () => {
    const entry = only(withScript(`
      setenv overlays "a  b c"
      ${LOAD} \${fdt_addr_r} /board.dtb
      fdt addr \${fdt_addr_r}; fdt resize 8192
      for o in \${overlays}; do
        if ${LOAD} \${loadaddr} /overlays/\${o}.dtbo; then fdt apply \${loadaddr}; fi
      done
      ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r} - \${fdt_addr_r}`, { '/overlays/a.dtbo': 'o', '/overlays/c.dtbo': 'o' }));
    expect(entry.dtb).toEqual({ path: '/board.dtb' });
    expect(entry.overlays).toEqual([{ path: '/overlays/a.dtbo', params: [] }, { path: '/overlays/c.dtbo', params: [] }]);
  });

  it('reloading the tree at the fdt address drops the overlays applied to the old one', () => {
    const entry = only(withScript(`
      ${LOAD} \${fdt_addr_r} /board.dtb; fdt addr \${fdt_addr_r}
      ${LOAD} 0x100 /o.dtbo; fdt apply 0x100
      ${LOAD} \${fdt_addr_r} /board.dtb
      ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r} - \${fdt_addr_r}`, { '/o.dtbo': 'o' }));
    expect(entry.overlays).toEqual([]);
  });

  it('run of a variable holding commands, and source of a script image', () => {
    const entry = only(withScript(`
      setenv pick "setenv bootargs from-run; ${LOAD} \\\${kernel_addr_r} /Image"
      run pick
      ${LOAD} \${scriptaddr} /extra.scr
      source \${scriptaddr}`, { '/extra.scr': scriptImage('setenv bootargs "$bootargs from-source"\nbooti ${kernel_addr_r}\n') }));
    expect(entry).toMatchObject({ kernel: { path: '/Image' }, cmdline: 'from-run from-source', origin: { file: '/extra.scr', line: 2 } });
  });

  it('unzip puts the gzipped kernel at the kernel address', () => {
    const entry = only(withScript(`${LOAD} \${ramdisk_addr_r} /Image.gz && unzip \${ramdisk_addr_r} \${kernel_addr_r} && booti \${kernel_addr_r}`, { '/Image.gz': 'gz' }));
    expect(entry.kernel).toEqual({ path: '/Image.gz' });
  });

  it('echo, sleep, usb start and the like change nothing and say nothing', () => {
    const result = withScript(`echo hi; sleep 1; usb start; kaslrseed; ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    expect(result.problems).toEqual([]);
    expect(only(result).kernel).toEqual({ path: '/Image' });
  });

  it('a command kexmenu does not evaluate is a problem at its line', () => {
    const result = withScript(`\nmmcinfo_custom 1\n${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    expect(result.problems).toEqual([{ file: '/boot.scr', line: 2, message: 'not evaluated: mmcinfo_custom' }]);
  });

  it('a load from another partition is a problem that says which, not a guess', () => {
    const result = withScript(`load \${devtype} \${devnum}:2 \${kernel_addr_r} /Image\nload mmc 0:1 \${fdt_addr_r} /board.dtb\nbooti \${kernel_addr_r}`);
    expect(result.entries).toEqual([]);
    expect(messages(result)).toEqual([
      expect.stringMatching(/^load \/Image: loads from partition 2 of the boot device, which kexmenu cannot tell is the one the script is on/),
      expect.stringMatching(/^load \/board.dtb: loads from mmc 0:1, not \$\{devtype\} \$\{devnum\}:\$\{distro_bootpart\}/),
      'booti: the kernel: unknown, as it came from another partition (line 1)',
    ]);
  });

  it('a path made by setexpr is a problem naming it', () => {
    const result = withScript(`setexpr n 1 + 1\n${LOAD} \${kernel_addr_r} /Image\${n}\nbooti \${kernel_addr_r}`);
    expect(messages(result)[0]).toBe('load /Image<n (from setexpr, line 1)>: the path rests on what kexmenu cannot know here');
  });

  it('a condition on the board runs both ways; where they agree nothing is said', () => {
    const result = withScript(`
      itest.b *0x10028 == 0x00 && echo "from SD"
      if test "\${board}" = "rock-pi-4"; then setenv bootargs same; else setenv bootargs same; fi
      ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    expect(result.problems).toEqual([]);
    expect(only(result).cmdline).toBe('same');
  });

  it('a boot on one way of an undecided condition is an entry, with the condition said', () => {
    const result = withScript(`
      ${LOAD} \${kernel_addr_r} /Image
      if test "\${devtype}" = "usb"; then setenv bootargs usb; booti \${kernel_addr_r}; fi
      setenv bootargs other; booti \${kernel_addr_r}`);
    expect(result.entries.map((e) => [e.cmdline, e.isDefault])).toEqual([['usb', true], ['other', false]]);
    expect(messages(result)).toEqual(['booti: boots this way only as `test ${devtype} = usb` (line 3) decides, which kexmenu cannot tell']);
  });

  it('an initrd wrapped by mkimage with no unwrapped twin is a problem', () => {
    const wrapped = scriptImage('not really a ramdisk', 3);
    const result = withScript(`${LOAD} \${kernel_addr_r} /Image; ${LOAD} \${ramdisk_addr_r} /uInitrd; booti \${kernel_addr_r} \${ramdisk_addr_r}`, { '/uInitrd': wrapped });
    expect(result.entries[0]!.initrd).toEqual([{ path: '/uInitrd' }]);
    expect(messages(result)).toEqual([expect.stringMatching(/^initrd \/uInitrd is a U-Boot image \(mkimage type 3\); kexec would hand the kernel its 64-byte header too/)]);
  });

  it('a syntax error stops the script there, as in U-Boot', () => {
    const result = withScript(`${LOAD} \${kernel_addr_r} /Image\nif test a = a; then\nbooti \${kernel_addr_r}\n`);
    expect(result.entries).toEqual([]);
    expect(messages(result)).toEqual([expect.stringMatching(/^syntax: if \(line 2\) without fi|^syntax: if without fi/)]);
  });
});

describe('hostile scripts', () => {
  const finishes = (script: string, more: MemoryTree = {}) => {
    const started = Date.now();
    const result = withScript(script, more);
    expect(Date.now() - started).toBeLessThan(5000);
    return result;
  };

  it('a loop without end stops at the work budget', () => {
    const result = finishes(`while true; do echo; done\n${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    expect(result.entries).toEqual([]);
    expect(messages(result)).toEqual([`stopped: the script did more work than a boot script needs (${UBOOT_LIMITS.work} steps; a loop without end?)`]);
  });

  it('run that runs itself stops at the run depth', () => {
    const result = finishes(`setenv again 'run again'; run again\n${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    expect(messages(result)).toEqual([`run nested more than ${UBOOT_LIMITS.runDepth} deep: not run`]);
    expect(result.entries).toHaveLength(1);
  });

  it('a variable that doubles itself is cut, and the work runs out', () => {
    const result = finishes(`setenv a x; while true; do setenv a "\${a}\${a}"; done`);
    expect(messages(result)).toEqual([
      `a word of more than ${UBOOT_LIMITS.valueChars} characters is cut there`,
      `stopped: the script did more work than a boot script needs (${UBOOT_LIMITS.work} steps; a loop without end?)`,
    ]);
  });

  it('a for over a huge list is bounded', () => {
    const result = finishes(`setenv a "x x x x x x x x"; for i in $a $a $a $a; do setenv a "$a $a"; done; for i in $a $a $a $a $a $a $a $a; do for j in $a $a $a $a; do echo; done; done`);
    expect(messages(result).some((m) => m.startsWith('stopped:') || m.startsWith('a command of more than'))).toBe(true);
  });

  it('undecided conditions that double at each level cost work, not time', () => {
    const levels = Array.from({ length: 15 }, (_, i) => `setenv v${i} 'if itest 1 == 1; then run v${i + 1}; else run v${i + 1}; fi'`);
    const result = finishes(`${levels.join('\n')}\nsetenv v15 'setenv x y'\nrun v0\n${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    expect(messages(result)).toEqual([`stopped: the script did more work than a boot script needs (${UBOOT_LIMITS.work} steps; a loop without end?)`]);
  });

  it('sources that source themselves stop', () => {
    const self = scriptImage('load ${devtype} ${devnum} 0x100 /self.scr; source 0x100');
    const result = finishes(`load \${devtype} \${devnum} 0x100 /self.scr; source 0x100`, { '/self.scr': self });
    expect(messages(result)).toEqual([expect.stringMatching(/^more than 16 sourced scripts, or nested 4 deep: \/self.scr is not run/)]);
  });

  it('a path above the partition root is refused', () => {
    const result = finishes(`${LOAD} \${kernel_addr_r} /boot/../../../etc/passwd\nbooti \${kernel_addr_r}`);
    expect(result.entries).toEqual([]);
    expect(messages(result)[0]).toBe('load: path escapes its partition: /boot/../../../etc/passwd');
  });

  it('compound commands nested too deep are a syntax problem', () => {
    const result = finishes(`${'if true; then '.repeat(100)}echo${'; fi'.repeat(100)}`);
    expect(messages(result)).toEqual([expect.stringMatching(/^syntax: compound commands nested more than 32 deep/)]);
  });

  it('a script cannot forge kexmenu`s markers for unknown values', () => {
    const result = finishes(`setenv bootargs "\uE0000\uE001"; ${LOAD} \${kernel_addr_r} /Image; booti \${kernel_addr_r}`);
    expect(result.entries[0]!.cmdline).toBe('\uFFFD0\uFFFD');
  });
});

describe('the markers of values kexmenu cannot know', () => {
  it('shares one marker past the limit instead of recursing (300 setexpr results)', () => {
    const unknowns = new Unknowns();
    const markers = Array.from({ length: 300 }, (_, i) => unknowns.marker(`value ${i}`));
    expect(new Set(markers).size).toBe(256);
    expect(unknowns.in(markers.at(-1)!).map((u) => u.what)).toEqual(['one of many values kexmenu cannot know']);
  });

  it('leaves a command-line word that holds one out whole', () => {
    const result = withScript(`part uuid \${devtype} \${devnum}:\${distro_bootpart} uuid\nsetenv bootargs "root=PARTUUID=\${uuid} rw quiet"\n${LOAD} \${kernel_addr_r} /Image\nbooti \${kernel_addr_r} -\n`);
    expect(result.entries[0]?.cmdline).toBe('rw quiet');
  });
});
