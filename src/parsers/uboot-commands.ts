// The U-Boot commands a boot script uses to choose what it boots, as kexmenu reads them. Each
// returns the command's status: true, false, or null when it depends on what kexmenu cannot
// know. Commands that only talk, wait or probe hardware are harmless and succeed; commands whose
// effect kexmenu cannot follow are a problem at their line.
import { FILES_PER_ENTRY } from './limits.js';
import { normalizeSourcePath } from './source-path.js';
import { readEnvText } from './uboot-env.js';
import { readScriptImage } from './uboot-image.js';
import type { Placed, Shell } from './uboot-interpreter.js';
import { UBOOT_LIMITS } from './uboot-limits.js';
import { evaluateTest, type Tri } from './uboot-test.js';
import { joinCmdline, splitCmdline, type KernelArgs } from '../boot/cmdline.js';
import { fromDisk, hasUnknown } from './uboot-unknown.js';

type Handler = (shell: Shell, args: string[], line: number, name: string) => Tri;

/** Scripts and environment files are read up to this size (U-Boot's own are a few KiB). */
const MAX_SCRIPT_BYTES = 1024 * 1024;
const MAX_ENV_BYTES = 64 * 1024;

/** Output, waiting and hardware set-up: nothing a menu needs to follow. */
const HARMLESS = new Set([
  'echo', 'sleep', 'kaslrseed', 'usb', 'gpio', 'led', 'i2c', 'pci', 'nvme', 'scsi', 'mmc', 'printenv', 'version', 'bdinfo',
  'saveenv', 'showlogo', 'bmp', 'cls', 'ls', 'fatls', 'ext4ls', 'ext2ls', 'coninfo', 'dm', 'true',
]);
/** Boots through something other than a kernel at an address, or over the network. */
const OTHER_BOOTS = new Set(['bootefi', 'bootflow', 'bootstd', 'sysboot', 'pxe', 'dhcp', 'tftpboot', 'tftp', 'nfs', 'bootp', 'wget', 'boot', 'bootd', 'bootmenu']);

const COMMANDS: Record<string, Handler> = {
  false: () => false,
  setenv: (shell, args, line) => setenv(shell, args, line),
  env: envCommand,
  test: (shell, args) => testCommand(shell, args),
  itest: () => null,
  load: load,
  ext4load: load,
  ext2load: load,
  fatload: load,
  size: sizeCommand,
  fdt: fdtCommand,
  booti: bootCommand,
  bootz: bootCommand,
  bootm: bootCommand,
  run: runCommandVariables,
  source: sourceCommand,
  exit: (shell) => end(shell),
  reset: (shell) => end(shell),
  poweroff: (shell) => end(shell),
  part: partCommand,
  setexpr: (shell, args, line) => {
    if (args[0]) shell.set(args[0], shell.unknowns.marker(`${args[0]} (from setexpr, line ${line})`), line);
    return true;
  },
  unzip: unzipCommand,
};

export function runCommand(shell: Shell, fields: string[], line: number): Tri {
  const [word, ...args] = fields as [string, ...string[]];
  if (hasUnknown(word)) {
    shell.problem(line, `not evaluated: the command's name is ${shell.show(word)}`);
    return null;
  }
  // `itest.b`, `setexpr.l`, `md.w`: the size suffix does not change what the command is.
  const name = word.replace(/\.[a-z]$/, '');
  const handler = COMMANDS[name];
  if (handler) return handler(shell, args, line, name);
  if (HARMLESS.has(name)) return true;
  if (OTHER_BOOTS.has(name)) {
    shell.problem(line, `not evaluated: ${name} boots something other than a kernel loaded from this partition`);
    return null;
  }
  shell.problem(line, `not evaluated: ${word.slice(0, 64)}`);
  return null;
}

function end(shell: Shell): Tri {
  shell.state.ended = true;
  return true;
}

function setenv(shell: Shell, args: string[], line: number): Tri {
  const [name, ...value] = args[0] === '-f' ? args.slice(1) : args;
  if (!name) return true;
  shell.set(name, value.length === 0 ? null : value.join(' '), line);
  return true;
}

function envCommand(shell: Shell, args: string[], line: number): Tri {
  const [sub = '', ...rest] = args;
  switch (sub) {
    case 'set':
      return setenv(shell, rest, line);
    case 'import':
      return envImport(shell, rest, line);
    case 'delete':
    case 'del':
      for (const name of rest.filter((a) => a !== '-f')) shell.set(name, null, line);
      return true;
    case 'exists':
      return rest[0] !== undefined && shell.get(rest[0]) !== undefined;
    case 'print':
    case 'save':
    case 'info':
    case 'export':
      return true;
    default:
      shell.problem(line, `not evaluated: env ${sub.slice(0, 64)}`);
      return null;
  }
}

