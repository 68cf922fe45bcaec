// What the fuzz suite feeds, and to what: every parser of disk data (the boot config formats,
// kexmenu.conf, grubenv, device trees, kernel headers, unified kernel images, blkid's report of a label), the glob
// matcher, the whole per-source scan, and the path resolver over real symlink trees. Seeds are
// the fixtures (test/fixtures/, the hostile ones included); each input is one seed mutated.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDeviceTree } from '../../src/boot/device-tree-build.js';
import { readDiskSettings } from '../../src/config.js';
import { parseBlkidExport } from '../../src/discover/block-devices.js';
import { openIso } from '../../src/discover/iso9660.js';
import { scanSource } from '../../src/discover/scan-source.js';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import type { BootSource } from '../../src/model.js';
import { parseGrubEnv } from '../../src/parsers/grub-env.js';
import { PARSERS } from '../../src/parsers/index.js';
import type { ParseResult } from '../../src/parsers/types.js';
import { identifyKernelImage } from '../../src/platform/kernel-image.js';
import { memoryRanges, model, parseFdt, readRootCompatible, rootCompatible } from '../../src/platform/fdt.js';
import { globMatch } from '../../src/text/glob.js';
import { fakeArm64Image, fakeBzImage } from '../helpers/fake-kernel.js';
import { makeUki, renameSections } from '../helpers/uki.js';
import { scriptImage } from '../helpers/uboot-image.js';
import { type MemoryTree, memorySourceFiles } from '../helpers/memory-source.js';
import { type Grammar, mutateText, Pick, withInvalidUtf8 } from './mutate.js';

export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures');

export interface RunResult {
  /** Bytes of the result as JSON. */
  outputBytes: number;
  /** An invariant the result broke, in words; null when it holds. */
  broken: string | null;
}

export interface Target {
  name: string;
  /** Builds case input from the pick; returns its size in bytes and a function that runs it. */
  make(p: Pick): { bytes: number; run: () => RunResult; describe: () => MemoryTree | string };
}

// ---- seeds ----

function loadTree(dir: string, prefix = ''): MemoryTree {
  const tree: MemoryTree = {};
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const at = `${prefix}/${name}`;
    const st = lstatSync(full);
    if (st.isSymbolicLink()) tree[at] = { link: readlinkSync(full) };
    else if (st.isDirectory()) Object.assign(tree, loadTree(full, at), { [at]: tree[at] ?? { dir: true } });
    else if (st.isFile() && st.size <= 256 * 1024) tree[at] = readFileSync(full);
  }
  return tree;
}

function trees(...dirs: string[]): MemoryTree[] {
  const out: MemoryTree[] = [];
  for (const dir of dirs) {
    const full = path.join(FIXTURES, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) {
      const caseDir = path.join(full, name);
      if (!lstatSync(caseDir).isDirectory()) continue;
      const root = existsSync(path.join(caseDir, 'tree')) ? path.join(caseDir, 'tree') : caseDir;
      out.push(loadTree(root));
    }
  }
  return out;
}

const text = (node: MemoryTree[string] | undefined): string | null =>
  typeof node === 'string' ? node : node instanceof Uint8Array ? new TextDecoder().decode(node) : null;

/** Config-like files of a tree (not kernels or initrds): the ones worth mutating. */
function configFiles(tree: MemoryTree, pattern: RegExp): string[] {
  return Object.keys(tree).filter((p) => pattern.test(p) && text(tree[p]) !== null && !/\0/.test(text(tree[p])!.slice(0, 512)));
}

// ---- tree mutation shared by the config formats ----

const SYMLINK_SHAPES = ['nx/../../../../etc/passwd', '../../../../../proc/kmsg', '/', '.', '..', 'loop', '/boot/../../x', 'a/b/c/../../../..'];

function mutateTree(p: Pick, seeds: MemoryTree[], pattern: RegExp, grammar: Grammar): MemoryTree {
  const tree: MemoryTree = { ...p.one(seeds) };
  const targets = configFiles(tree, pattern);
  const others = seeds.flatMap((t) => configFiles(t, pattern).map((f) => text(t[f])!));
  const file = targets.length > 0 ? p.one(targets) : null;
  if (file) {
    const mutated = mutateText(p, text(tree[file])!, grammar, others);
    tree[file] = p.chance(0.05) ? withInvalidUtf8(p, mutated) : mutated;
  }
  if (p.chance(0.08)) {
    const victim = p.one(Object.keys(tree));
    tree[victim] = p.chance(0.2) ? { link: victim.split('/').pop()! } : { link: p.one(SYMLINK_SHAPES) };
  }
  if (p.chance(0.02)) tree[p.one(Object.keys(tree))] = { other: true };
  return tree;
}

