import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import { parseRpi } from '../../src/parsers/rpi.js';
import type { ParseResult } from '../../src/parsers/types.js';
import { compileDts } from '../helpers/dtc.js';
import { expectParsedFixture, parseFixture } from '../helpers/parse-fixture.js';

const PI3 = ['raspberrypi,3-model-b', 'brcm,bcm2837'];
const PI3_PLUS = ['raspberrypi,3-model-b-plus', 'brcm,bcm2837'];
const PI4 = ['raspberrypi,4-model-b', 'brcm,bcm2711'];
const CM4 = ['raspberrypi,4-compute-module', 'brcm,bcm2711'];
const PI5 = ['raspberrypi,5-model-b', 'brcm,bcm2712'];
const ZERO2 = ['raspberrypi,model-zero-2-w', 'brcm,bcm2837'];

function only(result: ParseResult) {
  expect(result.entries).toHaveLength(1);
  return result.entries[0]!;
}
const paths = (refs: Array<{ path: string }>) => refs.map((r) => r.path);

describe('parseRpi: Raspberry Pi OS Bookworm (/boot/firmware)', () => {
  const fixture = (board: string[]) => parseFixture(parseRpi, 'rpi', 'raspios-bookworm', { board, arch: 'aarch64' });

  it('matches the golden file on a Pi 4', () => {
    const entry = only(expectParsedFixture(parseRpi, 'rpi', 'raspios-bookworm', { board: PI4, arch: 'aarch64' }));
    expect(entry.kernel.path).toBe('/boot/firmware/kernel8.img');
    expect(paths(entry.initrd)).toEqual(['/boot/firmware/initramfs8']);
    expect(entry.dtb?.path).toBe('/boot/firmware/bcm2711-rpi-4-b.dtb');
    expect(paths(entry.overlays)).toEqual(['/boot/firmware/overlays/vc4-kms-v3d.dtbo', '/boot/firmware/overlays/disable-bt.dtbo']);
    expect(entry.cmdline).toBe('console=serial0,115200 console=tty1 root=PARTUUID=xxxxxxxx-02 rootfstype=ext4 fsck.repair=yes rootwait');
    expect(entry.isDefault).toBe(true);
    expect(entry.origin).toEqual({ format: 'rpi', file: '/boot/firmware/config.txt', line: null });
  });

  it('reads /boot/firmware/config.txt, not the "moved" stub in /boot', () => {
    expect(only(fixture(PI4)).origin.file).toBe('/boot/firmware/config.txt');
  });

  it('gives a CM4 the [cm4] lines and the [pi4] lines it also sees', () => {
    const entry = only(fixture(CM4));
    expect(paths(entry.overlays)).toEqual([
      '/boot/firmware/overlays/vc4-kms-v3d.dtbo',
      '/boot/firmware/overlays/dwc2.dtbo',
      '/boot/firmware/overlays/disable-bt.dtbo',
    ]);
    expect(entry.dtb?.path).toBe('/boot/firmware/bcm2711-rpi-cm4.dtb');
  });

  it('boots kernel_2712.img with initramfs_2712 and the Pi 5 DTB on a Pi 5', () => {
    const entry = only(fixture(PI5));
    expect(entry.kernel.path).toBe('/boot/firmware/kernel_2712.img');
    expect(paths(entry.initrd)).toEqual(['/boot/firmware/initramfs_2712']);
    expect(entry.dtb?.path).toBe('/boot/firmware/bcm2712-rpi-5-b.dtb');
    expect(paths(entry.overlays)).toEqual(['/boot/firmware/overlays/vc4-kms-v3d.dtbo']);
  });

  it('uses the downstream DTB names on a Pi 3 and a Zero 2 W', () => {
    expect(only(fixture(PI3)).dtb?.path).toBe('/boot/firmware/bcm2710-rpi-3-b.dtb');
    expect(only(fixture(PI3_PLUS)).dtb?.path).toBe('/boot/firmware/bcm2710-rpi-3-b-plus.dtb');
    expect(only(fixture(ZERO2)).dtb?.path).toBe('/boot/firmware/bcm2710-rpi-zero-2-w.dtb');
    expect(only(fixture(PI3)).kernel.path).toBe('/boot/firmware/kernel8.img');
  });

  it('applies only unconditional and [all] lines off a Pi, and leaves the DTB to the running firmware', () => {
    const entry = only(fixture([]));
    expect(entry.kernel.path).toBe('/boot/firmware/kernel8.img');
    expect(paths(entry.overlays)).toEqual(['/boot/firmware/overlays/vc4-kms-v3d.dtbo']);
    expect(entry.dtb).toBeNull();
    expect(entry.dtbReason).toMatch(/not running on a known Raspberry Pi/);
  });
});

