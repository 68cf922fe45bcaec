// kexmenu scan [--json] [ROOT...] [--device PATH]... [--board "COMPATIBLE ..."] [--arch ARCH]
import { parseArgs } from 'node:util';
import { scan } from '../discover/scan.js';
import { archFromUname } from '../platform/arch.js';
import { formatScan } from './scan-table.js';

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        device: { type: 'string', multiple: true, default: [] },
        board: { type: 'string' },
        arch: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`kexmenu scan: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = args;
  const arch = values.arch === undefined ? undefined : archFromUname(values.arch);
  if (arch === null) {
    process.stderr.write(`kexmenu scan: unknown --arch ${values.arch} (x86_64, i386, aarch64, arm, riscv64)\n`);
    return 2;
  }
  const result = await scan({
    roots: positionals,
    devices: values.device,
    board: values.board === undefined ? undefined : values.board.split(/\s+/).filter(Boolean),
    arch,
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatScan(result));
  return 0;
}
