// argv -> one command. Each command lives in src/commands/<name>.ts and exports run(argv).
import { COMMANDS, type CommandName } from './commands/index.js';
import { exitWithoutStuckWorkers } from './discover/isolate.js';
import { forTerminal } from './text/terminal.js';

const USAGE = `usage: kexmenu [menu] [--dry-run] [ROOT...]
       kexmenu scan [--json] [ROOT...] [--device PATH]... [--board "COMPATIBLE ..."]
       kexmenu plan ID [ROOT...] [--append ARGS] [--cmdline FULL] [--sysroot DIR] [--arch ARCH] [--json] [--dtb-out FILE]
       kexmenu boot ID [same options as plan] [--dry-run] [--yes]
       kexmenu version`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const name = first && Object.hasOwn(COMMANDS, first) ? (first as CommandName) : 'menu';
  const args = name === first ? rest : argv;
  // `kexmenu boot --help`: that command's usage (the menu prints its own, longer one).
  if (name !== 'menu' && (args.includes('--help') || args.includes('-h'))) {
    const line = USAGE.split('\n').find((l) => l.trimStart().startsWith(`kexmenu ${name}`))!;
    process.stdout.write(`usage: ${line.replace(/^usage: /, '').trimStart()}\n`);
    return 0;
  }
  const command = await COMMANDS[name]();
  return command.run(args);
}

/** Resolves once everything written to `stream` so far has left (a pipe may not take 5 MB of JSON at once). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

main(process.argv.slice(2))
  .catch((error: unknown) => {
    process.stderr.write(`kexmenu: ${forTerminal(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  })
  .then(async (code) => {
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    exitWithoutStuckWorkers(code);
  });
