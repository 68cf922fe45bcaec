// `kexmenu [menu]`: the boot menu on the console. Everything that can fail before the first frame
// (arguments, the config, no terminal) fails here with a message and exit code 2; the UI modules
// (and Ink) load only after `CI` is gone from the environment, because Ink reads it at load time.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfigFile, effectiveTimeout, kernelArgConfig, mergeConfig, type MenuConfig } from '../config.js';
import { archFromUname } from '../platform/arch.js';
import { forTerminal } from '../text/terminal.js';

export const MENU_USAGE = `usage: kexmenu [menu] [--dry-run] [--timeout N] [--config FILE] [--board "COMPATIBLE ..."]
                      [--sysroot DIR] [--arch ARCH] [--device PATH]... [--watch-dir DIR]... [ROOT...]
  ROOT         directories to scan as partitions (no root needed); without ROOT, --device or
               --watch-dir every block device is mounted read-only and scanned
  --watch-dir  scan every subdirectory of DIR as a source, and rescan when one comes or goes
  --dry-run    print the kexec commands instead of running them, then exit 0`;

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

export async function run(argv: string[] = []): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: joinNegativeTimeout(argv),
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean' },
        timeout: { type: 'string' },
        config: { type: 'string' },
        board: { type: 'string' },
        sysroot: { type: 'string' },
        arch: { type: 'string' },
        device: { type: 'string', multiple: true },
        'watch-dir': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`kexmenu: ${(error as Error).message}\n${MENU_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    process.stdout.write(`${MENU_USAGE}\n`);
    return 0;
  }
  const cli: Partial<MenuConfig> = {};
  if (values.timeout !== undefined) {
    if (!/^-?\d+$/.test(values.timeout)) {
      process.stderr.write(`kexmenu: --timeout wants whole seconds (0 boots at once, -1 waits forever): ${values.timeout}\n`);
      return 2;
    }
    cli.timeout = Number(values.timeout);
  }
  const arch = values.arch === undefined ? undefined : archFromUname(values.arch);
  if (arch === null) {
    process.stderr.write(`kexmenu: unknown --arch ${values.arch} (x86_64, i386, aarch64, arm, riscv64)\n`);
    return 2;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    const which = !process.stdin.isTTY ? 'stdin' : 'stdout';
    process.stderr.write(
      `kexmenu: the menu needs a terminal, and ${which} is not one.\n` +
        'Run it on a console (init: a getty-less respawn line on tty1 or ttyS0), or use `kexmenu scan` and `kexmenu boot ID` from scripts.\n',
    );
    return 2;
  }

  const configFile = values.config ?? '/etc/kexmenu.conf';
  const image = readConfigFile(configFile);
  if (values.config && !existsSync(configFile)) {
    process.stderr.write(`kexmenu: ${configFile}: no such file\n`);
    return 2;
  }
  if (values.config && image.problems.some((p) => p.line === 0)) {
    process.stderr.write(forTerminal(`kexmenu: ${configFile}: ${image.problems[0]!.message}`) + '\n');
    return 2;
  }

  // The first scan worker starts while Ink loads, not after.
  (await import('../discover/isolate.js')).warmScanWorkers();
  // Ink decides at load time whether it runs under CI (and then prints nothing until exit).
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // A serial console reports 0x0 until someone runs stty: draw for 80x24 instead.
  const fixSize = () => {
    if (!process.stdout.columns) process.stdout.columns = 80;
    if (!process.stdout.rows) process.stdout.rows = 24;
  };
  fixSize();
  process.stdout.prependListener('resize', fixSize);

  const [{ readMachine }, { createBackend, deviceMode }, { runMenu }, { initialState }, kexec, { releaseMounts }] = await Promise.all([
    import('../platform/machine.js'),
    import('../ui/real-backend.js'),
    import('../ui/run-menu.js'),
    import('../ui/state.js'),
    import('../boot/kexec.js'),
    import('../discover/scan.js'),
  ]);
  const board = values.board?.split(/[\s,]+/).filter(Boolean);
  const machine = readMachine(values.sysroot ?? '/', arch);
  // Flags beat kexmenu.* kernel arguments, which beat any config file.
  Object.assign(cli, { ...kernelArgConfig(machine.cmdline), ...cli });
  const options = {
    roots: positionals,
    watchDirs: values['watch-dir'] ?? [],
    devices: values.device ?? [],
    machine: board ? { ...machine, compatible: board } : machine,
    imageConfig: image.config,
    cliConfig: cli,
  };
  const initialConfig = mergeConfig(image.config, null, cli);
  const initial = initialState(initialConfig, effectiveTimeout(initialConfig));
  initial.log = image.problems.map((p) => `${p.file ?? configFile}:${p.line}: ${p.message}`);
  const dryRun = values['dry-run'] ?? false;
  const devices = deviceMode(options);
  try {
    return await runMenu({
      backend: createBackend(options),
      initial,
      booter: {
        load: (plan, log) => kexec.loadPlan(plan, { dryRun, log }),
        exec: (plan, log) => kexec.executePlan(plan, { dryRun, log, unmount: devices ? releaseMounts : async () => {} }),
      },
    });
  } finally {
    if (devices) await releaseMounts();
  }
}
