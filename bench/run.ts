// npm run bench: prints figures (never pass/fail). Each section measures one part of kexmenu.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { benchFdtdir } from './fdtdir.js';
import { benchMenu } from './menu.js';
import { benchQemu } from './qemu.js';
import { benchScan } from './scan.js';

const cacheDir = path.resolve('.cache/bench');
mkdirSync(cacheDir, { recursive: true });

const sections: [string, () => Promise<string[]>][] = [
  ['scan', () => benchScan(cacheDir)],
  ['fdtdir', () => benchFdtdir(cacheDir)],
  ['menu', () => benchMenu()],
  ['qemu', () => benchQemu()],
];
for (const [name, section] of sections) {
  try {
    console.log((await section()).join('\n'));
  } catch (error) {
    console.log(`## ${name}\n  failed: ${(error as Error).message}`);
  }
}
