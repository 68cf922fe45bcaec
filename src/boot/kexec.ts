// The edge that runs a BootPlan: prepare its temporary files, `kexec -l`, then (after unmounting
// and sync) `kexec -e` or `systemctl kexec`. With dryRun every step is printed and nothing runs.
// A failed load leaves every filesystem as it was, so the menu can go on.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BootPlan } from '../model.js';
import { runCommand } from '../run-command.js';
import { describeBuild, describeSteps } from './device-tree-build.js';
import { writeRequestedTree } from './dtb-fixup.js';
import { explainKexecFailure, type KexecFailure } from './kexec-errors.js';
import { shellQuote } from './shell-quote.js';

export interface KexecOutcome {
  ok: boolean;
  /** What went wrong, for a person; null when ok. */
  message: string | null;
  /** Every command run (or, with dryRun, that would run), in order. */
  commands: string[][];
}

/**
 * How long each step may take before kexmenu stops waiting. Loading reads the kernel and initrds
 * (tens of MB from an SD card or USB stick); `kexec -e` has no limit: it only comes back on failure.
 */
export const KEXEC_TIMEOUTS_MS = { load: 120_000, unload: 30_000, sync: 10_000, systemctl: 60_000 } as const;

export interface LoadOptions {
  dryRun?: boolean;
  /** Overrides KEXEC_TIMEOUTS_MS.load (tests). */
  loadTimeoutMs?: number;
  log?: (line: string) => void;
  /** The kexec program to run in place of `kexec` (a path, for tests and odd installs). */
  kexecBinary?: string;
  /** Where the kernel says whether a kexec image is loaded; default /sys/kernel/kexec_loaded. */
  kexecLoadedFile?: string;
}

export interface ExecuteOptions {
  dryRun?: boolean;
  log?: (line: string) => void;
  kexecBinary?: string;
  /** Unmounts every scanned filesystem; returns the errors, if any (a read-only mount left behind is safe). */
  unmount: () => Promise<readonly string[] | void>;
}

export async function loadPlan(plan: BootPlan, options: LoadOptions = {}): Promise<KexecOutcome> {
  const log = options.log ?? (() => {});
  const commands: string[][] = [];
  if (!plan.ok) return { ok: false, message: plan.refusal, commands };
  const kexec = options.kexecBinary ?? 'kexec';
  const loaded = isKexecLoaded(options.kexecLoadedFile ?? '/sys/kernel/kexec_loaded');
  const unload = ['kexec', '-u'];

  if (options.dryRun) {
    if (plan.extract) log(`would copy ${describeExtraction(plan.extract)}`);
    if (plan.dtbBuild) log(`would write ${plan.dtbBuild.to}: ${describeBuild(plan.dtbBuild)}`);
    if (plan.initrdJoin) log(`would concatenate ${plan.initrdJoin.from.join(' + ')} into ${plan.initrdJoin.to}`);
    if (loaded) {
      commands.push(unload);
      log(`would run: ${shellQuote(unload)}`);
    }
    commands.push(plan.load);
    log(`would run: ${shellQuote(plan.load)}`);
    return { ok: true, message: null, commands };
  }

  const temporary = [...(plan.extract?.parts.map((p) => p.to) ?? []), plan.dtbBuild?.to, plan.initrdJoin?.to].filter((f): f is string => !!f);
  try {
    try {
      if (plan.extract) {
        await extractParts(plan.extract);
        log(`copied ${describeExtraction(plan.extract)}`);
      }
      if (plan.dtbBuild) {
        await mkdir(path.dirname(plan.dtbBuild.to), { recursive: true });
        const built = writeRequestedTree(plan.dtbBuild);
        log(`wrote ${plan.dtbBuild.to}: ${describeBuild(plan.dtbBuild)}`);
        for (const line of describeSteps(built.report)) log(`  ${line}`);
        if (built.report.carried.length > 0) log(`  from the firmware's tree: ${built.report.carried.join(', ')}`);
      }
      if (plan.initrdJoin) {
        await concatenateInitrds(plan.initrdJoin.from, plan.initrdJoin.to);
        log(`concatenated ${plan.initrdJoin.from.join(' + ')} into ${plan.initrdJoin.to}`);
      }
    } catch (error) {
      return { ok: false, message: `Preparing the boot failed: ${(error as Error).message}`, commands };
    }
    if (loaded) {
      // Not fatal: a new load replaces the old image anyway; the unload only makes the order plain.
      commands.push(unload);
      const result = await run(unload, kexec, log, KEXEC_TIMEOUTS_MS.unload);
      if (result) log(explainKexecFailure({ ...result, step: 'unload' }));
    }
    commands.push(plan.load);
    const failure = await run(plan.load, kexec, log, options.loadTimeoutMs ?? KEXEC_TIMEOUTS_MS.load);
    if (failure) return { ok: false, message: explainKexecFailure({ ...failure, step: 'load' }), commands };
    return { ok: true, message: null, commands };
  } finally {
    // kexec_load and kexec_file_load copy every segment into kernel memory: the files can go.
    await Promise.all(temporary.map((file) => rm(file, { force: true })));
  }
}

