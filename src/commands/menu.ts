// `kexmenu [menu]`: the boot menu on the console. Everything that can fail before the first frame
// (arguments, the config, no terminal) fails here with a message and exit code 2; the UI modules
// (and Ink) load only after `CI` is gone from the environment, because Ink reads it at load time.
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readConfigFile, kernelArgConfig, mergeConfig, type MenuConfig } from '../config.js';
import type { Arch } from '../model.js';
import { archFromUname } from '../platform/arch.js';
import { forTerminal } from '../text/terminal.js';

export const MENU_USAGE = `usage: kexmenu [menu] [--dry-run] [--timeout N] [--config FILE] [--board "COMPATIBLE ..."]
                      [--sysroot DIR] [--arch ARCH] [--device PATH]... [--watch-dir DIR]...
                      [--console DEV]... [--all-consoles] [ROOT...]
  ROOT           directories to scan as partitions (no root needed); without ROOT, --device or
                 --watch-dir every block device is mounted read-only and scanned
  --watch-dir    scan every subdirectory of DIR as a source, and rescan when one comes or goes
  --console      show the menu on this terminal device (repeatable) instead of this terminal
  --all-consoles show it on every console the kernel was given, and on tty1 when it is a
                 screen of its own (kexmenu.tty1=off leaves that out): what init starts
  --dry-run      print the kexec commands instead of running them, then exit 0`;

/** `--timeout -1` means "wait forever"; parseArgs would take the -1 for an option. */
export function joinNegativeTimeout(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--timeout' && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`--timeout=${next}`);
      i++;
    } else {
      out.push(argv[i]!);
    }
  }
  return out;
}

const MENU_OPTIONS = {
  'dry-run': { type: 'boolean' },
  timeout: { type: 'string' },
  config: { type: 'string' },
  board: { type: 'string' },
  sysroot: { type: 'string' },
  arch: { type: 'string' },
  device: { type: 'string', multiple: true },
  'watch-dir': { type: 'string', multiple: true },
  console: { type: 'string', multiple: true },
  'all-consoles': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies NonNullable<ParseArgsConfig['options']>;

export interface MenuRequest {
  roots: string[];
  watchDirs: string[];
  devices: string[];
  /** Terminal devices to draw on; 'all' for every console; [] for this process's own terminal. */
  consoles: string[] | 'all';
  configFile: string;
  /** --config was given: a file that cannot be read is an error, not an empty config. */
  configGiven: boolean;
  cli: Partial<MenuConfig>;
  board: string[] | undefined;
  sysroot: string;
  arch: Arch | undefined;
  dryRun: boolean;
}

/** The menu's arguments checked and gathered: a request, 'help', or a usage error's message. */
export function menuRequest(argv: string[]): MenuRequest | 'help' | string {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeTimeout(argv), allowPositionals: true, options: MENU_OPTIONS });
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const cli: Partial<MenuConfig> = {};
  if (values.timeout !== undefined) {
    if (!/^-?\d+$/.test(values.timeout)) return `--timeout wants whole seconds (0 boots at once, -1 waits forever): ${values.timeout}`;
    cli.timeout = Number(values.timeout);
  }
  const arch = values.arch === undefined ? undefined : archFromUname(values.arch);
  if (arch === null) return `unknown --arch ${values.arch} (x86_64, i386, aarch64, arm, riscv64)`;
  if (values['all-consoles'] && values.console) return '--console and --all-consoles: choose one';
  return {
    roots: positionals,
    watchDirs: values['watch-dir'] ?? [],
    devices: values.device ?? [],
    consoles: values['all-consoles'] ? 'all' : (values.console ?? []),
    configFile: values.config ?? '/etc/kexmenu.conf',
    configGiven: values.config !== undefined,
    cli,
    board: values.board?.split(/[\s,]+/).filter(Boolean),
    sysroot: values.sysroot ?? '/',
    arch,
    dryRun: values['dry-run'] ?? false,
  };
}

