// The Raspberry Pi firmware's boot, as config.txt and cmdline.txt describe it: which kernel,
// initramfs, DTB, overlays and command line the firmware would load on the running board.
// One entry per source (the firmware reads one config.txt).
import type { Arch, DtParam } from '../model.js';
import { configFilesAt } from './config-files.js';
import { boundedLabel } from './label.js';
import { ProblemLog } from './problems.js';
import { identifyPiBoard, type PiBoard } from './rpi-boards.js';
import { readRpiConfig, resolveInPartition, type RpiSetting } from './rpi-config.js';
import type { FileRef, OverlayRef, ParsedEntry, Parser, ProblemSink, SourceFiles } from './types.js';
import { mappedOverlayName, readOverlayMap } from './rpi-overlay-map.js';

/** The boot partition mounted alone, or a root filesystem with it mounted inside (Bookworm, then older). */
const CONFIG_PATHS = ['/config.txt', '/boot/firmware/config.txt', '/boot/config.txt'];
const FIRMWARE_FILES = ['start.elf', 'start4.elf', 'bootcode.bin', 'fixup.dat', 'fixup4.dat'];
/** Standard kernel names and the initramfs auto_initramfs=1 pairs with each. */
const AUTO_INITRAMFS: Record<string, string> = {
  'kernel.img': 'initramfs',
  'kernel7.img': 'initramfs7',
  'kernel7l.img': 'initramfs7l',
  'kernel8.img': 'initramfs8',
  'kernel_2712.img': 'initramfs_2712',
};

export const parseRpi: Parser = (ctx) => {
  const located = new ProblemLog();
  const configPath = configFilesAt(ctx.files, CONFIG_PATHS, located)[0];
  if (!configPath) return { entries: [], problems: located.list() };
  const dir = configPath.slice(0, configPath.lastIndexOf('/')) || '/';
  // Off a Pi (or with no device tree) we cannot tell which model sections the firmware would
  // apply, so only the lines every board reads count: those outside sections and after [all].
  const board = identifyPiBoard(ctx.board);
  const read = readRpiConfig(ctx.files, configPath, dir, new Set(board?.filters ?? []));
  const problems = read.problems;
  problems.addAll(located.list());
  const entry = firmwareBoot(new FirmwareView(ctx.files, dir, problems), configPath, lastSettings(read.settings), read.settings, board, ctx.arch);
  return { entries: entry ? [entry] : [], problems: problems.list() };
};

/** Source-file access relative to the boot partition, recording problems as it goes. */
class FirmwareView {
  constructor(
    readonly files: SourceFiles,
    readonly dir: string,
    readonly problems: ProblemSink,
  ) {}
  path(name: string, from: RpiSetting | null): string | null {
    const path = resolveInPartition(this.dir, name);
    if (!path) this.problems.push({ file: from?.file ?? null, line: from?.line ?? null, message: `${name} escapes the boot partition` });
    return path;
  }
  isFile(name: string): boolean {
    const path = resolveInPartition(this.dir, name);
    return path !== null && this.files.stat(path)?.type === 'file';
  }
}

function lastSettings(settings: RpiSetting[]): Map<string, RpiSetting> {
  const last = new Map<string, RpiSetting>();
  for (const s of settings) last.set(s.key, s);
  return last;
}

/** os_prefix applies to OS files, except names starting with '/', which bypass it. */
function prefixed(prefix: string, name: string): string {
  return name.startsWith('/') ? name : `${prefix}${name}`;
}

function firmwareBoot(
  view: FirmwareView,
  configPath: string,
  last: Map<string, RpiSetting>,
  all: RpiSetting[],
  board: PiBoard | null,
  arch: Arch,
): ParsedEntry | null {
  const flag = (key: string) => {
    const v = last.get(key)?.value;
    return v === undefined ? undefined : v !== '0';
  };
  const upstream = flag('upstream_kernel') === true;
  const kernelSetting = last.get('kernel') ?? null;
  const kernelNames = kernelSetting ? [kernelSetting.value] : defaultKernels(board, flag('arm_64bit'), arch);
  const dtSetting = last.get('device_tree') ?? null;
  const dtbNames = dtSetting ? (dtSetting.value ? [dtSetting.value] : []) : boardDtbs(board, upstream);

  const pick = (prefix: string, names: string[]) => names.find((n) => view.isFile(prefixed(prefix, n))) ?? null;

  // The firmware tries the prefix only when the kernel and the DTB it expects are both there.
  const prefixSetting = last.get('os_prefix') ?? null;
  let prefix = prefixSetting?.value ?? (upstream ? 'upstream/' : '');
  if (prefix) {
    const viable = pick(prefix, kernelNames) !== null && (dtbNames.length === 0 || pick(prefix, dtbNames) !== null);
    if (!viable) {
      if (prefixSetting) {
        view.problems.push({
          file: prefixSetting.file,
          line: prefixSetting.line,
          message: `os_prefix=${prefix} ignored, as the firmware does: no ${kernelNames.join(' or ')} (and board DTB) under it`,
        });
      }
      prefix = '';
    }
  }

  const kernelName = pick(prefix, kernelNames) ?? (kernelSetting ? kernelSetting.value : null);
  if (!kernelName) {
    if (FIRMWARE_FILES.some((f) => view.isFile(f))) {
      view.problems.push({ file: configPath, line: null, message: `no kernel: config.txt names none and ${kernelNames.join(', ') || 'no default'} is missing` });
    }
    return null;
  }
  const kernelPath = view.path(prefixed(prefix, kernelName), kernelSetting);
  if (!kernelPath) return null;

  const initrd = initramfsFiles(view, prefix, kernelName, all, flag('auto_initramfs') === true);
  const dtb = chooseDtb(view, prefix, dtSetting, board, upstream);
  const { overlays, dtparams } = deviceTreeRequests(view, prefix, last, all, dtb.upstreamOverlay, board);
  const cmdline = readCmdline(view, prefixed(prefix, last.get('cmdline')?.value ?? 'cmdline.txt'), last.get('cmdline') ?? null);
  const firmwareArgs = uartArgs(board, flag('enable_uart'), all);
  const shown = kernelPath.slice(view.dir === '/' ? 1 : view.dir.length + 1);

  return {
    label: boundedLabel(`Raspberry Pi firmware boot: ${shown}`),
    kernel: { path: kernelPath },
    initrd,
    dtb: dtb.ref,
    dtbReason: dtb.reason,
    fdtdir: null,
    overlays,
    dtparams,
    cmdline,
    firmwareArgs,
    isDefault: true,
    origin: { format: 'rpi', file: kernelSetting?.file ?? configPath, line: kernelSetting?.line ?? null },
    version: versionFromName(kernelName),
  };
}