describe('parseRpi: Debian raspi-firmware boot partition', () => {
  const fixture = (board: string[]) => parseFixture(parseRpi, 'rpi', 'debian-raspi-firmware', { board, arch: 'aarch64' });

  it('matches the golden file on a Pi 3', () => {
    const entry = only(expectParsedFixture(parseRpi, 'rpi', 'debian-raspi-firmware', { board: PI3, arch: 'aarch64' }));
    expect(entry.kernel.path).toBe('/vmlinuz-6.1.0-27-arm64');
    expect(paths(entry.initrd)).toEqual(['/initrd.img-6.1.0-27-arm64']);
    expect(entry.version).toBe('6.1.0-27-arm64');
    expect(entry.dtb?.path).toBe('/bcm2837-rpi-3-b.dtb');
    expect(entry.dtbReason).toMatch(/upstream/);
    expect(entry.origin).toEqual({ format: 'rpi', file: '/config.txt', line: 22 });
  });

  it('picks the upstream-named DTB of each board', () => {
    expect(only(fixture(PI4)).dtb?.path).toBe('/bcm2711-rpi-4-b.dtb');
    expect(only(fixture(PI3_PLUS)).dtb?.path).toBe('/bcm2837-rpi-3-b-plus.dtb');
    expect(only(fixture(ZERO2)).dtb?.path).toBe('/bcm2837-rpi-zero-2-w.dtb');
    expect(only(fixture(CM4)).dtb?.path).toBe('/bcm2711-rpi-cm4-io.dtb');
  });

  it('has no DTB for a board whose file is not there (the planner then uses the firmware tree)', () => {
    const entry = only(fixture(PI5));
    expect(entry.dtb).toBeNull();
    expect(entry.dtbReason).toMatch(/running firmware's tree/);
  });
});

describe('parseRpi: os_prefix', () => {
  it('takes kernel, initramfs, DTB and cmdline.txt from the prefix, and shared overlays without its README', () => {
    const entry = only(expectParsedFixture(parseRpi, 'rpi', 'os-prefix', { board: PI4, arch: 'aarch64' }));
    expect(entry.kernel.path).toBe('/os2/kernel8.img');
    expect(paths(entry.initrd)).toEqual(['/os2/initramfs8']);
    expect(entry.dtb?.path).toBe('/os2/bcm2711-rpi-4-b.dtb');
    expect(paths(entry.overlays)).toEqual(['/overlays/vc4-kms-v3d.dtbo']);
    expect(entry.cmdline).toBe('console=tty1 root=PARTUUID=22222222-02 rootwait quiet');
    expect(entry.label).toBe('Raspberry Pi firmware boot: os2/kernel8.img');
  });

  it('ignores a prefix without the kernel, as the firmware does, and says so', () => {
    const result = expectParsedFixture(parseRpi, 'rpi', 'os-prefix-not-viable', { board: PI4, arch: 'aarch64' });
    const entry = only(result);
    expect(entry.kernel.path).toBe('/kernel8.img');
    expect(entry.dtb?.path).toBe('/bcm2711-rpi-4-b.dtb');
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringMatching(/os_prefix=test-os\/ ignored/)]);
  });
});

describe('parseRpi: hostile config', () => {
  it('reports loops, escapes, missing files and long lines, and never leaves the partition', () => {
    const result = expectParsedFixture(parseRpi, 'rpi', 'hostile', { board: [], arch: 'aarch64' });
    const entry = only(result);
    expect(entry.kernel.path).toBe('/kernel8.img');
    expect(entry.initrd).toEqual([]);
    expect(paths(entry.overlays)).toEqual(['/overlays/from-extra.dtbo']);
    expect(entry.cmdline).toBe('');
    const messages = result.problems.map((p) => p.message);
    expect(messages).toContain('include loop: /config.txt is already being read');
    expect(messages).toContain('include loop: /extra.txt is already being read');
    expect(messages).toContain('include ../../../etc/passwd escapes the boot partition');
    expect(messages).toContain('../../../etc/shadow escapes the boot partition');
    expect(messages.some((m) => m.includes('98 characters'))).toBe(true);
    for (const ref of [entry.kernel, ...entry.initrd, ...entry.overlays]) expect(ref.path).not.toMatch(/etc/);
  });

  it('treats filters it cannot evaluate ([EDID=…], [gpio4=1]) and [none] as false, even combined with a matching [pi4]', () => {
    // Filters of different types combine, so `[EDID=…]` then `[pi4]` means both: still false here.
    const entry = only(parseFixture(parseRpi, 'rpi', 'hostile', { board: PI4, arch: 'aarch64' }));
    expect(entry.kernel.path).toBe('/kernel8.img');
  });
});

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A boot partition written from `files`, parsed as the firmware of `board` would read it. */
function tree(files: Record<string, string | Uint8Array>, board: string[] = PI4): ParseResult {
  const root = mkdtempSync(path.join(tmpdir(), 'kexmenu-rpi-'));
  roots.push(root);
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), data);
  }
  return parseRpi({ files: fsSourceFiles(root), board, arch: 'aarch64' });
}

