// Bundles kexmenu into ONE file, dist/kexmenu.mjs, that runs from any directory with no
// node_modules beside it. node-pty stays external: its native pty.node is copied next to the bundle.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const stub = path.join(root, 'scripts/build-stubs/empty.mjs');

await build({
  entryPoints: [path.join(root, 'src/cli.ts')],
  outfile: path.join(root, 'dist/kexmenu.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  external: ['node-pty'],
  // Ink only loads react-devtools-core and ws for its devtools; fetch would pull undici into yoga's loader.
  alias: { 'react-devtools-core': stub, ws: stub },
  define: { 'process.env.NODE_ENV': '"production"', fetch: 'undefined', KEXMENU_VERSION: JSON.stringify(version) },
  banner: {
    js: "#!/usr/bin/env node\nimport{createRequire as __kexmenuRequire}from'node:module';const require=__kexmenuRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

const ptyNode = path.join(root, 'node_modules/node-pty/build/Release/pty.node');
if (existsSync(ptyNode)) {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  copyFileSync(ptyNode, path.join(root, 'dist/pty.node'));
}