/** `env import -t [-r] ADDR [SIZE] [NAME...]`: the text environment a load put at ADDR. */
function envImport(shell: Shell, args: string[], line: number): Tri {
  const flags = new Set<string>();
  let i = 0;
  for (; args[i]?.startsWith('-'); i++) for (const c of args[i]!.slice(1)) flags.add(c);
  if (!flags.has('t')) {
    shell.problem(line, 'env import: only the text form (-t) is read');
    return null;
  }
  const [addr = '', size, ...names] = args.slice(i);
  const placed = shell.state.memory.get(address(addr));
  if (placed?.kind !== 'file') return nothingThere(shell, line, 'env import', placed);
  const read = shell.ctx.files.read(placed.path, MAX_ENV_BYTES);
  if (!read.ok) {
    shell.problem(line, `env import: ${read.message}`);
    return false;
  }
  if (!shell.charge(Math.ceil(read.text.length / 64), line)) return null;
  let text = fromDisk(read.text);
  const bytes = size === undefined || size === '-' || hasUnknown(size) ? Number.NaN : Number.parseInt(size, 16);
  if (!Number.isNaN(bytes)) text = text.slice(0, bytes);
  if (flags.has('d')) shell.problem(line, 'env import -d: the variables it would delete first are kept');
  for (const { name, value } of readEnvText(text, flags.has('r'))) {
    if (names.length === 0 || names.includes(name)) shell.set(name, value, line);
  }
  return true;
}

function testCommand(shell: Shell, args: string[]): Tri {
  return evaluateTest(args, {
    unknowns: shell.unknowns,
    exists: (iface, devPart, raw) => {
      if (!onThisPartition(shell, iface, devPart)) return null;
      const path = sourcePath(raw);
      return path === null || hasUnknown(raw) ? null : shell.ctx.files.stat(path)?.type === 'file';
    },
  });
}

/** `load IFACE DEV[:PART] [ADDR [PATH [BYTES [POS]]]]`, and the fatload/ext4load spellings. */
function load(shell: Shell, args: string[], line: number, name: string): Tri {
  const [iface, devPart, addrArg = shell.get('loadaddr') ?? '', raw = shell.get('bootfile') ?? ''] = args;
  if (iface === undefined || devPart === undefined) {
    shell.problem(line, `${name}: no device named`);
    return null;
  }
  const addr = address(addrArg);
  const place = (p: Placed) => {
    // As many addresses as variables: a script cannot fill memory with loads to new addresses.
    if (!shell.state.memory.has(addr) && shell.state.memory.size >= UBOOT_LIMITS.variables) shell.limit('addresses', line, `loads to more than ${UBOOT_LIMITS.variables} addresses: the rest are not followed`);
    else shell.state.memory.set(addr, p);
  };
  if (!onThisPartition(shell, iface, devPart)) {
    shell.problem(line, `${name} ${shell.show(raw)}: ${otherPartition(shell, iface, devPart)}`);
    place({ kind: 'unknown', why: `it came from another partition (line ${line})` });
    return null;
  }
  const path = resolveLoadPath(shell, raw, line, name);
  if (path === null) {
    place({ kind: 'unknown', why: `its path could not be known (line ${line})` });
    return null;
  }
  const stat = shell.ctx.files.stat(path);
  if (stat?.type !== 'file') {
    // A failed load leaves what was there before.
    if (!shell.state.memory.has(addr)) place({ kind: 'missing', path, line });
    return false;
  }
  place({ kind: 'file', path, size: stat.size, overlays: [], line });
  shell.set('filesize', stat.size.toString(16), line);
  return true;
}

/** `size IFACE DEV[:PART] PATH`: sets filesize, as load does, without loading. */
function sizeCommand(shell: Shell, args: string[], line: number): Tri {
  const [iface = '', devPart = '', raw = ''] = args;
  if (!onThisPartition(shell, iface, devPart)) return null;
  const path = resolveLoadPath(shell, raw, line, 'size');
  const stat = path === null ? null : shell.ctx.files.stat(path);
  if (stat?.type !== 'file') return path === null ? null : false;
  shell.set('filesize', stat.size.toString(16), line);
  return true;
}

function fdtCommand(shell: Shell, args: string[], line: number): Tri {
  const [sub = '', ...rest] = args;
  const { state } = shell;
  switch (sub) {
    case 'addr': {
      const operands = rest.filter((a) => !a.startsWith('-'));
      // `fdt addr -c` is U-Boot's own tree; without an address it only prints.
      if (!rest.includes('-c') && operands[0] !== undefined) state.fdtAddr = address(operands[0]);
      return true;
    }
    case 'resize':
    case 'print':
    case 'list':
    case 'header':
    case 'bootcpu':
    case 'memory':
    case 'rsvmem':
    case 'checksum':
      return true;
    case 'apply':
      return fdtApply(shell, rest[0] ?? '', line);
    case 'get':
      if (rest[1]) shell.set(rest[1], shell.unknowns.marker(`${rest[1]} (from fdt get, line ${line})`), line);
      return true;
    default:
      shell.problem(line, `fdt ${sub.slice(0, 32)}: changes the device tree in ways kexmenu does not carry into the tree it builds`);
      return true;
  }
}

