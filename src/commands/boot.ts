// kexmenu boot ID [ROOT...] [plan options] [--dry-run] [--yes]
// Plans the entry like `kexmenu plan`, asks before going on (unless --yes), loads it with kexec,
// then unmounts every scanned filesystem, syncs and starts it. --dry-run prints every step instead.
import { createInterface } from 'node:readline/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { executePlan, loadPlan } from '../boot/kexec.js';
import { releaseMounts } from '../discover/scan.js';
import { forTerminal } from '../text/terminal.js';
import { formatPlan, PLAN_OPTIONS, planFromRequest, planRequest } from './plan.js';

const BOOT_OPTIONS = {
  ...PLAN_OPTIONS,
  'dry-run': { type: 'boolean', default: false },
  yes: { type: 'boolean', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: BOOT_OPTIONS });
  } catch (error) {
    return usage((error as Error).message);
  }
  const request = planRequest(parsed.values, parsed.positionals);
  if (typeof request === 'string') return usage(request);
  const dryRun = parsed.values['dry-run'];
  if (request.sysroot !== undefined && !dryRun) return usage('--sysroot describes a recorded machine, not this one: use it only with --dry-run');

  let booting = false;
  try {
    const planned = await planFromRequest(request);
    if (!planned.found) return fail(planned.message);
    const { entry, plan } = planned;
    process.stdout.write(formatPlan(entry, plan));
    if (!plan.ok) return 1;

    if (!dryRun && !parsed.values.yes) {
      if (!process.stdin.isTTY) return fail(`not asking on a non-terminal: pass --yes to boot "${entry.label}"`);
      if (!(await confirm(`Boot "${forTerminal(entry.label)}" now? [y/N] `))) return fail('not booting');
    }

    const log = (line: string): void => {
      process.stdout.write(`${forTerminal(line)}\n`);
    };
    const loaded = await loadPlan(plan, { dryRun, log });
    if (!loaded.ok) return fail(loaded.message ?? 'loading the kernel failed');
    booting = !dryRun;
    const started = await executePlan(plan, { dryRun, log, unmount: releaseMounts });
    if (!started.ok) return fail(started.message ?? 'starting the kernel failed');
    return 0;
  } finally {
    // After a real exec the mounts are already gone; otherwise this process mounted them and lets them go.
    if (!booting) await releaseMounts();
  }
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

function usage(message: string): number {
  process.stderr.write(`kexmenu boot: ${message}\n`);
  return 2;
}

function fail(message: string): number {
  process.stderr.write(`kexmenu boot: ${forTerminal(message)}\n`);
  return 1;
}