export async function run(argv: string[] = []): Promise<number> {
  const request = menuRequest(argv);
  if (request === 'help') {
    process.stdout.write(`${MENU_USAGE}\n`);
    return 0;
  }
  if (typeof request === 'string') {
    process.stderr.write(`kexmenu: ${request}\n${MENU_USAGE}\n`);
    return 2;
  }
  if (request.consoles.length === 0 && (!process.stdin.isTTY || !process.stdout.isTTY)) {
    const which = !process.stdin.isTTY ? 'stdin' : 'stdout';
    process.stderr.write(
      `kexmenu: the menu needs a terminal, and ${which} is not one.\n` +
        'Run it on a console (init: a getty-less respawn line on tty1 or ttyS0), or use `kexmenu scan` and `kexmenu boot ID` from scripts.\n',
    );
    return 2;
  }
  const image = readConfigFile(request.configFile);
  if (request.configGiven && !existsSync(request.configFile)) {
    process.stderr.write(`kexmenu: ${request.configFile}: no such file\n`);
    return 2;
  }
  if (request.configGiven && image.problems.some((p) => p.line === 0)) {
    process.stderr.write(forTerminal(`kexmenu: ${request.configFile}: ${image.problems[0]!.message}`) + '\n');
    return 2;
  }
  return startMenu(request, image);
}

/** Loads the UI, opens the consoles, and runs the menu until it boots or quits. */
async function startMenu(request: MenuRequest, image: ReturnType<typeof readConfigFile>): Promise<number> {
  // The first scan worker starts while Ink loads, not after.
  (await import('../discover/isolate.js')).warmScanWorkers();
  // Ink decides at load time whether it runs under CI (and then prints nothing until exit).
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;

  const [{ readMachine }, { readMenuConsoles }, { createBackend, deviceMode }, { runMenu }, { initialShared }, consoleIO, kexec, { releaseMounts }, { releaseStaleMounts }] = await Promise.all([
    import('../platform/machine.js'),
    import('../platform/consoles.js'),
    import('../menu/source-backend.js'),
    import('../ui/run-menu.js'),
    import('../menu/shared-state.js'),
    import('../ui/console-io.js'),
    import('../boot/kexec.js'),
    import('../discover/scan.js'),
    import('../discover/mount.js'),
  ]);
  const machine = readMachine(request.sysroot, request.arch);
  const devicesOf = request.consoles === 'all' ? readMenuConsoles(machine.cmdline) : request.consoles;
  const consoles = [];
  for (const device of devicesOf) {
    try {
      consoles.push(consoleIO.openConsole(device));
    } catch (error) {
      process.stderr.write(`kexmenu: ${forTerminal((error as Error).message)}\n`);
    }
  }
  if (devicesOf.length === 0 || (consoles.length === 0 && request.consoles === 'all')) consoles.push(consoleIO.processConsole());
  if (consoles.length === 0) return 2;

  // Flags beat kexmenu.* kernel arguments, which beat any config file.
  const cli = { ...kernelArgConfig(machine.cmdline), ...request.cli };
  const options = {
    roots: request.roots,
    watchDirs: request.watchDirs,
    devices: request.devices,
    machine: request.board ? { ...machine, compatible: request.board } : machine,
    imageConfig: image.config,
    cliConfig: cli,
  };
  const log = image.problems.map((p) => `${p.file ?? request.configFile}:${p.line}: ${p.message}`);
  const { dryRun } = request;
  const devices = deviceMode(options);
  const lock = devices ? await (await import('../menu/owner-lock.js')).takeOwnerLock() : null;
  if (lock && !lock.held) {
    for (const c of consoles) c.close();
    const who = lock.owner === null ? '' : ` (pid ${lock.owner})`;
    process.stderr.write(`kexmenu: the menu already runs${who}: one process owns the disks. Use kexmenu scan to look.\n`);
    return 1;
  }
  if (lock) {
    const stale = await releaseStaleMounts();
    if (stale.released.length > 0) log.push(`let go of ${stale.released.length} mount(s) a previous kexmenu left behind: ${stale.released.join(' ')}`);
    log.push(...stale.errors);
  }
  try {
    return await runMenu({
      backend: createBackend(options),
      initial: initialShared(mergeConfig(image.config, null, cli), log),
      consoles,
      booter: {
        load: (plan, say) => kexec.loadPlan(plan, { dryRun, log: say }),
        exec: (plan, say) => kexec.executePlan(plan, { dryRun, log: say, unmount: devices ? releaseMounts : async () => {} }),
      },
    });
  } finally {
    if (devices) await releaseMounts();
    if (lock?.held) await lock.release();
  }
}