function checkParse(result: ParseResult): RunResult {
  const json = JSON.stringify(result);
  let broken: string | null = null;
  for (const e of result.entries) {
    for (const ref of [e.kernel, ...e.initrd, ...(e.dtb ? [e.dtb] : []), ...e.overlays]) {
      if (!ref.path.startsWith('/') || ref.path.split('/').includes('..')) broken = `an entry names ${JSON.stringify(ref.path)}, not a path inside the source`;
    }
    if (e.label.length > 256) broken = `a label of ${e.label.length} characters`;
    if (e.initrd.length > 64) broken = `${e.initrd.length} initrds in one entry`;
  }
  if (result.entries.length > 10_000) broken = `${result.entries.length} entries`;
  if (result.problems.length > 1000) broken = `${result.problems.length} problems`;
  return { outputBytes: json.length, broken };
}

function parserTarget(format: string, seeds: MemoryTree[], pattern: RegExp, grammar: Grammar, boards: string[][] = [[]]): Target {
  const parser = PARSERS.find((x) => x.format === format)!;
  return {
    name: format,
    make(p) {
      const tree = mutateTree(p, seeds, pattern, grammar);
      const board = p.one(boards);
      const arch = p.chance(0.3) ? 'aarch64' : 'x86_64';
      const files = memorySourceFiles(tree); // building the tree is not the parser's time
      return {
        bytes: sizeOf(tree),
        run: () => checkParse(parser.parse({ files, board, arch })),
        describe: () => tree,
      };
    },
  };
}

function sizeOf(tree: MemoryTree): number {
  let n = 0;
  for (const node of Object.values(tree)) n += typeof node === 'string' ? node.length : node instanceof Uint8Array ? node.length : 0;
  return n;
}

const GRUB: Grammar = {
  tokens: ['menuentry', 'submenu', 'if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'function', 'set', 'unset', 'export',
    'source', '.', 'configfile', 'load_env', 'save_env', 'blscfg', 'search', '--set=root', '--fs-uuid', 'linux', 'linux16', 'initrd', 'devicetree',
    'chainloader', 'true', 'false', '[', ']', '-f', '-e', '-z', '!', '$root', '${prefix}', '$1', '$@', '"$a$a"', 'a=$a$a', 'default=0', 'timeout=5', '{', '}', ';'],
  nests: [['if true; then', 'fi'], ['if [ "$grub_platform" = efi ]; then', 'else true; fi'], ['{', '}'], ['menuentry x {', '}'], ['submenu s {', '}'],
    ['for i in 1 2 3; do', 'done'], ['function f {', '}'], ['while false; do', 'done']],
};
const EXTLINUX: Grammar = {
  tokens: ['LABEL', 'MENU LABEL', 'MENU BEGIN', 'MENU END', 'MENU TITLE', 'MENU DEFAULT', 'KERNEL', 'LINUX', 'INITRD', 'APPEND', 'FDT', 'FDTDIR', 'FDTOVERLAYS',
    'DEFAULT', 'TIMEOUT', 'PROMPT', 'ONTIMEOUT', 'INCLUDE', 'MENU INCLUDE', 'TEXT', 'ENDTEXT', 'UI', 'COM32', 'LOCALBOOT', 'initrd=a,b', '-'],
  nests: [['MENU BEGIN m', 'MENU END'], ['TEXT HELP', 'ENDTEXT']],
};
const BLS: Grammar = {
  tokens: ['title', 'version', 'linux', 'initrd', 'options', 'devicetree', 'devicetree-overlay', 'architecture', 'sort-key', 'machine-id', 'efi', 'uki',
    'default', 'timeout', 'menu-force', '@saved', '*', '[a-z]*', '[!0-9]', '$kernelopts'],
  nests: [['', '']],
};
const RPI: Grammar = {
  tokens: ['[pi3]', '[pi4]', '[all]', '[none]', '[cm4]', '[tryboot]', '[gpio4=1]', 'kernel=', 'initramfs', 'followkernel', 'ramfsfile=', 'device_tree=', 'os_prefix=',
    'overlay_prefix=', 'dtoverlay=', 'dtparam=', 'arm_64bit=1', 'upstream_kernel=1', 'auto_initramfs=1', 'include', 'cmdline=', 'kernel8.img'],
  nests: [['[pi4]', '[all]'], ['[none]', '[all]']],
};
const CONF: Grammar = {
  tokens: ['timeout = ', 'default = ', 'console = ', 'password = ', 'sha256:', 'scrypt:', '*', '?', '"', "'", '#', '='],
  nests: [['"', '"']],
};