// Overlays that give the PL011 back to the serial console; with one, which UART enable_uart
// switches is the overlay's business, and nothing is derived here.
const UART_SWAPS = new Set(['disable-bt', 'miniuart-bt', 'pi3-disable-bt', 'pi3-miniuart-bt']);

/**
 * What the firmware would say of the serial console booting this config.txt: on a board whose
 * console is the mini UART, `8250.nr_uarts=1` when enable_uart=1 and 0 otherwise.
 */
function uartArgs(board: PiBoard | null, enableUart: boolean | undefined, all: RpiSetting[]): string[] {
  if (!board?.miniUartConsole) return [];
  const swapped = all.some((s) => (s.key === 'dtoverlay' || s.key === 'device_tree_overlay') && UART_SWAPS.has(s.value.split(',')[0]!.trim()));
  return swapped ? [] : [`8250.nr_uarts=${enableUart === true ? 1 : 0}`];
}

/** The kernel names the firmware tries when config.txt has no kernel=. */
function defaultKernels(board: PiBoard | null, arm64: boolean | undefined, arch: Arch): string[] {
  if (board) {
    const want64 = arm64 ?? board.default64;
    const names = want64 ? board.kernels64 : board.kernels32;
    return names.length > 0 ? names : [...board.kernels64, ...board.kernels32];
  }
  // Board unknown: any name a Pi might load, the running architecture's first.
  const names64 = ['kernel8.img', 'kernel_2712.img'];
  const names32 = ['kernel7l.img', 'kernel7.img', 'kernel.img'];
  const want64 = arm64 ?? arch !== 'arm';
  return want64 ? [...names64, ...names32] : [...names32, ...names64];
}

function boardDtbs(board: PiBoard | null, upstream: boolean): string[] {
  if (!board) return [];
  return upstream ? [...board.upstreamDtbs, ...board.dtbs] : [...board.dtbs, ...board.upstreamDtbs];
}

function initramfsFiles(view: FirmwareView, prefix: string, kernelName: string, all: RpiSetting[], auto: boolean): FileRef[] {
  // `initramfs FILE[,FILE] ADDR|followkernel` and `ramfsfile=FILE[,FILE]`: the later line wins.
  const setting = all.filter((s) => s.key === 'initramfs' || s.key === 'ramfsfile').pop();
  if (setting) {
    const list = setting.key === 'initramfs' ? (setting.value.split(/\s+/)[0] ?? '') : setting.value;
    return list
      .split(',')
      .filter(Boolean)
      .flatMap((name) => {
        const path = view.path(prefixed(prefix, name), setting);
        return path ? [{ path }] : [];
      });
  }
  const base = kernelName.slice(kernelName.lastIndexOf('/') + 1);
  const paired = AUTO_INITRAMFS[base];
  if (!auto || !paired) return [];
  const name = prefixed(prefix, kernelName.slice(0, kernelName.length - base.length) + paired);
  const path = view.isFile(name) ? view.path(name, null) : null;
  return path ? [{ path }] : [];
}

interface DtbChoice {
  ref: FileRef | null;
  reason: string;
  upstreamOverlay: boolean;
}

