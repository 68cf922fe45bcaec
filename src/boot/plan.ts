// From a chosen entry to the exact commands that boot it. Pure: the entry, the machine facts and
// the person's edits go in; argv arrays, the command line, the device tree choice, warnings or a
// refusal come out. Nothing here reads a file; DTB contents arrive through `describeDtb`.
import type { BootEdits, BootEntry, BootPlan, BootSource, ByteRange, DeviceTreeReport, DeviceTreeRequest, InnerFile, InsideParts, Machine } from '../model.js';
import { appendArgs, argName, isTakenFrom, joinCmdline, splitCmdline, withoutRunningOnlyArgs, type KernelArgs } from './cmdline.js';
import { firmwareWords, firmwareWordsFor } from './pi-firmware-args.js';
import { archRefusal, cpuParkingRefusal, isRaspberryPi, parksCpusWithSpinTable, usesDeviceTree } from './quirks.js';

/** What the planner needs to know about a .dtb file on disk. */
export interface DtbFacts {
  /** Root `compatible`, most specific first. */
  compatible: string[];
  /** A memory node with a non-empty `reg` exists. */
  hasMemory: boolean;
}

export interface PlanOptions {
  /** Where temporary files (concatenated initrd, fixed-up DTB) go; default /tmp. */
  tmpDir?: string;
  /** Load with kexec_file_load (`kexec -s`), which lockdown/Secure Boot requires. */
  fileSigned?: boolean;
  /** The filesystem the entry was found on (its PARTUUID names the root when a command line is made up). */
  source?: BootSource | null;
  /** Reads a .dtb from disk (or `range` of a file: a unified kernel image's .dtb); null when it cannot be read as one. Without it, DTBs are taken as they are. */
  describeDtb?: (path: string, range?: ByteRange) => DtbFacts | null;
  /**
   * Tries the device tree build the plan asks for (reading the files it names), so the plan can
   * say which overlays and parameters apply; a string when it cannot be done at all.
   */
  tryDeviceTree?: (request: DeviceTreeRequest) => DeviceTreeReport | string;
  /**
   * The cmdline.txt of every Pi firmware entry scanned. The menu's own is among them when its boot
   * partition is attached, and tells the firmware's words in the running command line apart.
   */
  piCmdlines?: string[];
}

/**
 * kexec-tools syncs before a load as well as before a boot, without a deadline: on a disk that
 * stopped answering that sync never returns. kexmenu syncs itself before booting, with one
 * (src/boot/kexec.ts), so kexec is told not to.
 */
const NO_SYNC = '-y';

export const FIRMWARE_DTB_REASON = "the firmware's tree, which carries its memory, MAC and overlay fix-ups";