const PI_BOARDS = [[], ['raspberrypi,3-model-b', 'brcm,bcm2837'], ['raspberrypi,4-model-b', 'brcm,bcm2711'], ['raspberrypi,5-model-b', 'brcm,bcm2712']];

// ---- the other targets ----

function kexmenuConfTarget(): Target {
  const seeds = ['timeout = 3\ndefault = "Debian*"\nconsole=ttyS0,115200\n', 'default = *a*a*a*a*a*a*a*a*a*a*a*a*b\n', `password = sha256:${'0'.repeat(64)}\ntimeout=-1\n`, 'default = vda1:grub:2\n'];
  const labels = ['a'.repeat(40), 'Debian GNU/Linux', 'Advanced options for Debian GNU/Linux > Debian GNU/Linux, with Linux 6.1.0-27-amd64 (recovery mode)', ''];
  return {
    name: 'kexmenu.conf',
    make(p) {
      const conf = mutateText(p, p.one(seeds), CONF, seeds);
      const label = p.chance(0.1) ? mutateText(p, p.one(labels), CONF, labels) : p.one(labels);
      const files = memorySourceFiles({ '/kexmenu.conf': conf });
      return {
        bytes: conf.length,
        run: () => {
          const { settings, problems } = readDiskSettings(files);
          const matched = settings?.default ? globMatch(settings.default, label) : false;
          return { outputBytes: JSON.stringify({ settings, problems, matched }).length, broken: null };
        },
        describe: () => conf,
      };
    },
  };
}

function grubenvTarget(): Target {
  const seeds = ['grub/fedora-blscfg/tree/grub2/grubenv', 'grub/debian-root/tree/boot/grub/grubenv', 'grub/ubuntu/tree/boot/grub/grubenv'].map((f) => readFileSync(path.join(FIXTURES, f), 'utf8'));
  const grammar: Grammar = { tokens: ['saved_entry=', 'next_entry=', 'kernelopts=', '\\', '\\\n', '#', '='], nests: [['', '']] };
  return {
    name: 'grubenv',
    make(p) {
      const env = mutateText(p, p.one(seeds), grammar, seeds);
      return { bytes: env.length, run: () => ({ outputBytes: JSON.stringify([...(parseGrubEnv(env) as { vars?: Map<string, string> }).vars ?? []]).length, broken: null }), describe: () => env };
    },
  };
}

