// The tests' way to dtc (device-tree-compiler): DTS text to a blob, and a blob back to DTS text.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CompileOptions {
  /** dtc -@: /__symbols__, and in an overlay /__fixups__ and /__local_fixups__. */
  symbols?: boolean;
  /** dtc -H: which phandle properties nodes get. */
  phandles?: 'legacy' | 'epapr' | 'both';
}

function dtc(args: string[], input: string | Uint8Array): Buffer {
  const run = spawnSync('dtc', ['-q', ...args, '-'], { input, timeout: 20_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`dtc ${args.join(' ')} failed: ${run.stderr.toString().trim()}`);
  return run.stdout;
}

export function compileDts(dts: string, options: CompileOptions = {}): Uint8Array {
  const flags = [...(options.symbols ? ['-@'] : []), ...(options.phandles ? ['-H', options.phandles] : [])];
  return new Uint8Array(dtc(['-I', 'dts', '-O', 'dtb', ...flags], dts));
}

export function compileDtsTo(file: string, dts: string, options?: CompileOptions): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, compileDts(dts, options));
  return file;
}

export function decompileDtb(dtb: Uint8Array, options: { sorted?: boolean } = {}): string {
  return dtc(['-I', 'dtb', '-O', 'dts', ...(options.sorted ? ['-s'] : [])], dtb).toString();
}

/** A whole tree of one root node: its compatible strings, then `body`. */
export function rootDts(compatible: string[], body = ''): string {
  return `/dts-v1/;\n/ { compatible = ${compatible.map((c) => `"${c}"`).join(', ')}; ${body} };\n`;
}