export function planBoot(entry: BootEntry, machine: Machine, edits: BootEdits = {}, options: PlanOptions = {}): BootPlan {
  const warnings: string[] = [];
  const tmpDir = options.tmpDir ?? '/tmp';
  const tmpBase = `${tmpDir.replace(/\/+$/, '')}/kexmenu-${entry.id.replace(/[^A-Za-z0-9._-]/g, '_')}`;

  if (entry.arch === null) {
    warnings.push(`could not tell the kernel's architecture from its header; kexec will refuse it unless it is built for ${machine.arch}`);
  }
  const machineRefusal = archRefusal(entry.arch, machine.arch) ?? cpuParkingRefusal(machine);

  const cmdline = chooseCmdline(entry, machine, edits, options, warnings);

  let extract = entry.inside ? extraction(entry.kernel, entry.inside, tmpBase) : null;
  const kernel = extract ? extract.parts[0]!.to : entry.kernel;
  const initrds = [...(extract?.parts.slice(1).map((p) => p.to) ?? []), ...(edits.initrd ?? entry.initrd)];
  if (entry.notLinux) warnings.push('this is not Linux: its header names no kernel release (memtest86+ and the like speak the Linux boot protocol), and kexec starts it as it would Linux');
  else if (initrds.length === 0) warnings.push('no initrd: the kernel has to mount its root filesystem with its built-in drivers');
  const initrdPath = initrds.length > 1 ? `${tmpBase}-initrd.img` : initrds[0];

  const treeEdits = edits.overlays === false ? { ...entry, overlays: [], dtparams: [] } : entry;
  const dtbChoice = chooseDtb(treeEdits, machine, edits, options, warnings);
  const dtbBuild = dtbChoice && buildRequest(treeEdits, dtbChoice, machine, `${tmpBase}.dtb`);
  if (dtbBuild && dtbBuild.base === machine.firmwareFdt && hasTreeEdits(treeEdits)) {
    warnings.push("the entry's overlays go on top of the firmware's own tree, which already has the overlays of kexmenu's own config.txt");
  }
  const tried = dtbBuild && options.tryDeviceTree ? options.tryDeviceTree(dtbBuild) : null;
  const deviceTree = typeof tried === 'string' ? null : tried;
  const treeRefusal = typeof tried === 'string' ? `the device tree cannot be built: ${tried}` : dtbChoice && deviceTree ? memoryRefusal(dtbChoice, deviceTree, warnings) : null;
  for (const step of deviceTree?.steps ?? []) {
    if (!step.applied) warnings.push(`${step.kind === 'overlay' ? `overlay ${step.name}` : 'dtparam'} is not applied: ${step.reason ?? 'it failed'}; the rest of the tree still boots`);
    else if (step.reason) warnings.push(`${step.kind === 'overlay' ? `overlay ${step.name}` : 'dtparam'}: ${step.reason}`);
  }
  const dtb = dtbChoice && { path: dtbChoice.path, reason: dtbChoice.reason + (dtbBuild && dtbChoice.needsMemory ? "; its memory node is taken from the firmware's tree" : '') };
  // A tree inside the image that goes as it is must be a file of its own for kexec.
  let dtbFile = dtbBuild ? dtbBuild.to : dtb?.path;
  if (dtbChoice?.inImage && !dtbBuild && extract) {
    dtbFile = `${tmpBase}-image.dtb`;
    extract = { ...extract, parts: [...extract.parts, { ...dtbChoice.inImage, to: dtbFile }] };
  }

  const load = [
    'kexec',
    '-l',
    NO_SYNC,
    ...(options.fileSigned ? ['-s'] : []),
    kernel,
    ...(initrdPath === undefined ? [] : [`--initrd=${initrdPath}`]),
    ...(dtbFile ? [`--dtb=${dtbFile}`] : []),
    `--append=${cmdline}`,
  ];
  const exec = machine.systemd ? ['systemctl', 'kexec'] : ['kexec', '-e', NO_SYNC];
  const refusal = machineRefusal ?? treeRefusal;
  const ok = refusal === null;
  return {
    ok,
    refusal,
    load: ok ? load : [],
    exec: ok ? exec : [],
    cmdline,
    dtb,
    warnings,
    extract,
    initrdJoin: initrds.length > 1 && initrdPath !== undefined ? { from: [...initrds], to: initrdPath } : null,
    dtbBuild,
    deviceTree,
  };
}

/** kexec-tools loads files of their own: a kernel and initrds inside another file are copied out first. */
function extraction(file: string, inside: InsideParts, tmpBase: string): BootPlan['extract'] {
  const initrds = inside.initrds.map((part, i) => ({ ...part, to: `${tmpBase}-initrd${i}.img` }));
  return { from: file, parts: [{ ...inside.linux, to: `${tmpBase}-kernel` }, ...initrds] };
}