function dtbSeeds(): Uint8Array[] {
  const dts = path.join(FIXTURES, 'machines/dts');
  return readdirSync(dts)
    .filter((n) => n.endsWith('.dts'))
    .map((n) => new Uint8Array(execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', path.join(dts, n)])));
}

function mutateBytes(p: Pick, seed: Uint8Array): Uint8Array {
  const out = new Uint8Array(p.chance(0.1) ? seed.slice(0, p.int(seed.length + 1)) : seed);
  const flips = p.count(32);
  for (let i = 0; i < flips && out.length > 0; i++) {
    const at = p.chance(0.5) ? p.int(Math.min(out.length, 64)) : p.int(out.length);
    out[at] = p.chance(0.5) ? p.int(256) : p.one([0, 0xff, 0x7f, 0x80, 0x10, 0x01]);
  }
  return out;
}

function fdtTarget(): Target {
  const seeds = dtbSeeds();
  return {
    name: 'fdt',
    make(p) {
      const bytes = mutateBytes(p, p.one(seeds));
      return {
        bytes: bytes.length,
        run: () => {
          const tree = parseFdt(bytes);
          const piecewise = readRootCompatible((offset, length) => bytes.slice(offset, offset + length));
          const facts = tree ? { compatible: rootCompatible(tree), model: model(tree), memory: memoryRanges(tree).map((r) => String(r.size)) } : null;
          // Read whole or piece by piece, a tree's root compatible is the same.
          const broken = tree && piecewise && JSON.stringify(piecewise) !== JSON.stringify(rootCompatible(tree)) ? 'readRootCompatible disagrees with parseFdt' : null;
          return { outputBytes: JSON.stringify({ facts, piecewise }).length, broken };
        },
        describe: () => Buffer.from(bytes).toString('base64'),
      };
    },
  };
}

/** Overlays in the Raspberry Pi's style, each with parameters of every form its __overrides__ uses. */
const OVERLAY_SEEDS = [
  `/plugin/; / { fragment@0 { target = <&i2c1>; __overlay__ { #address-cells = <1>; #size-cells = <0>; status = "okay";
     rtc: rtc@68 { compatible = "dallas,ds1307"; reg = <0x68>; status = "disabled"; }; }; };
     fragment@1 { target-path = "/"; __dormant__ { extra { value = "x"; }; }; };
     __overrides__ { ds3231 = <&rtc>,"compatible=maxim,ds3231", <&rtc>,"status"; addr = <&rtc>,"reg:0";
       wakeup = <&rtc>,"wakeup-source?"; extra = <0>,"+1"; mode = <&rtc>,"mode{fast=1,slow=0}"; bytes = <&rtc>,"mac["; }; };`,
  `/plugin/; / { fragment@0 { target = <&uart0>; __overlay__ { status = "disabled"; }; };
     fragment@1 { target-path = "/soc"; __overlay__ { node: thing@1 { reg = <1>; link = <&node>; }; }; }; };`,
];
const BASE_SEED = `/ { #address-cells = <1>; #size-cells = <1>; compatible = "raspberrypi,4-model-b";
  soc { i2c1: i2c@7e804000 { status = "disabled"; }; uart0: serial@7e201000 { status = "okay"; }; };
  __overrides__ { i2c_arm = <&i2c1>,"status"; baud = <&i2c1>,"clock-frequency:0"; }; };`;

/** A .dtbo and its parameters from a stranger's disk, applied to a base tree (also mutated). */
function overlayTarget(): Target {
  const compile = (dts: string) => new Uint8Array(execFileSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb'], { input: `/dts-v1/;\n${dts}` }));
  const overlays = OVERLAY_SEEDS.map(compile);
  const bases = [compile(BASE_SEED), ...dtbSeeds()];
  const names = ['ds3231', 'addr', 'wakeup', 'extra', 'mode', 'bytes', 'i2c_arm', 'baud', 'nosuch'];
  const values = [null, 'on', 'off', '0x68', '99999999999999999999', 'fast', 'zz', 'b8:27:eb:00:00:01', ''];
  return {
    name: 'overlay',
    make(p) {
      const base = p.chance(0.3) ? mutateBytes(p, p.one(bases)) : p.one(bases);
      const overlay = mutateBytes(p, p.one(overlays));
      const params = Array.from({ length: p.count(4) }, () => ({ name: p.one(names), value: p.one(values) }));
      return {
        bytes: base.length + overlay.length,
        run: () => {
          const built = buildDeviceTree({ base, baseIsFirmware: true, firmware: null, dtparams: params.slice(0, 1), overlays: [{ path: '/o.dtbo', bytes: overlay, params }], seed: new Uint8Array(0) });
          // What was built is a tree a kernel can read: it parses back.
          const broken = built.ok && parseFdt(built.dtb) === null ? 'built a tree that does not parse back' : null;
          return { outputBytes: JSON.stringify(built.report).length + (built.ok ? built.dtb.length : 0), broken };
        },
        describe: () => JSON.stringify({ base: Buffer.from(base).toString('base64'), overlay: Buffer.from(overlay).toString('base64'), params }),
      };
    },
  };
}

function kernelTarget(): Target {
  const arm = fakeArm64Image();
  const seeds = [fakeBzImage(), arm, gzipSync(arm), gzipSync(fakeBzImage()), readFileSync(path.join(FIXTURES, 'disks/debian-root/boot/vmlinuz-6.1.0-27-amd64'))].map((b) => new Uint8Array(b));
  return {
    name: 'kernel image',
    make(p) {
      const bytes = mutateBytes(p, p.one(seeds));
      return { bytes: bytes.length, run: () => ({ outputBytes: JSON.stringify(identifyKernelImage(bytes)).length, broken: null }), describe: () => Buffer.from(bytes).toString('base64') };
    },
  };
}

/** Unified kernel images made with objcopy over Debian's stub, their headers and section table mutated. */
function ukiTarget(): Target {
  const kernel = fakeBzImage();
  const seeds = [
    makeUki('x64', [['.osrel', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'], ['.cmdline', 'root=/dev/vda2 quiet'], ['.uname', '6.1.0-27-amd64'], ['.initrd', 'initrd'], ['.linux', kernel]]),
    renameSections(makeUki('x64', [['.linux', kernel], ['.prof0', 'ID=a\n'], ['.prof1', 'TITLE="b"\n'], ['.cmd1', 'quiet']]), { '.prof0': '.profile', '.prof1': '.profile', '.cmd1': '.cmdline' }),
  ].map((b) => new Uint8Array(b));
  const parser = PARSERS.find((x) => x.format === 'uki')!;
  return {
    name: 'uki',
    make(p) {
      const image = new Uint8Array(p.chance(0.1) ? p.one(seeds).slice(0, p.int(p.one(seeds).length + 1)) : p.one(seeds));
      // The PE headers and the section table are in the first kilobyte.
      for (let i = p.count(32); i > 0 && image.length > 0; i--) image[p.int(Math.min(image.length, 1024))] = p.int(256);
      const tree: MemoryTree = { '/EFI/Linux/image.efi': image };
      const files = memorySourceFiles(tree);
      return {
        bytes: image.length,
        run: () => {
          const result = parser.parse({ files, board: [], arch: 'x86_64' });
          const outside = result.entries.flatMap((e) => [e.inside!.linux, ...e.inside!.initrds]).find((r) => r.offset + r.size > image.length);
          return { ...checkParse(result), ...(outside && { broken: `a section at ${outside.offset} (${outside.size} bytes) past the end of a ${image.length}-byte image` }) };
        },
        describe: () => Buffer.from(image).toString('base64'),
      };
    },
  };
}

function blkidTarget(): Target {
  const seeds = ['DEVNAME=/dev/vda1\nUUID=5f0c6b4e-8d7a-4c39-9a51-6b1e2d3c4a01\nLABEL=rootfs\nTYPE=ext4\nPART_ENTRY_UUID=feedf00d-01\n', 'LABEL=ESP\\x20DISK\nTYPE=vfat\n'];
  const grammar: Grammar = { tokens: ['LABEL=', 'TYPE=', 'UUID=', '\\x20', '='], nests: [['', '']] };
  return {
    name: 'blkid report',
    make(p) {
      const out = mutateText(p, p.one(seeds), grammar, seeds);
      return { bytes: out.length, run: () => ({ outputBytes: JSON.stringify(parseBlkidExport(out)).length, broken: null }), describe: () => out };
    },
  };
}

/** A reference glob matcher: exhaustive, only for short inputs, to check the linear one's answers. */
function referenceGlob(pattern: string, text: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === pattern.length) r = j === text.length;
    else if (pattern[i] === '*') r = go(i + 1, j) || (j < text.length && go(i, j + 1));
    else r = j < text.length && (pattern[i] === '?' || pattern[i] === text[j]) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

function globTarget(): Target {
  return {
    name: 'glob',
    make(p) {
      const alphabet = ['a', 'b', '*', '?', '*a', 'a*'];
      const short = p.chance(0.7);
      const pattern = Array.from({ length: short ? p.int(10) : p.count(4096) }, () => p.one(alphabet)).join('');
      const text = Array.from({ length: short ? p.int(10) : p.count(256) }, () => p.one(['a', 'b'])).join('');
      return {
        bytes: pattern.length + text.length,
        run: () => {
          const got = globMatch(pattern, text);
          const broken = short && got !== referenceGlob(pattern, text) ? `globMatch(${pattern}, ${text}) = ${got}` : null;
          return { outputBytes: 1, broken };
        },
        describe: () => `${pattern}\n${text}`,
      };
    },
  };
}

/** The whole per-source scan (parsers, resolution, kernel headers, kexmenu.conf, bounds) over a mutated tree of any format. */
function sourceTarget(all: MemoryTree[]): Target {
  const any: Grammar = { tokens: [...GRUB.tokens, ...EXTLINUX.tokens, ...BLS.tokens, ...RPI.tokens], nests: [...GRUB.nests, ...EXTLINUX.nests] };
  return {
    name: 'whole source',
    make(p) {
      const tree = mutateTree(p, all, /\.(cfg|conf|txt)$|grubenv$/, any);
      const source: BootSource = { id: 'fuzz', root: '/fuzz', device: null, fstype: null, label: null, uuid: null, partuuid: null, removable: false, size: null };
      const files = memorySourceFiles(tree);
      const board = p.one(PI_BOARDS);
      return {
        bytes: sizeOf(tree),
        run: () => {
          const result = scanSource({ sources: [source], index: 0, board, arch: 'x86_64' }, () => files);
          const broken = result.entries.some((e) => !e.kernel.startsWith('/fuzz/') || e.kernel.includes('/../')) ? 'an entry outside its source' : null;
          return { outputBytes: JSON.stringify(result).length, broken };
        },
        describe: () => tree,
      };
    },
  };
}

/**
 * The resolver over a real directory: a random tree of files, directories and symlinks (loops,
 * absolute, through missing directories, .. chains) beside a canary outside it. Whatever the
 * path, a read never returns the canary and a canonical path names a real file inside the root.
 */
function resolverTarget(workDir: string): Target {
  const names = ['a', 'b', 'boot', 'grub', 'grub.cfg', '..', '.', 'nx', 'x'];
  let serial = 0;
  return {
    name: 'path resolver',
    make(p) {
      const base = path.join(workDir, `r${serial++ % 64}`);
      const root = path.join(base, 'root');
      const entries: string[] = [];
      const link = () => {
        const parts = Array.from({ length: p.count(12) }, () => p.one(names));
        return (p.chance(0.3) ? '/' : '') + parts.join('/');
      };
      const make = () => {
        rmSync(base, { recursive: true, force: true });
        mkdirSync(root, { recursive: true });
        writeFileSync(path.join(base, 'canary'), 'CANARY');
        const dirs = [''];
        for (let i = 0; i < p.count(24); i++) {
          const dir = p.one(dirs);
          const name = p.one(names.filter((n) => n !== '..' && n !== '.'));
          const at = path.join(root, dir, name);
          if (existsSync(at) || lstatExists(at)) continue;
          const kind = p.int(3);
          if (kind === 0) writeFileSync(at, `file ${dir}/${name}`);
          else if (kind === 1) {
            mkdirSync(at);
            dirs.push(`${dir}/${name}`);
          } else symlinkSync(p.chance(0.2) ? `nx/${'../'.repeat(p.count(8))}canary` : link(), at);
          entries.push(`${dir}/${name}`);
        }
      };
      make();
      const paths = Array.from({ length: 8 }, () => (p.chance(0.5) && entries.length ? p.one(entries) + (p.chance(0.3) ? `/${link()}` : '') : `/${link()}`));
      return {
        bytes: paths.join('').length,
        run: () => {
          const files = fsSourceFiles(root);
          let broken: string | null = null;
          for (const q of paths) {
            const read = files.read(q);
            if (read.ok && read.text === 'CANARY') broken = `read ${q} gave the file outside the root`;
            const canonical = files.canonical(q);
            if (canonical !== null && (canonical.split('/').includes('..') || !lstatExists(path.join(root, canonical)))) broken = `canonical(${q}) = ${canonical}`;
            if (canonical !== null && lstatSync(path.join(root, canonical)).isSymbolicLink()) broken = `canonical(${q}) = ${canonical} is a symlink`;
          }
          return { outputBytes: paths.length, broken };
        },
        describe: () => ({ paths: paths.join('\n') }),
      };
    },
  };
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function allTargets(workDir: string): Target[] {
  const grub = trees('grub', 'hostile').concat(trees('disks'));
  const extlinux = trees('extlinux', 'disks', 'hostile');
  const bls = trees('bls', 'hostile');
  const rpi = trees('rpi', 'disks', 'hostile');
  const raw = trees('raw', 'disks');
  const rawGrammar: Grammar = { tokens: ['vmlinuz-', 'initrd.img-', 'initramfs-', '.img', 'kernel-genkernel-x86_64-', 'Image', 'zImage', 'bzImage', '-fallback', '.old', '6.1.0-27-amd64', 'linux', 'lts'], nests: [['', '']] };
  return [
    parserTarget('grub', grub, /\.cfg$|grubenv$|\/loader\/entries\/.*\.conf$/, GRUB),
    parserTarget('extlinux', extlinux, /extlinux\.conf$|syslinux\.cfg$|isolinux\.cfg$|\.conf$/, EXTLINUX, [[], ['raspberrypi,3-model-b']]),
    parserTarget('bls', bls, /loader\/entries\/.*\.conf$|loader\.conf$/, BLS),
    parserTarget('rpi', rpi, /config\.txt$|cmdline\.txt$|\.txt$/, RPI, PI_BOARDS),
    ubootScriptTarget(trees('uboot-script', 'hostile')),
    rawTarget(raw, rawGrammar),
    kexmenuConfTarget(),
    grubenvTarget(),
    fdtTarget(),
    overlayTarget(),
    kernelTarget(),
    ukiTarget(),
    blkidTarget(),
    globTarget(),
    sourceTarget([...grub, ...extlinux, ...bls, ...rpi]),
    resolverTarget(workDir),
    isoTarget(workDir),
  ];
}

const UBOOT: Grammar = {
  tokens: ['setenv', 'env set', 'env import -t', 'run', 'source', 'load', 'fatload', 'ext4load', 'booti', 'bootz', 'bootm', 'fdt addr', 'fdt apply', 'test -e',
    'test -n', 'itest', 'setexpr', 'part uuid', 'unzip', '${devtype} ${devnum}:${distro_bootpart}', '${kernel_addr_r}', '${ramdisk_addr_r}', '${fdt_addr_r}',
    '${prefix}', '${filesize}', '$a$a', '"', "'", '\\', '&&', '||', ';', '!', '/../', 'fdtfile=', 'overlays=', 'extraargs=', 'rootdev='],
  nests: [['if true; then', 'fi'], ['if itest 1 == 1; then', 'else true; fi'], ['for o in ${overlays}; do', 'done'], ['while true; do', 'done'], ['"', '"']],
};

/** U-Boot scripts: boot.cmd and the env files mutated, then often wrapped as boot.scr (sometimes with bytes bent). */
function ubootScriptTarget(seeds: MemoryTree[]): Target {
  const parser = PARSERS.find((x) => x.format === 'uboot-script')!;
  return {
    name: 'uboot-script',
    make(p) {
      const tree = mutateTree(p, seeds, /boot\.cmd$|Env\.txt$|\.cfg$|\.conf$/, UBOOT);
      const cmd = Object.keys(tree).find((f) => f.endsWith('/boot.cmd'));
      const text = cmd ? tree[cmd] : undefined;
      if (cmd && (typeof text === 'string' || text instanceof Uint8Array) && p.chance(0.7)) {
        const image = scriptImage(typeof text === 'string' ? text : new Uint8Array(text));
        for (let i = p.chance(0.1) ? p.count(4) : 0; i > 0; i--) image[p.int(image.length)] = p.int(256);
        tree[cmd.replace(/boot\.cmd$/, 'boot.scr')] = image;
      }
      const files = memorySourceFiles(tree);
      return { bytes: sizeOf(tree), run: () => checkParse(parser.parse({ files, board: [], arch: 'aarch64' })), describe: () => tree };
    },
  };
}

/** Raw discovery: the files in /boot renamed after kernel and initrd naming schemes, mutated. */
function rawTarget(seeds: MemoryTree[], grammar: Grammar): Target {
  const parser = PARSERS.find((x) => x.format === 'raw')!;
  return {
    name: 'raw',
    make(p) {
      const tree: MemoryTree = {};
      for (const [file, node] of Object.entries(p.one(seeds))) {
        const dir = path.posix.dirname(file);
        const name = p.chance(0.3) ? mutateText(p, path.posix.basename(file), grammar, []).replace(/[/\0]/g, '_').slice(0, 255) : path.posix.basename(file);
        tree[`${dir === '/' ? '' : dir}/${name || 'x'}`] = node;
      }
      for (let i = p.chance(0.02) ? p.count(20_000) : 0; i > 0; i--) tree[`/boot/vmlinuz-${i}.${p.int(99)}`] = 'k';
      const files = memorySourceFiles(tree);
      return { bytes: sizeOf(tree), run: () => checkParse(parser.parse({ files, board: [], arch: 'x86_64' })), describe: () => tree };
    },
  };
}

/** Small images the real xorriso makes: Rock Ridge with Joliet, Joliet alone, plain ISO 9660. */
function isoSeeds(workDir: string): Uint8Array[] {
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(path.join(workDir, 'iso-'));
  try {
    const tree = path.join(dir, 'tree');
    const files: Record<string, string> = {
      'boot/grub/grub.cfg': 'menuentry "Live" {\n  linux /live/vmlinuz boot=live\n  initrd /live/initrd.img\n}\n',
      'boot/grub/loopback.cfg': 'source /boot/grub/grub.cfg\n',
      'isolinux/isolinux.cfg': 'default live\nlabel live\n  kernel /live/vmlinuz\n',
      'live/vmlinuz': 'MZ kernel '.repeat(500),
      'live/initrd.img': 'initrd',
      [`docs/${'long-name-'.repeat(24)}.cfg`]: 'names past one record: a continuation area\n',
      'a/b/c/d/e/f/g/h/i/deep.cfg': 'deep\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(tree, name)), { recursive: true });
      writeFileSync(path.join(tree, name), text);
    }
    symlinkSync('live/vmlinuz', path.join(tree, 'vmlinuz'));
    symlinkSync('../../etc/passwd', path.join(tree, 'boot/escape'));
    return [['-R', '-J'], ['--norock', '-J'], ['--norock']].map((args, i) => {
      const out = path.join(dir, `seed${i}.iso`);
      execFileSync('xorriso', ['-as', 'mkisofs', ...args, '-no-pad', '-V', 'FUZZ', '-o', out, tree], { stdio: 'pipe' });
      return new Uint8Array(readFileSync(out));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * ISO 9660 images bent mostly where their volume descriptors and directories are (the first
 * 64 KiB of a small image), opened, listed and read. Never a throw, never a read outside the
 * image, and an extent is inside it and holds the bytes the view reads.
 */
function isoTarget(workDir: string): Target {
  let seeds: Uint8Array[] | null = null;
  const paths = ['/boot/grub/grub.cfg', '/live/vmlinuz', '/vmlinuz', '/boot/escape', '/LIVE/VMLINUZ', '/isolinux/isolinux.cfg', '/a/b/c/d/e/f/g/h/i/deep.cfg', '/docs', '/nothing'];
  return {
    name: 'iso9660',
    make(p) {
      seeds ??= isoSeeds(workDir);
      const seed = p.one(seeds);
      const image = new Uint8Array(p.chance(0.1) ? seed.slice(0, p.int(seed.length + 1)) : seed);
      const hot = Math.min(image.length, 64 * 1024);
      for (let i = p.count(64); i > 0 && image.length >= 4; i--) {
        const at = hot > 32 * 1024 && p.chance(0.8) ? 32 * 1024 + p.int(hot - 32 * 1024) : p.int(image.length - 3);
        if (p.chance(0.7)) image[at] = p.chance(0.5) ? p.int(256) : p.one([0, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x22]);
        else new DataView(image.buffer).setUint32(Math.min(at, image.length - 4), p.one([0, 16, 17, 18, 19, 20, image.length >> 11, 0x7fffffff, 0xffffffff, p.int(64)]), true);
      }
      return {
        bytes: image.length,
        run: () => {
          let broken: string | null = null;
          const opened = openIso((offset, length) => {
            if (!(offset >= 0 && length >= 0 && offset + length <= image.length)) broken ??= `read ${length} bytes at ${offset} of a ${image.length}-byte image`;
            return image.slice(offset, offset + length);
          }, image.length);
          if (typeof opened === 'string') return { outputBytes: opened.length, broken };
          const root = opened.files.list('/') ?? [];
          let outputBytes = root.join('\n').length;
          for (const at of [...paths, ...root.slice(0, 8).map((n) => `/${n}`)]) {
            const read = opened.files.read(at);
            if (read.ok) outputBytes += read.text.length;
            outputBytes += opened.files.list(at)?.length ?? 0;
            const range = opened.extentOf(at);
            if (!range) continue;
            if (range.offset < 0 || range.size < 0 || range.offset + range.size > image.length) broken ??= `${at}: extent ${range.offset}+${range.size} outside a ${image.length}-byte image`;
            const viewed = opened.files.readBytes(at, 0, Math.min(range.size, 65_536));
            if (viewed && !Buffer.from(viewed).equals(image.subarray(range.offset, range.offset + viewed.length))) broken ??= `${at}: the view's bytes are not the extent's`;
          }
          return { outputBytes, broken };
        },
        describe: () => Buffer.from(image).toString('base64'),
      };
    },
  };
}
