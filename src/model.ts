// The shared vocabulary of kexmenu. Every stage (scan, plan, menu, CLI) speaks in these shapes,
// and `kexmenu scan --json` prints a ScanResult as it is.

export type Arch = 'x86_64' | 'i386' | 'aarch64' | 'arm' | 'riscv64';

export type BootFormat = 'grub' | 'extlinux' | 'uboot-script' | 'bls' | 'uki' | 'rpi' | 'raw';

/** One filesystem that was scanned: a mounted partition, or a directory given on the command line. */
export interface BootSource {
  id: string;
  root: string;
  device: string | null;
  fstype: string | null;
  label: string | null;
  uuid: string | null;
  partuuid: string | null;
  removable: boolean;
  /** Bytes, when known from the block device. */
  size: number | null;
}

export interface EntryOrigin {
  format: BootFormat;
  /** Absolute path of the config file that named the entry (for raw entries: the kernel itself). */
  file: string;
  line: number | null;
}

/** One boot choice. Paths are absolute in the namespace of the process that scanned. */
export interface BootEntry {
  /** `<source>:<format>:<n>`, stable across rescans of the same disk. */
  id: string;
  label: string;
  source: string;
  kernel: string;
  initrd: string[];
  /** A .dtb path, "firmware" (the running /sys/firmware/fdt), or null when nothing names one. */
  dtb: string | null;
  /** Why `dtb` is what it is, in words (e.g. "FDTDIR match for raspberrypi,3-model-b"). */
  dtbReason: string | null;
  /**
   * Device tree overlays the config asks for, in order (Pi `dtoverlay=`, extlinux FDTOVERLAYS,
   * BLS devicetree-overlay), each with the parameters given for it.
   */
  overlays: DeviceTreeOverlay[];
  /** Parameters of the base tree (Pi `dtparam=` outside an overlay's lines), in order. */
  dtparams: DtParam[];
  cmdline: string;
  /**
   * Words the Raspberry Pi firmware would derive from this entry's config.txt (`8250.nr_uarts=`
   * from enable_uart); they stand in for the running firmware's words of the same name.
   */
  firmwareArgs: string[];
  /**
   * When the kernel and its initrds are inside one file (a unified kernel image, an ISO image on
   * a stick), `kernel` is that file and this says where in it they are; null otherwise.
   */
  inside: InsideParts | null;
  default: boolean;
  /** "config": a boot config names it; "other": found on disk by file name only. */
  kind: 'config' | 'other';
  origin: EntryOrigin;
  /** From the kernel image header, when it can be read. */
  arch: Arch | null;
  /**
   * Set when the image is not Linux but speaks Linux's boot protocol (memtest86+: a bzImage with
   * no kernel release), which kexec starts the same way; null for Linux.
   */
  notLinux: 'linux-boot-protocol' | null;
  version: string | null;
}

/** Bytes of a file: `size` of them from `offset`. */
export interface ByteRange {
  offset: number;
  size: number;
}

/** A file inside another: its bytes there, and what it is called inside (a PE section, a path in an ISO image). */
export interface InnerFile extends ByteRange {
  name: string;
}

/** Where a kernel and its initrds are inside one file; the boot copies them out for kexec. */
export interface InsideParts {
  linux: InnerFile;
  /** In the order the kernel gets them (a UKI's .ucode before its .initrd). */
  initrds: InnerFile[];
  dtb: InnerFile | null;
}

/** A device tree parameter: `name=value`, or a bare `name` (value null: a boolean set on). */
export interface DtParam {
  name: string;
  value: string | null;
}

export interface DeviceTreeOverlay {
  path: string;
  params: DtParam[];
}

export interface Problem {
  source: string | null;
  file: string | null;
  line: number | null;
  message: string;
}

/** What a scanned disk's own kexmenu.conf chooses (the first disk, in source order, that has one). */
export interface DiskConfig {
  source: string;
  file: string;
  timeout: number | null;
  default: string | null;
}