function chooseCmdline(entry: BootEntry, machine: Machine, edits: BootEdits, options: PlanOptions, warnings: string[]): string {
  const source = options.source ?? null;
  const running = splitCmdline(machine.cmdline);
  const cleanup = { dropNrCpus: parksCpusWithSpinTable(machine) };
  let args: KernelArgs;
  if (edits.cmdline !== undefined) {
    // The person wrote it: it goes as written.
    args = splitCmdline(edits.cmdline);
  } else if (entry.cmdline.trim() === '' && !entry.notLinux) {
    args = madeUpArgs(entry, running, source, cleanup, warnings);
  } else {
    args = splitCmdline(entry.cmdline);
    if (isTakenFrom(args, running)) args = withoutRunningOnlyArgs(args, cleanup);
    if (entry.origin.format === 'rpi' && isRaspberryPi(machine)) args = withPiFirmwareArgs(args, entry, running, options.piCmdlines ?? []);
  }
  if (edits.append !== undefined) args = appendArgs(args, splitCmdline(edits.append));
  return joinCmdline(args);
}

// A kernel found by file name has no command line. Give it the consoles the menu runs on and the
// partition it was found on as root, and say so, because it is a guess.
function madeUpArgs(entry: BootEntry, running: KernelArgs, source: BootSource | null, cleanup: { dropNrCpus: boolean }, warnings: string[]): KernelArgs {
  const consoles = withoutRunningOnlyArgs(running, cleanup).kernel.filter((word) => word.startsWith('console='));
  const root: string[] = [];
  if (source?.partuuid) root.push(`root=PARTUUID=${source.partuuid}`, 'rootwait');
  // Only an initramfs understands root=UUID=; the kernel alone knows PARTUUID and device names.
  else if (source?.uuid && entry.initrd.length > 0) root.push(`root=UUID=${source.uuid}`);
  const args = { kernel: [...consoles, ...root], init: [] };
  const made = joinCmdline(args);
  warnings.push(
    root.length > 0
      ? `the entry has no command line (the kernel was found by file name), so kexmenu made one up: "${made}". Check root= before booting.`
      : `the entry has no command line (the kernel was found by file name) and kexmenu cannot name its root filesystem${source ? ` (${source.id} has no PARTUUID)` : ''}: add root= before booting.`,
  );
  return args;
}

function withPiFirmwareArgs(args: KernelArgs, entry: BootEntry, running: KernelArgs, piCmdlines: string[]): KernelArgs {
  const firmware = firmwareWords(running.kernel, piCmdlines.map((text) => splitCmdline(text).kernel));
  const words = firmwareWordsFor(firmware.words, entry.firmwareArgs, new Set(args.kernel.map(argName)));
  return { kernel: [...words, ...args.kernel], init: args.init };
}

interface DtbChoice {
  path: string;
  reason: string;
  needsMemory: boolean;
  /** The tree from disk names RAM of its own (false when unknown). */
  hasMemory?: boolean;
  /** The tree is this part of `path` (a unified kernel image's own .dtb). */
  inImage?: InnerFile;
}

/**
 * A tree from disk gets the firmware's RAM; when the firmware's tree names none, the disk's own
 * memory node is all the kernel has: said when there is one, refused when there is none.
 */
function memoryRefusal(choice: DtbChoice, report: DeviceTreeReport, warnings: string[]): string | null {
  if (!choice.needsMemory || report.carried.some((c) => c.startsWith('memory'))) return null;
  if (choice.hasMemory) {
    warnings.push(`the firmware's tree names no RAM: the kernel gets ${choice.path}'s own memory node`);
    return null;
  }
  return `neither ${choice.path} nor the firmware's tree names any RAM: the kernel would find none. Choose the firmware's tree in the editor.`;
}

