// Where the loaders that read extlinux.conf/syslinux.cfg look for it, each in its own order.
// Each config found is its own menu, but a file reachable by several of these paths (a `boot -> .`
// symlink on a separate /boot partition, an extlinux.conf that is a symlink to another) is one
// file: the parser reads it once, as the path listed first here, which is the one the loader opens.
//
// U-Boot: distro boot's `boot_prefixes=/ /boot/` and bootstd's default `filename-prefixes`
//   ("/", "/boot/") both open <prefix>extlinux/extlinux.conf, so /extlinux/ comes first.
// SYSLINUX/EXTLINUX (4.00+): the directory it was installed to (the one holding ldlinux.sys),
//   then /boot/syslinux, /syslinux and /; in each, extlinux.conf before syslinux.cfg.
// ISOLINUX (4.03+): /boot/isolinux, /isolinux, /boot/syslinux, /syslinux and /; in each,
//   isolinux.cfg before syslinux.cfg.
import type { SourceFiles } from './types.js';

const UBOOT_PREFIXES = ['/', '/boot/'];
const SYSLINUX_DIRS = ['/boot/syslinux', '/syslinux', '/'];
const SYSLINUX_NAMES = ['extlinux.conf', 'syslinux.cfg'];
const ISOLINUX_DIRS = ['/boot/isolinux', '/isolinux', ...SYSLINUX_DIRS];
const ISOLINUX_NAMES = ['isolinux.cfg', 'syslinux.cfg'];

/**
 * Where `extlinux --install DIR` (or `syslinux -d DIR`) is run on the layouts we know, and the
 * file it leaves there: ldlinux.sys since 4.00, extlinux.sys before. The install directory cannot
 * be read from the boot sector through a file view, so the loader file stands in for it.
 */
const INSTALL_DIRS = ['/boot/extlinux', '/extlinux', '/boot/syslinux', '/syslinux', '/boot', '/'];
const LOADER_FILES = ['ldlinux.sys', 'extlinux.sys'];

/** Every place a config may be, U-Boot's first, then SYSLINUX's, then ISOLINUX's; no path twice. */
export function extlinuxSearchPaths(files: SourceFiles): string[] {
  const installDirs = INSTALL_DIRS.filter((dir) => LOADER_FILES.some((name) => files.stat(inDir(dir, name))?.type === 'file'));
  const paths = [
    ...UBOOT_PREFIXES.map((prefix) => `${prefix}extlinux/extlinux.conf`),
    ...eachIn([...installDirs, ...SYSLINUX_DIRS], SYSLINUX_NAMES),
    ...eachIn(ISOLINUX_DIRS, ISOLINUX_NAMES),
  ];
  return [...new Set(paths)];
}

function eachIn(dirs: readonly string[], names: readonly string[]): string[] {
  return dirs.flatMap((dir) => names.map((name) => inDir(dir, name)));
}

function inDir(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