export interface ScanResult {
  sources: BootSource[];
  entries: BootEntry[];
  problems: Problem[];
  config: DiskConfig | null;
}

/** Facts about the running machine that decide how a kernel can be booted (read by src/platform/). */
export interface Machine {
  arch: Arch;
  /** /proc/device-tree/model, e.g. "Raspberry Pi 3 Model B Plus Rev 1.3"; null off device tree. */
  model: string | null;
  /** /proc/device-tree/compatible, most specific first; empty off device tree. */
  compatible: string[];
  /** Each CPU node's `enable-method` ("psci", "spin-table"), in node order; empty when unknown. */
  cpuEnableMethods: string[];
  /** Count of CPUs in /sys/devices/system/cpu/possible. */
  possibleCpus: number;
  /** A PSCI node is present (/proc/device-tree/psci), so secondary CPUs can be taken down. */
  psci: boolean;
  /** The running kernel's command line (/proc/cmdline). */
  cmdline: string;
  /** systemd is PID 1 (an ordinary system: prefer `systemctl kexec`). */
  systemd: boolean;
  /** Path of the firmware's flattened device tree (/sys/firmware/fdt) when it exists. */
  firmwareFdt: string | null;
}

export interface DeviceTreeRequest {
  /** The base tree: a .dtb from disk, or the firmware's own (then `base` equals `firmware`). */
  base: string;
  /** When the base tree is these bytes of `base` (a unified kernel image's .dtb), not all of it. */
  baseRange?: ByteRange;
  /** The running firmware's tree, whose facts a tree from disk gets; null when there is none. */
  firmware: string | null;
  overlays: DeviceTreeOverlay[];
  dtparams: DtParam[];
  to: string;
}

export interface DeviceTreeStepReport {
  kind: 'dtparam' | 'overlay';
  name: string;
  path: string | null;
  applied: boolean;
  reason: string | null;
  params: Array<{ name: string; value: string | null; ok: boolean; reason?: string }>;
}

export interface DeviceTreeReport {
  steps: DeviceTreeStepReport[];
  carried: string[];
}

/** What the person changed in the editor before booting. */
export interface BootEdits {
  /** Replaces the whole command line. */
  cmdline?: string;
  /** Appended to the command line (after `cmdline`, when both are given). */
  append?: string;
  /** Replaces the entry's initrd list. */
  initrd?: string[];
  /** Replaces the DTB choice: a path, "firmware", or null for "let the rules decide". */
  dtb?: string | null;
  /** false: the tree without the entry's overlays and dtparams (the firmware's facts still go in). */
  overlays?: boolean;
}

export interface BootPlan {
  ok: boolean;
  /** Why the entry cannot be booted here, and the fix; null when ok. */
  refusal: string | null;
  /** argv of the load step, e.g. ["kexec", "-l", KERNEL, "--initrd=…", "--append=…"]. */
  load: string[];
  /** argv of the exec step: ["kexec", "-e"] or ["systemctl", "kexec"]. */
  exec: string[];
  /** The command line the new kernel gets. */
  cmdline: string;
  dtb: { path: string; reason: string } | null;
  warnings: string[];
  /**
   * Files to copy out of the one file that holds them (`from`: a unified kernel image, an ISO
   * image) into temporary files before the load, the kernel first, then its initrds; null when
   * the kernel is a file of its own.
   */
  extract: { from: string; parts: Array<InnerFile & { to: string }> } | null;
  /** Several initrds to concatenate into the one temporary file `to` that `load` names; null for 0 or 1. */
  initrdJoin: { from: string[]; to: string } | null;
  /**
   * A device tree to build and write to `to` before loading (overlays and parameters applied, the
   * firmware's facts carried into a tree from disk); null when the tree goes as it is.
   */
  dtbBuild: DeviceTreeRequest | null;
  /** What that build does, step by step, when the planner could try it; null otherwise. */
  deviceTree: DeviceTreeReport | null;
}