describe('parseRpi on generated trees', () => {

  it('finds nothing without a config.txt', () => {
    expect(tree({ 'kernel8.img': 'k' })).toEqual({ entries: [], problems: [] });
  });

  it('stays quiet about a config.txt with no kernel on a partition that is no Pi boot partition', () => {
    expect(tree({ 'config.txt': 'something=else\n' })).toEqual({ entries: [], problems: [] });
  });

  it('reports a Pi boot partition without a kernel', () => {
    const result = tree({ 'config.txt': 'arm_64bit=1\n', 'start4.elf': 'x' });
    expect(result.entries).toEqual([]);
    expect(result.problems).toEqual([expect.objectContaining({ file: '/config.txt', message: expect.stringMatching(/kernel8\.img is missing/) })]);
  });

  it('falls back to kernel8.img on a Pi 5 without kernel_2712.img', () => {
    const entry = only(tree({ 'config.txt': 'auto_initramfs=1\n', 'kernel8.img': 'k', initramfs8: 'i', 'cmdline.txt': 'x' }, PI5));
    expect(entry.kernel.path).toBe('/kernel8.img');
    expect(paths(entry.initrd)).toEqual(['/initramfs8']);
  });

  it('boots kernel7l.img with initramfs7l on a Pi 4 set to arm_64bit=0', () => {
    const files = { 'config.txt': 'arm_64bit=0\nauto_initramfs=1\n', 'kernel8.img': 'k', 'kernel7l.img': 'k', initramfs7l: 'i', 'cmdline.txt': 'x' };
    const entry = only(tree(files));
    expect(entry.kernel.path).toBe('/kernel7l.img');
    expect(paths(entry.initrd)).toEqual(['/initramfs7l']);
  });

  it('pairs no initramfs with a kernel of another name under auto_initramfs', () => {
    const entry = only(tree({ 'config.txt': 'auto_initramfs=1\nkernel=my-kernel.img\n', 'my-kernel.img': 'k', initramfs8: 'i', 'cmdline.txt': 'x' }));
    expect(entry.initrd).toEqual([]);
  });

  it('reads several comma-separated initramfs files, and ramfsfile=', () => {
    expect(paths(only(tree({ 'config.txt': 'kernel=k.img\ninitramfs a.cpio,b.cpio 0x00800000\n', 'k.img': 'k', 'cmdline.txt': '' })).initrd)).toEqual(['/a.cpio', '/b.cpio']);
    expect(paths(only(tree({ 'config.txt': 'kernel=k.img\nramfsfile=c.cpio\n', 'k.img': 'k', 'cmdline.txt': '' })).initrd)).toEqual(['/c.cpio']);
  });

  it("says what the firmware would write of the serial console: 8250.nr_uarts= from enable_uart on boards with Bluetooth on the PL011", () => {
    const uarts = (config: string, board = PI4) => only(tree({ 'config.txt': `kernel=k.img\n${config}`, 'k.img': 'k', 'overlays/disable-bt.dtbo': 'o', 'cmdline.txt': 'x' }, board)).firmwareArgs;
    expect(uarts('')).toEqual(['8250.nr_uarts=0']);
    expect(uarts('enable_uart=1\n')).toEqual(['8250.nr_uarts=1']);
    expect(uarts('enable_uart=1\n[pi3]\nenable_uart=0\n', PI3)).toEqual(['8250.nr_uarts=0']);
    expect(uarts('enable_uart=1\n', ZERO2)).toEqual(['8250.nr_uarts=1']);
    // The console back on the PL011, or a board whose console always was: the firmware's own say.
    expect(uarts('enable_uart=1\ndtoverlay=disable-bt\n')).toEqual([]);
    expect(uarts('enable_uart=1\n', CM4)).toEqual([]);
    expect(uarts('enable_uart=1\n', PI5)).toEqual([]);
  });

  it('reads cmdline= from another file and takes only its first line, trimmed', () => {
    const entry = only(tree({ 'config.txt': 'kernel=k.img\ncmdline=other.txt\n', 'k.img': 'k', 'other.txt': '  root=/dev/sda2 ro  \r\nignored\n' }));
    expect(entry.cmdline).toBe('root=/dev/sda2 ro');
  });

  it('keeps the section an include opened, because include inserts text in place', () => {
    const files = { 'config.txt': 'include sub.txt\nkernel=after.img\n[all]\n', 'sub.txt': '[pi3]\n', 'after.img': 'k', 'kernel8.img': 'k', 'cmdline.txt': '' };
    expect(only(tree(files, PI4)).kernel.path).toBe('/kernel8.img');
    expect(only(tree(files, PI3)).kernel.path).toBe('/after.img');
  });

  it('lets a later model filter replace an earlier one and [board-type=…] stay false', () => {
    const files = { 'config.txt': '[pi3]\n[pi4]\nkernel=four.img\n[board-type=0x11]\nkernel=bt.img\n[all]\n', 'four.img': 'k', 'cmdline.txt': '' };
    expect(only(tree(files, PI4)).kernel.path).toBe('/four.img');
  });

  it('bounds include chains and refuses oversized includes', () => {
    const chain: Record<string, string> = { 'config.txt': 'kernel=k.img\ninclude c1.txt\n', 'k.img': 'k', 'cmdline.txt': '' };
    for (let i = 1; i < 20; i++) chain[`c${i}.txt`] = `dtoverlay=o${i}\ninclude c${i + 1}.txt\n`;
    const deep = tree(chain);
    expect(deep.problems.some((p) => /nested deeper/.test(p.message))).toBe(true);
    expect(only(deep).overlays.length).toBeLessThan(10);

    const big = tree({ 'config.txt': 'kernel=k.img\ninclude big.txt\n', 'k.img': 'k', 'cmdline.txt': '', 'big.txt': '#'.repeat(2 * 1024 * 1024) });
    expect(big.problems).toEqual([expect.objectContaining({ file: '/config.txt', line: 2, message: expect.stringMatching(/refused \/big\.txt/) })]);
  });

  it('uses upstream/ under upstream_kernel=1 when kernel and DTB are there, with the overlays it has', () => {
    const entry = only(
      tree({
        'config.txt': 'upstream_kernel=1\narm_64bit=1\ndtoverlay=vc4-kms-v3d\n',
        'kernel8.img': 'k',
        'bcm2711-rpi-4-b.dtb': 'd',
        'upstream/kernel8.img': 'k',
        'upstream/bcm2711-rpi-4-b.dtb': 'd',
        'upstream/cmdline.txt': 'root=/dev/upstream',
        'upstream/overlays/README': 'r',
      }),
    );
    expect(entry.kernel.path).toBe('/upstream/kernel8.img');
    expect(entry.dtb?.path).toBe('/upstream/bcm2711-rpi-4-b.dtb');
    expect(paths(entry.overlays)).toEqual(['/upstream/overlays/vc4-kms-v3d.dtbo']);
    expect(entry.cmdline).toBe('root=/dev/upstream');
  });

  it('falls back to the downstream DTB under upstream_kernel=1 and adds the upstream overlay', () => {
    const entry = only(tree({ 'config.txt': 'upstream_kernel=1\nkernel=k.img\n', 'k.img': 'k', 'bcm2710-rpi-3-b.dtb': 'd', 'cmdline.txt': '' }, PI3));
    expect(entry.dtb?.path).toBe('/bcm2710-rpi-3-b.dtb');
    expect(paths(entry.overlays)).toEqual(['/overlays/upstream.dtbo']);
  });

  it('lets an absolute name bypass os_prefix', () => {
    const entry = only(
      tree({ 'config.txt': 'os_prefix=a/\nkernel=/common.img\n', 'common.img': 'k', 'a/common.img': 'x', 'bcm2711-rpi-4-b.dtb': 'd', 'a/bcm2711-rpi-4-b.dtb': 'd', 'a/cmdline.txt': '' }),
    );
    expect(entry.kernel.path).toBe('/common.img');
    expect(entry.dtb?.path).toBe('/a/bcm2711-rpi-4-b.dtb');
  });

  it('passes no DTB for an empty device_tree=', () => {
    const entry = only(tree({ 'config.txt': 'kernel=k.img\ndevice_tree=\n', 'k.img': 'k', 'bcm2711-rpi-4-b.dtb': 'd', 'cmdline.txt': '' }));
    expect(entry.dtb).toBeNull();
    expect(entry.dtbReason).toMatch(/empty device_tree=/);
  });
});