function chooseDtb(view: FirmwareView, prefix: string, setting: RpiSetting | null, board: PiBoard | null, upstream: boolean): DtbChoice {
  const ref = (name: string, from: RpiSetting | null) => {
    const path = view.path(prefixed(prefix, name), from);
    return path ? { path } : null;
  };
  if (setting) {
    if (!setting.value) return { ref: null, reason: 'config.txt sets an empty device_tree=: the firmware passes no DTB', upstreamOverlay: false };
    return { ref: ref(setting.value, setting), reason: `device_tree=${setting.value} in config.txt`, upstreamOverlay: false };
  }
  if (!board) {
    return { ref: null, reason: 'not running on a known Raspberry Pi, so the firmware\'s DTB choice is unknown', upstreamOverlay: false };
  }
  const found = (names: string[]) => names.find((n) => view.isFile(prefixed(prefix, n)));
  const downstream = found(board.dtbs);
  const upstreamName = found(board.upstreamDtbs);
  const where = prefix ? ` under os_prefix ${prefix}` : '';
  if (upstream && upstreamName) {
    return { ref: ref(upstreamName, null), reason: `the firmware's upstream-named DTB for ${board.id} (upstream_kernel=1)${where}`, upstreamOverlay: false };
  }
  if (downstream) {
    const reason = upstream
      ? `the firmware's DTB for ${board.id}${where}; no upstream-named one, so the firmware adds the "upstream" overlay (upstream_kernel=1)`
      : `the firmware's DTB for ${board.id}${where}`;
    return { ref: ref(downstream, null), reason, upstreamOverlay: upstream };
  }
  if (upstreamName) {
    return {
      ref: ref(upstreamName, null),
      reason: `only the upstream-named ${upstreamName} for ${board.id} is there${where} (the firmware would load it with upstream_kernel=1)`,
      upstreamOverlay: false,
    };
  }
  const wanted = [...board.dtbs, ...board.upstreamDtbs];
  return {
    ref: null,
    reason: wanted.length
      ? `none of ${wanted.join(', ')} is on the boot partition${where}: use the running firmware's tree`
      : `no known DTB name for ${board.id}: use the running firmware's tree`,
    upstreamOverlay: false,
  };
}

/**
 * `dtoverlay=` and `dtparam=` in config.txt order, as the firmware reads them: `dtoverlay=NAME,P,Q=V`
 * loads an overlay with those parameters, and the `dtparam=` lines after it are that overlay's
 * too, until a bare `dtoverlay=` hands them back to the base tree. `device_tree_overlay=` and
 * `device_tree_param=` are the long spellings.
 */
function deviceTreeRequests(
  view: FirmwareView,
  prefix: string,
  last: Map<string, RpiSetting>,
  all: RpiSetting[],
  upstreamOverlay: boolean,
  board: PiBoard | null,
): { overlays: OverlayRef[]; dtparams: DtParam[] } {
  const overlayPrefix = last.get('overlay_prefix')?.value ?? 'overlays/';
  // Overlays follow os_prefix only when that copy has its README; otherwise they are shared.
  const dir = prefix && view.isFile(prefixed(prefix, `${overlayPrefix}README`)) ? `${prefix}${overlayPrefix}` : overlayPrefix;
  const map = readOverlayMap(view, dir);
  const overlays: OverlayRef[] = [];
  const dtparams: DtParam[] = [];
  let current: OverlayRef | null = null;
  const load = (requested: string, params: DtParam[], setting: RpiSetting | null) => {
    const name = mappedOverlayName(map, requested, board, view.problems, setting);
    if (!name) return null;
    const path = view.path(name.startsWith('/') ? `${name}.dtbo` : `${dir}${name}.dtbo`, setting);
    if (!path) return null;
    const ref: OverlayRef = { path, params };
    overlays.push(ref);
    return ref;
  };
  if (upstreamOverlay) load('upstream', [], null);
  for (const setting of all) {
    if (setting.key === 'dtoverlay' || setting.key === 'device_tree_overlay') {
      const [name = '', ...rest] = setting.value.split(',').map((w) => w.trim());
      // A refused overlay's dtparam= lines go with it (into a sink), not to the base tree.
      current = name ? (load(name, parseParams(rest), setting) ?? { path: '', params: [] }) : null;
    } else if (setting.key === 'dtparam' || setting.key === 'device_tree_param') {
      const params = parseParams(setting.value.split(',').map((w) => w.trim()));
      (current ? current.params! : dtparams).push(...params);
    }
  }
  return { overlays, dtparams };
}

function parseParams(words: string[]): DtParam[] {
  return words.filter(Boolean).map((word) => {
    const eq = word.indexOf('=');
    return eq < 0 ? { name: word, value: null } : { name: word.slice(0, eq).trim(), value: word.slice(eq + 1).trim() };
  });
}

function readCmdline(view: FirmwareView, name: string, setting: RpiSetting | null): string {
  const path = view.path(name, setting);
  if (!path) return '';
  const read = view.files.read(path, 64 * 1024);
  if (!read.ok) {
    view.problems.push({ file: setting?.file ?? path, line: setting?.line ?? null, message: read.message });
    return '';
  }
  // The firmware passes the first line only.
  return (read.text.split('\n')[0] ?? '').trim();
}

function versionFromName(kernelName: string): string | null {
  const base = kernelName.slice(kernelName.lastIndexOf('/') + 1);
  return /^(?:vmlinuz|vmlinux|Image|zImage|linux)-(\d.*)$/.exec(base)?.[1] ?? null;
}