function chooseDtb(entry: BootEntry, machine: Machine, edits: BootEdits, options: PlanOptions, warnings: string[]): DtbChoice | null {
  const fromEditor = edits.dtb !== undefined && edits.dtb !== null;
  const named = fromEditor ? edits.dtb : entry.dtb;
  if (!usesDeviceTree(machine.arch)) {
    if (named && named !== 'firmware') warnings.push(`the entry names a device tree (${named}), which ${machine.arch} kernels do not use; it is left out`);
    return null;
  }
  if (options.fileSigned) {
    // kexec_file_load on ARM hands the new kernel the running kernel's own tree; --dtb is not used.
    if (named && named !== 'firmware') warnings.push(`kexec -s passes on the running kernel's device tree, so ${named} is not used`);
    if (hasTreeEdits(entry)) warnings.push("kexec -s passes on the running kernel's device tree, so the entry's overlays and dtparams are not applied");
    return null;
  }
  if (named && named !== 'firmware') {
    const reason = fromEditor ? 'chosen in the editor' : (entry.dtbReason ?? "named by the entry's boot config");
    if (!options.describeDtb) return { path: named, reason, needsMemory: false };
    const facts = options.describeDtb(named);
    return { path: named, reason, needsMemory: checkDiskDtb(named, facts, machine, warnings), hasMemory: facts?.hasMemory ?? false };
  }
  const own = entry.inside?.dtb;
  if (own && !fromEditor && edits.dtb !== 'firmware') {
    const reason = `the image's own device tree (${own.name})`;
    if (!options.describeDtb) return { path: entry.kernel, reason, needsMemory: false, inImage: own };
    const facts = options.describeDtb(entry.kernel, own);
    return { path: entry.kernel, reason, needsMemory: checkDiskDtb(`${entry.kernel} (${own.name})`, facts, machine, warnings), hasMemory: facts?.hasMemory ?? false, inImage: own };
  }
  if (machine.firmwareFdt !== null) {
    const why = !fromEditor && entry.dtbReason ? ` (${entry.dtbReason})` : '';
    return { path: machine.firmwareFdt, reason: FIRMWARE_DTB_REASON + why, needsMemory: false };
  }
  warnings.push("no device tree: the entry names none and the firmware left none in /sys/firmware/fdt, so kexec-tools falls back to the running kernel's /proc/device-tree");
  if (hasTreeEdits(entry)) {
    const named = [...entry.overlays.map((o) => o.path), ...entry.dtparams.map((p) => `dtparam ${p.name}`)];
    warnings.push(`with no tree to apply them to, the entry's overlays and dtparams are not applied: ${named.join(', ')}`);
  }
  return null;
}

function hasTreeEdits(entry: BootEntry): boolean {
  return entry.overlays.length > 0 || entry.dtparams.length > 0;
}

/**
 * The tree to build before loading, when the chosen one does not go as it is: a tree from disk
 * gets the firmware's facts (its RAM first of all), and any tree gets the entry's overlays and
 * parameters. Null when the tree can be handed to kexec unchanged.
 */
function buildRequest(entry: BootEntry, choice: DtbChoice, machine: Machine, to: string): DeviceTreeRequest | null {
  const fromFirmware = choice.path === machine.firmwareFdt;
  if (!hasTreeEdits(entry) && (fromFirmware || !choice.needsMemory)) return null;
  return { base: choice.path, ...(choice.inImage && { baseRange: { offset: choice.inImage.offset, size: choice.inImage.size } }), firmware: machine.firmwareFdt, overlays: entry.overlays, dtparams: entry.dtparams, to };
}

/** Warns about a DTB from disk that does not fit; true when its memory node must come from the firmware. */
function checkDiskDtb(path: string, facts: DtbFacts | null, machine: Machine, warnings: string[]): boolean {
  if (facts === null) {
    warnings.push(`${path} cannot be read as a device tree blob; kexec will fail to load it`);
    return false;
  }
  if (machine.compatible.length > 0 && !facts.compatible.some((c) => machine.compatible.includes(c))) {
    warnings.push(`${path} is made for ${facts.compatible[0] ?? 'an unnamed board'}, but this board is ${machine.compatible[0]}`);
  }
  // Like the Pi firmware and U-Boot, the memory node always comes from the firmware: a disk tree
  // that claims all RAM from 0 (the Pi 3's does) covers the GPU's share and the peripherals, and
  // the kernel hangs; one with `reg = <0 0 0>` finds no RAM at all.
  if (machine.firmwareFdt !== null) return true;
  if (!facts.hasMemory) {
    warnings.push(`${path} has no memory node and the firmware left no tree to take one from; the kernel will not find its RAM`);
  }
  return false;
}