export async function executePlan(plan: BootPlan, options: ExecuteOptions): Promise<KexecOutcome> {
  const log = options.log ?? (() => {});
  const commands: string[][] = [];
  if (!plan.ok) return { ok: false, message: plan.refusal, commands };
  const sync = ['sync'];
  if (options.dryRun) {
    log('would unmount every scanned filesystem');
    for (const argv of [sync, plan.exec]) {
      commands.push(argv);
      log(`would run: ${shellQuote(argv)}`);
    }
    return { ok: true, message: null, commands };
  }
  const errors = (await options.unmount()) ?? [];
  for (const error of errors) log(error);
  commands.push(sync);
  const syncFailure = await run(sync, options.kexecBinary ?? 'kexec', log, KEXEC_TIMEOUTS_MS.sync);
  if (syncFailure) log(`sync did not finish (${syncFailure.stderr.trim() || syncFailure.spawnError || syncFailure.exitCode}); going on, every mount of kexmenu's was read-only`);
  commands.push(plan.exec);
  const failure = await run(plan.exec, options.kexecBinary ?? 'kexec', log, plan.exec[0] === 'systemctl' ? KEXEC_TIMEOUTS_MS.systemctl : null);
  // `kexec -e` only comes back when it failed; `systemctl kexec` comes back at once with 0 after queuing the job.
  if (failure) return { ok: false, message: `${explainKexecFailure({ ...failure, step: 'exec' })} The disks were unmounted: rescan before trying again.`, commands };
  return { ok: true, message: null, commands };
}

function describeExtraction(extract: NonNullable<BootPlan['extract']>): string {
  return `${extract.parts.length} part(s) of ${extract.from} out: ${extract.parts.map((p) => `${p.size} bytes at ${p.offset} to ${p.to}`).join(', ')}`;
}

/** Copies byte ranges of a unified kernel image into files of their own. */
async function extractParts(extract: NonNullable<BootPlan['extract']>): Promise<void> {
  const from = await open(extract.from, 'r');
  try {
    for (const part of extract.parts) {
      await mkdir(path.dirname(part.to), { recursive: true });
      const out = await open(part.to, 'w', 0o600);
      try {
        const chunk = Buffer.alloc(Math.min(part.size, 1 << 20));
        for (let done = 0; done < part.size; ) {
          const { bytesRead } = await from.read(chunk, 0, Math.min(chunk.length, part.size - done), part.offset + done);
          if (bytesRead === 0) throw new Error(`${extract.from} ends before its section at ${part.offset} (${part.size} bytes)`);
          await out.write(chunk.subarray(0, bytesRead));
          done += bytesRead;
        }
      } finally {
        await out.close();
      }
    }
  } finally {
    await from.close();
  }
}

// The kernel unpacks concatenated cpio archives (compressed or not) one after another; each starts
// on a 4-byte boundary, as bootloaders that join initrds (GRUB) lay them out.
async function concatenateInitrds(parts: string[], to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  const out = await open(to, 'w', 0o600);
  try {
    let written = 0;
    for (const part of parts) {
      const padding = (4 - (written % 4)) % 4;
      if (padding > 0) {
        await out.write(Buffer.alloc(padding));
        written += padding;
      }
      for await (const chunk of createReadStream(part)) {
        await out.write(chunk as Buffer);
        written += (chunk as Buffer).length;
      }
    }
  } finally {
    await out.close();
  }
}

function isKexecLoaded(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return readFileSync(file, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

type RunFailure = Omit<KexecFailure, 'step'>;

/** Runs argv (with `kexec` swapped for the configured binary); null when it succeeded. */
async function run(argv: readonly string[], kexecBinary: string, log: (line: string) => void, timeoutMs: number | null): Promise<RunFailure | null> {
  const [program, ...args] = argv;
  if (!program) throw new Error('empty command');
  const binary = program === 'kexec' ? kexecBinary : program;
  log(`$ ${shellQuote(argv)}`);
  const result = await runCommand([binary, ...args], { timeoutMs });
  if (result.ok) return null;
  const stderr = result.timedOut ? `no answer within ${timeoutMs! / 1000} s: ${program} is left behind` : result.stderr;
  if (stderr.trim()) log(stderr.trim());
  return {
    exitCode: result.exitCode,
    stderr,
    spawnError: result.spawnError,
    timedOut: result.timedOut,
    command: program,
    uid: process.getuid?.() ?? null,
  };
}
