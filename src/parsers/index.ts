// Every boot format kexmenu reads, in the order their entries are listed within one source.
// Raw discovery comes last: it only adds kernels that no config names.
import type { BootFormat } from '../model.js';
import { parseBls } from './bls.js';
import { parseExtlinux } from './extlinux.js';
import { parseGrub } from './grub.js';
import { parseRaw } from './raw.js';
import { parseRpi } from './rpi.js';
import { parseUbootScript } from './uboot-script.js';
import { parseUki } from './uki.js';
import type { Parser } from './types.js';

export const PARSERS: readonly { format: BootFormat; parse: Parser }[] = [
  { format: 'grub', parse: parseGrub },
  { format: 'extlinux', parse: parseExtlinux },
  // U-Boot's distro boot tries extlinux.conf before boot.scr under each prefix.
  { format: 'uboot-script', parse: parseUbootScript },
  { format: 'bls', parse: (ctx) => parseBls(ctx) },
  { format: 'uki', parse: parseUki },
  { format: 'rpi', parse: parseRpi },
  { format: 'raw', parse: parseRaw },
];