function fdtApply(shell: Shell, addrArg: string, line: number): Tri {
  const { state } = shell;
  const tree = state.fdtAddr === null ? undefined : state.memory.get(state.fdtAddr);
  const overlay = state.memory.get(address(addrArg));
  if (tree?.kind === 'unknown' || overlay?.kind === 'unknown') return null;
  if (tree?.kind !== 'file') {
    shell.problem(line, 'fdt apply: no device tree was loaded where fdt addr points');
    return false;
  }
  if (overlay?.kind !== 'file') return nothingThere(shell, line, 'fdt apply', overlay);
  if (tree.overlays.length >= FILES_PER_ENTRY) {
    shell.limit('overlays', line, `more than ${FILES_PER_ENTRY} device tree overlays: the rest are not applied`);
    return false;
  }
  state.memory.set(state.fdtAddr!, { ...tree, overlays: [...tree.overlays, overlay.path] });
  return true;
}

/** `booti|bootz|bootm KERNEL [INITRD[:SIZE]|-] [FDT]`: where this way of the script ends. */
function bootCommand(shell: Shell, args: string[], line: number, name: string): Tri {
  const [kernelArg = shell.get('loadaddr') ?? '', initrdArg = '-', fdtArg] = args;
  if (/[#:]/.test(kernelArg)) {
    shell.problem(line, `${name} ${kernelArg.slice(0, 64)}: a FIT image, which kexmenu does not read`);
    return null;
  }
  const { memory } = shell.state;
  const kernel = memory.get(address(kernelArg));
  if (kernel?.kind !== 'file') return nothingThere(shell, line, `${name}: the kernel`, kernel);
  let initrd: string | null = null;
  if (initrdArg !== '-') {
    const placed = memory.get(address(initrdArg.split(':')[0]!));
    if (placed?.kind === 'file') initrd = placed.path;
    else nothingThere(shell, line, `${name}: the initrd`, placed);
  }
  let dtb: Placed | undefined;
  if (fdtArg !== undefined) {
    dtb = memory.get(address(fdtArg));
    if (dtb?.kind !== 'file') nothingThere(shell, line, `${name}: the device tree`, dtb);
  }
  const bootargs = shell.get('bootargs') ?? '';
  for (const u of shell.unknowns.in(bootargs)) shell.problem(line, `${name}: the command line holds ${u.what}, which kexmenu cannot know here: that word is left out`);
  const conditions = shell.conditionsInForce();
  if (conditions.length > 0) shell.problem(line, `${name}: boots this way only as ${conditions.join(' and ')} decides, which kexmenu cannot tell`);
  if (shell.boots.length >= UBOOT_LIMITS.boots) shell.limit('boots', line, `more than ${UBOOT_LIMITS.boots} ways to boot: the rest are not listed`);
  else {
    shell.boots.push({
      command: name,
      file: shell.file,
      line,
      kernel: kernel.path,
      initrd,
      dtb: dtb?.kind === 'file' ? dtb.path : null,
      overlays: dtb?.kind === 'file' ? dtb.overlays : [],
      // A word holding an unknown is left out whole: `root=PARTUUID=` would send the kernel looking for nothing.
      cmdline: joinCmdline(withoutWords(splitCmdline(bootargs), hasUnknown)),
    });
  }
  shell.state.ended = true;
  return true;
}

function withoutWords(args: KernelArgs, drop: (word: string) => boolean): KernelArgs {
  return { kernel: args.kernel.filter((w) => !drop(w)), init: args.init.filter((w) => !drop(w)) };
}

/** What a boot command found at an address that holds no file it can name; always false. */
function nothingThere(shell: Shell, line: number, what: string, placed: Placed | undefined): false {
  if (placed?.kind === 'missing') shell.problem(line, `${what}: ${placed.path} was not found (load at line ${placed.line})`);
  else if (placed?.kind === 'unknown') shell.problem(line, `${what}: unknown, as ${placed.why}`);
  else shell.problem(line, `${what}: nothing was loaded at that address`);
  return false;
}

/** `run VAR...`: each variable's value as commands. */
function runCommandVariables(shell: Shell, args: string[], line: number): Tri {
  for (const name of args) {
    if (shell.halted()) break;
    if (shell.runDepth >= UBOOT_LIMITS.runDepth) {
      shell.limit('run', line, `run nested more than ${UBOOT_LIMITS.runDepth} deep: not run`);
      return null;
    }
    const text = shell.get(name);
    // Unknown values in it stay what they are; an unknown command name is a problem when it runs.
    if (text === undefined) return false;
    shell.runDepth++;
    shell.runText(text, { file: shell.file, atLine: line });
    shell.runDepth--;
  }
  return true;
}

/** `source [ADDR]`: the script image a load put there. */
function sourceCommand(shell: Shell, args: string[], line: number): Tri {
  const placed = shell.state.memory.get(address((args[0] ?? shell.get('loadaddr') ?? '').split(':')[0]!));
  if (placed?.kind !== 'file') return nothingThere(shell, line, 'source', placed);
  if (shell.sourceDepth >= UBOOT_LIMITS.sourceDepth || shell.sourceRuns >= UBOOT_LIMITS.sources) {
    shell.limit('source', line, `more than ${UBOOT_LIMITS.sources} sourced scripts, or nested ${UBOOT_LIMITS.sourceDepth} deep: ${placed.path} is not run`);
    return null;
  }
  if (placed.size > MAX_SCRIPT_BYTES) {
    shell.problem(line, `source ${placed.path}: ${placed.size} bytes, over the ${MAX_SCRIPT_BYTES}-byte limit`);
    return false;
  }
  const bytes = shell.ctx.files.readBytes(placed.path, 0, placed.size);
  if (!bytes || !shell.charge(Math.ceil(bytes.length / 64), line)) return null;
  const image = readScriptImage(bytes);
  if (!image.ok) {
    shell.problem(line, `source ${placed.path}: ${image.message}`);
    return false;
  }
  shell.sourceRuns++;
  shell.sourceDepth++;
  shell.runText(fromDisk(image.text), { file: placed.path, atLine: null });
  shell.sourceDepth--;
  return true;
}

/** `part uuid IFACE DEV:PART VAR` and the like: facts of the partition table, unknown here. */
function partCommand(shell: Shell, args: string[], line: number): Tri {
  const [sub = '', iface = '', devPart = '', variable] = args;
  if (variable === undefined) return true;
  const which = onThisPartition(shell, iface, devPart) ? 'the partition the script is on' : `${shell.show(iface)} ${shell.show(devPart)}`;
  shell.set(variable, shell.unknowns.marker(`the ${sub} of ${which} (part ${sub}, line ${line})`), line);
  return true;
}

/** `unzip SRC DST`: DST then holds SRC's file (kexec takes a gzipped kernel as it is). */
function unzipCommand(shell: Shell, args: string[]): Tri {
  const { memory } = shell.state;
  const src = memory.get(address(args[0] ?? ''));
  if (src?.kind !== 'file') return null;
  memory.set(address(args[1] ?? ''), src);
  return true;
}

// ---- devices, paths and addresses ----

/** `${devtype} ${devnum}:${distro_bootpart}`, or `${devtype} ${devnum}` (U-Boot's first partition, read as this one). */
function onThisPartition(shell: Shell, iface: string, devPart: string): boolean {
  const { device } = shell;
  return iface === device.iface && (devPart === device.num || devPart === `${device.num}:${device.part}`);
}

function otherPartition(shell: Shell, iface: string, devPart: string): string {
  const { device } = shell;
  if (iface === device.iface && devPart.startsWith(`${device.num}:`)) {
    return `loads from partition ${shell.show(devPart.slice(device.num.length + 1))} of the boot device, which kexmenu cannot tell is the one the script is on (\${distro_bootpart}); not read`;
  }
  return `loads from ${shell.show(iface)} ${shell.show(devPart)}, not \${devtype} \${devnum}:\${distro_bootpart} (the partition the script is on); not read`;
}

function resolveLoadPath(shell: Shell, raw: string, line: number, name: string): string | null {
  if (hasUnknown(raw)) {
    shell.problem(line, `${name} ${shell.show(raw)}: the path rests on what kexmenu cannot know here`);
    return null;
  }
  const path = sourcePath(raw);
  if (path === null) shell.problem(line, `${name}: path escapes its partition: ${raw.slice(0, 200)}`);
  return path;
}

/** U-Boot's filesystem paths start at the partition's root, with or without a leading '/'. */
function sourcePath(raw: string): string | null {
  if (raw === '') return null;
  return normalizeSourcePath(raw.startsWith('/') ? raw : `/${raw}`);
}

/** An address in one spelling: U-Boot reads addresses as hex, with or without 0x. */
function address(text: string): string {
  const hex = /^(?:0x)?([0-9a-f]{1,16})$/i.exec(text.trim());
  return hex ? BigInt(`0x${hex[1]}`).toString(16) : text;
}
