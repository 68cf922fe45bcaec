// Bundles kexmenu into dist/kexmenu.mjs, which runs from any directory with no node_modules beside
// it, and dist/scan-worker.mjs next to it: the script of the worker threads that scan one disk
// each (src/discover/isolate.ts), small so that starting one costs little.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const stub = path.join(root, 'scripts/build-stubs/empty.mjs');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // Ink only loads react-devtools-core and ws for its devtools; fetch would pull undici into yoga's loader.
  alias: { 'react-devtools-core': stub, ws: stub },
  // KEXMENU_BUNDLE: the bundle starts its scan workers from dist/scan-worker.mjs (src/discover/isolate.ts).
  define: { 'process.env.NODE_ENV': '"production"', fetch: 'undefined', KEXMENU_VERSION: JSON.stringify(version), KEXMENU_BUNDLE: 'true' },
  banner: {
    js: "#!/usr/bin/env node\nimport{createRequire as __kexmenuRequire}from'node:module';const require=__kexmenuRequire(import.meta.url);",
  },
  logLevel: 'warning',
};
await build({ ...common, entryPoints: [path.join(root, 'src/cli.ts')], outfile: path.join(root, 'dist/kexmenu.mjs') });
await build({ ...common, entryPoints: [path.join(root, 'src/discover/source-worker.ts')], outfile: path.join(root, 'dist/scan-worker.mjs') });
