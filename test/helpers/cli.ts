// The CLI as a person runs it, from the sources (no build needed): `kexmenu ARGS...`.
import path from 'node:path';
import { execa } from 'execa';
import { FIXTURES } from './golden.js';

export const REPO = path.resolve(FIXTURES, '../..');

export function kexmenu(...args: string[]) {
  return execa('node', ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO, reject: false, stdin: 'ignore' });
}
