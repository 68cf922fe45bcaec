// The hostile disks too large (or too odd: FIFOs, 4,000 sparse files) to keep in git, written on
// demand beside the small ones in test/fixtures/hostile/. Each is what a stranger's USB stick
// could hold; test/fixtures/hostile/README.md says which defect each one found.
//   node --import tsx test/helpers/hostile-disks.ts DIR   writes them all under DIR
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { fakeBzImage } from './fake-kernel.js';

type Maker = (root: string) => void;

function put(root: string, file: string, content: string | Buffer): void {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
}

const kernel = (root: string, file = 'boot/vmlinuz') => put(root, file, fakeBzImage('6.1.0-hostile-amd64'));

/** Repeats `unit` until the text is just under `bytes`. */
function fill(unit: string, bytes: number, head = '', tail = ''): string {
  return head + unit.repeat(Math.floor((bytes - head.length - tail.length) / unit.length)) + tail;
}

const MIB = 1024 * 1024;

export const GENERATED: Record<string, Maker> = {
  /** 1 MiB of `${`: the lexer looked for each one's `}` through the rest of the file. */
  'grub-dollar-brace': (root) => {
    kernel(root);
    put(root, 'boot/grub/grub.cfg', fill('${', MIB - 100, 'menuentry "Real" { linux /boot/vmlinuz }\necho ', '\n'));
  },
  /** 1 MiB of `. /boot/grub/e` lines: 70,000 sources. */
  'grub-source-flood': (root) => {
    kernel(root);
    put(root, 'boot/grub/e', '');
    put(root, 'boot/grub/grub.cfg', fill('. /boot/grub/e\n', MIB - 100, 'menuentry "Real" { linux /boot/vmlinuz }\n'));
  },
  /** load_env 100,000 times. */
  'grub-load-env-flood': (root) => {
    kernel(root);
    put(root, 'boot/grub/grubenv', `# GRUB Environment Block\nsaved_entry=Real\n${'#'.repeat(1024 - 42)}`);
    put(root, 'boot/grub/grub.cfg', fill('load_env\n', MIB - 100, 'menuentry "Real" { linux /boot/vmlinuz }\n'));
  },
  /** A grubenv of short lines without '=': each line looked for '=' through the rest of the file. */
  'grub-env-no-equals': (root) => {
    kernel(root);
    put(root, 'boot/grub/grubenv', fill('x\n', MIB - 100, '# GRUB Environment Block\n'));
    put(root, 'boot/grub/grub.cfg', 'load_env\nmenuentry "Real" { linux /boot/vmlinuz }\n');
  },
  /** 5,000 nested MENU BEGINs (180 KB): each label carried the whole path, 252 MB of JSON. */
  'extlinux-menu-nesting': (root) => {
    kernel(root);
    const depth = 5000;
    const lines = [];
    for (let i = 0; i < depth; i++) lines.push(`MENU BEGIN m${i}`, `MENU TITLE Submenu number ${i} of many`);
    lines.push('LABEL deep', '  LINUX /boot/vmlinuz');
    for (let i = 0; i < depth; i++) lines.push('MENU END', `LABEL l${i}`, '  LINUX /boot/vmlinuz');
    put(root, 'extlinux/extlinux.conf', `${lines.join('\n')}\n`);
  },
  /** 100,000 stray MENU ENDs: 100,000 problems. */
  'extlinux-menu-end-flood': (root) => {
    kernel(root);
    put(root, 'extlinux/extlinux.conf', fill('MENU END\n', 900_000, 'LABEL real\n  LINUX /boot/vmlinuz\n'));
  },
  /** A long first word, a space and a lone CR: /^(\S+)\s*(.*)$/ backtracked over every character. */
  'extlinux-long-line': (root) => {
    kernel(root);
    put(root, 'extlinux/extlinux.conf', `LABEL real\n  LINUX /boot/vmlinuz\n${'a'.repeat(MIB - 100)} b\rc\n`);
  },
  /** The same in a Boot Loader Spec entry (entries are read up to 64 KiB). */
  'bls-long-line': (root) => {
    kernel(root);
    put(root, 'loader/entries/real.conf', `title Real\nlinux /boot/vmlinuz\n${'a'.repeat(60_000)} b\u2028c\n`);
  },
  /** config.txt of 500,000 lines the firmware does not understand: 500,000 problems. */
  'rpi-problem-flood': (root) => {
    put(root, 'kernel8.img', fakeBzImage());
    put(root, 'config.txt', fill('x\n', MIB - 100));
  },
  /** 4,000 sparse 1 MiB .dtb files in an FDTDIR: each was read whole. */
  'fdtdir-sparse': (root) => {
    put(root, 'boot/Image', Buffer.alloc(4096));
    put(root, 'extlinux/extlinux.conf', 'LABEL arm\n  LINUX /boot/Image\n  FDTDIR /boot/dtbs\n');
    mkdirSync(path.join(root, 'boot/dtbs'), { recursive: true });
    for (let i = 0; i < 4000; i++) {
      const fd = openSync(path.join(root, 'boot/dtbs', `board-${String(i).padStart(4, '0')}.dtb`), 'w');
      ftruncateSync(fd, MIB);
      closeSync(fd);
    }
  },
  /** 10,000 ordinary GRUB entries: not hostile, just many (the bench's figure). */
  'grub-10000-entries': (root) => {
    kernel(root);
    put(root, 'boot/initrd.img', 'initrd');
    const entries = [];
    for (let i = 0; i < 10_000; i++) entries.push(`menuentry "Entry ${i}" {\n linux /boot/vmlinuz ro n=${i}\n initrd /boot/initrd.img\n}\n`);
    put(root, 'boot/grub/grub.cfg', entries.join(''));
  },
  /**
   * grub.cfg and config.txt as symlinks through a missing directory to /proc/kmsg, wherever the
   * disk is: a regular file whose read blocks until the kernel logs something (as root).
   */
  'escape-to-kmsg': (root) => {
    kernel(root);
    mkdirSync(path.join(root, 'boot/grub'), { recursive: true });
    const up = '../'.repeat(64);
    symlinkSync(`nx/${up}proc/kmsg`, path.join(root, 'boot/grub/grub.cfg'));
    symlinkSync(`nx/${up}proc/kmsg`, path.join(root, 'config.txt'));
  },
};

/** Writes the generated disk `name` at `root` (which must not exist yet); returns root. */
export function makeHostileDisk(name: keyof typeof GENERATED, root: string): string {
  mkdirSync(root, { recursive: true });
  GENERATED[name]!(root);
  return root;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node --import tsx test/helpers/hostile-disks.ts DIR');
  for (const name of Object.keys(GENERATED)) makeHostileDisk(name, path.join(out, name));
}
