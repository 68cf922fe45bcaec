// Real Debian kernels for the tests that need them, fetched once into .cache/debian by
// scripts/fetch-debian-kernels.sh. Offline (no Debian archive and nothing cached) the tests skip
// and say why instead of failing.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cache = new Map<string, string | null>();

/** The extracted root of Debian's current linux-image-*-ARCH package, or null (with a printed reason). */
export function debianKernelRoot(arch: 'amd64' | 'arm64'): string | null {
  if (cache.has(arch)) return cache.get(arch)!;
  let root: string | null = null;
  try {
    const out = execFileSync('bash', [path.join(REPO, 'scripts/fetch-debian-kernels.sh'), arch], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10 * 60 * 1000,
    });
    root = out.trim().split('\n').pop() ?? null;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
    console.warn(`skipping tests on real Debian ${arch} kernels: fetch-debian-kernels.sh failed: ${stderr}`);
  }
  cache.set(arch, root);
  return root;
}