describe('parseRpi: dtoverlay= and dtparam=, in config.txt order', () => {
  const boot = { 'kernel8.img': 'k', 'cmdline.txt': 'root=/dev/mmcblk0p2', 'bcm2711-rpi-4-b.dtb': 'd' };
  /** overlay_map.dtb as the firmware's is made: dtc from source. */
  const overlayMap = (dts: string) => compileDts(`/dts-v1/;\n/ { ${dts} };\n`);

  it('gives each overlay the parameters on its line and on the dtparam lines after it; a bare dtoverlay= hands them back to the base', () => {
    const config = [
      'dtparam=audio=on',
      'dtoverlay=i2c-rtc,ds3231,addr=0x68',
      'dtparam=wakeup-source',
      'dtoverlay=',
      'dtparam=i2c_arm=on,spi=on',
      'device_tree_overlay=disable-bt',
      'device_tree_param=krnbt=off',
    ].join('\n');
    const entry = only(tree({ ...boot, 'config.txt': `${config}\n` }));
    expect(entry.overlays).toEqual([
      { path: '/overlays/i2c-rtc.dtbo', params: [{ name: 'ds3231', value: null }, { name: 'addr', value: '0x68' }, { name: 'wakeup-source', value: null }] },
      { path: '/overlays/disable-bt.dtbo', params: [{ name: 'krnbt', value: 'off' }] },
    ]);
    expect(entry.dtparams).toEqual([{ name: 'audio', value: 'on' }, { name: 'i2c_arm', value: 'on' }, { name: 'spi', value: 'on' }]);
  });

  it('follows overlay_map.dtb: the Pi 4 name of an overlay, a rename, and a retired overlay (said, not loaded)', () => {
    const map = overlayMap(`
      vc4-kms-v3d { bcm2835; bcm2711 = "vc4-kms-v3d-pi4"; bcm2712 = "vc4-kms-v3d-pi5"; };
      vc4-kms-v3d-pi4 { bcm2711; };
      pi3-disable-bt { renamed = "disable-bt"; };
      lirc-rpi { deprecated = "use gpio-ir"; };
      only-pi5 { bcm2712; };
      pi4-only-now { bcm2711; deprecated = "gone elsewhere"; };`);
    const config = 'dtoverlay=vc4-kms-v3d,cma-512\ndtoverlay=pi3-disable-bt\ndtoverlay=lirc-rpi\ndtoverlay=only-pi5\ndtparam=gpio_pin=17\ndtoverlay=pi4-only-now\n';
    const result = tree({ ...boot, 'config.txt': config, 'overlays/overlay_map.dtb': map });
    expect(only(result).overlays).toEqual([
      { path: '/overlays/vc4-kms-v3d-pi4.dtbo', params: [{ name: 'cma-512', value: null }] },
      { path: '/overlays/disable-bt.dtbo', params: [] },
      // The platform it lists decides; its deprecation speaks for the others.
      { path: '/overlays/pi4-only-now.dtbo', params: [] },
    ]);
    // The dtparam= line after an overlay that was not loaded goes with it, not to the base tree.
    expect(only(result).dtparams).toEqual([]);
    expect(result.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: dtoverlay=lirc-rpi is not loaded: overlay_map.dtb says it is deprecated (use gpio-ir)',
      '4: dtoverlay=only-pi5 is not loaded: overlay_map.dtb says it is not for this board (bcm2711)',
    ]);
    // On a Pi 3 the same name is the overlay itself.
    expect(paths(only(tree({ ...boot, 'config.txt': 'arm_64bit=1\ndtoverlay=vc4-kms-v3d\n', 'overlays/overlay_map.dtb': map }, PI3)).overlays)).toEqual(['/overlays/vc4-kms-v3d.dtbo']);
  });

  it('reads a garbage overlay_map.dtb as no map at all', () => {
    const entry = only(tree({ ...boot, 'config.txt': 'dtoverlay=vc4-kms-v3d\n', 'overlays/overlay_map.dtb': 'not a tree' }));
    expect(paths(entry.overlays)).toEqual(['/overlays/vc4-kms-v3d.dtbo']);
  });
});
