// kexmenu plan ID [ROOT...] [--append ARGS] [--cmdline FULL] [--sysroot DIR] [--arch ARCH]
//                 [--board "COMPATIBLE ..."] [--device PATH]... [--json] [--dtb-out FILE]
// Scans, finds the entry, and prints how it would be booted on this machine (or on a machine
// recorded under --sysroot): the exact kexec commands, the command line, the device tree and why,
// each overlay and parameter with whether it applies. --dtb-out writes the exact tree the boot
// would pass, to read with dtc.
import { archFromUname } from '../platform/arch.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { copyFileSync } from 'node:fs';
import { describeBuild, describeSteps } from '../boot/device-tree-build.js';
import { describeDtbFile, tryRequestedTree, writeRequestedTree } from '../boot/dtb-fixup.js';
import { planBoot } from '../boot/plan.js';
import { piCmdlinesOf } from '../boot/pi-firmware-args.js';
import { shellQuote } from '../boot/shell-quote.js';
import { releaseMounts, scan } from '../discover/scan.js';
import type { Arch, BootEntry, BootPlan } from '../model.js';
import { readMachine } from '../platform/machine.js';
import { forTerminal } from '../text/terminal.js';

export const PLAN_OPTIONS = {
  append: { type: 'string' },
  cmdline: { type: 'string' },
  sysroot: { type: 'string' },
  arch: { type: 'string' },
  board: { type: 'string' },
  device: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;

export interface PlanRequest {
  id: string;
  roots: string[];
  devices: string[];
  sysroot: string | undefined;
  arch: Arch | undefined;
  board: string[] | undefined;
  append: string | undefined;
  cmdline: string | undefined;
}

export type Planned = { found: true; entry: BootEntry; plan: BootPlan } | { found: false; message: string };

/** Checks what parseArgs cannot: one ID first, a known --arch. A string is a usage error. */
export function planRequest(values: { [K in keyof typeof PLAN_OPTIONS]?: unknown }, positionals: string[]): PlanRequest | string {
  const [id, ...roots] = positionals;
  if (!id) return 'which entry? Give its ID (kexmenu scan lists them)';
  const archName = values.arch as string | undefined;
  const arch = archName === undefined ? undefined : archFromUname(archName);
  if (arch === null) return `unknown --arch ${archName} (x86_64, i386, aarch64, arm, riscv64)`;
  const board = values.board as string | undefined;
  return {
    id,
    roots,
    devices: (values.device as string[] | undefined) ?? [],
    sysroot: values.sysroot as string | undefined,
    arch,
    board: board === undefined ? undefined : board.split(/\s+/).filter(Boolean),
    append: values.append as string | undefined,
    cmdline: values.cmdline as string | undefined,
  };
}

/**
 * Scans (leaving device filesystems mounted: the DTB checks, the load and the boot read from them;
 * the caller releases them) and plans the entry. With --sysroot the machine, and by default the
 * board, are the recorded ones.
 */
export async function planFromRequest(request: PlanRequest): Promise<Planned> {
  const machine = readMachine(request.sysroot ?? '/', request.arch);
  const result = await scan({
    roots: request.roots,
    devices: request.devices,
    board: request.board ?? machine.compatible,
    arch: machine.arch,
    keepMounted: true,
  });
  const entry = result.entries.find((e) => e.id === request.id);
  if (!entry) {
    const known = result.entries.map((e) => e.id);
    return { found: false, message: `no entry "${request.id}"; ${known.length > 0 ? `known: ${known.join(', ')}` : 'the scan found no entries'}` };
  }
  const source = result.sources.find((s) => s.id === entry.source) ?? null;
  const edits = { ...(request.cmdline !== undefined && { cmdline: request.cmdline }), ...(request.append !== undefined && { append: request.append }) };
  return { found: true, entry, plan: planBoot(entry, machine, edits, { source, describeDtb: describeDtbFile, tryDeviceTree: tryRequestedTree, piCmdlines: piCmdlinesOf(result.entries) }) };
}

/** The JSON shape `kexmenu plan --json` prints. */
export function planJson(plan: BootPlan): object {
  const { ok, refusal, load, exec, cmdline, dtb, deviceTree, extract, warnings } = plan;
  return { ok, refusal, load, exec, cmdline, dtb, deviceTree, extract, warnings };
}

/** The plan as lines a person reads; the commands are shell-quoted for display only. */
export function formatPlan(entry: BootEntry, plan: BootPlan): string {
  const lines = [`Entry:        ${entry.label} (${entry.id})`, `Kernel:       ${entry.kernel} (${entry.arch ?? 'architecture unknown'})`];
  if (!plan.ok) lines.push(`Refused:      ${plan.refusal}`);
  lines.push(`Command line: ${plan.cmdline === '' ? '(empty)' : plan.cmdline}`);
  lines.push(`Device tree:  ${plan.dtb ? `${plan.dtb.path} (${plan.dtb.reason})` : 'none'}`);
  for (const step of plan.deviceTree ? describeSteps(plan.deviceTree) : []) lines.push(`Overlay:      ${step}`);
  if (plan.deviceTree && plan.deviceTree.carried.length > 0) lines.push(`Firmware:     ${plan.deviceTree.carried.join(', ')}`);
  for (const warning of plan.warnings) lines.push(`Warning:      ${warning}`);
  if (plan.ok) {
    if (plan.extract) lines.push(`Prepare:      copy ${plan.extract.parts.map((p) => p.to).join(', ')} out of ${plan.extract.from}`);
    if (plan.initrdJoin) lines.push(`Prepare:      join ${plan.initrdJoin.from.join(' + ')} into ${plan.initrdJoin.to}`);
    if (plan.dtbBuild) lines.push(`Prepare:      write ${plan.dtbBuild.to}: ${describeBuild(plan.dtbBuild)}`);
    lines.push(`Load:         ${shellQuote(plan.load)}`, `Boot:         ${shellQuote(plan.exec)}`);
  }
  return `${lines.map(forTerminal).join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...PLAN_OPTIONS, 'dtb-out': { type: 'string' } } });
  } catch (error) {
    process.stderr.write(`kexmenu plan: ${(error as Error).message}\n`);
    return 2;
  }
  const request = planRequest(parsed.values, parsed.positionals);
  if (typeof request === 'string') {
    process.stderr.write(`kexmenu plan: ${request}\n`);
    return 2;
  }
  try {
    const planned = await planFromRequest(request);
    if (!planned.found) {
      process.stderr.write(`kexmenu plan: ${forTerminal(planned.message)}\n`);
      return 1;
    }
    const { entry, plan } = planned;
    process.stdout.write(parsed.values.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : formatPlan(entry, plan));
    const dtbOut = parsed.values['dtb-out'];
    if (dtbOut !== undefined) {
      const written = writeDtbOut(plan, dtbOut);
      if (written !== null) {
        process.stderr.write(`kexmenu plan: --dtb-out ${forTerminal(dtbOut)}: ${forTerminal(written)}\n`);
        return 1;
      }
    }
    return plan.ok ? 0 : 1;
  } finally {
    await releaseMounts();
  }
}

/** Writes the exact tree the boot would pass to `file`; why not, in words, when it cannot. */
function writeDtbOut(plan: BootPlan, file: string): string | null {
  try {
    if (plan.dtbBuild) writeRequestedTree(plan.dtbBuild, file);
    else if (plan.dtb) copyFileSync(plan.dtb.path, file);
    else return 'this boot passes no device tree';
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
