// Runs test/buildroot/check.sh (the offline Buildroot checks of buildroot/) when BUILDROOT_DIR
// names a Buildroot checkout; otherwise the test is skipped and says why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'check.sh');
const buildroot = process.env.BUILDROOT_DIR ?? '';
const skipReason = !buildroot
  ? 'BUILDROOT_DIR is unset: set it to a Buildroot checkout to run the offline defconfig and check-package checks'
  : !existsSync(path.join(buildroot, 'support/scripts/check-dotconfig.py'))
    ? `BUILDROOT_DIR=${buildroot} is not a Buildroot checkout`
    : '';

if (skipReason) console.log(`test/buildroot: skipped: ${skipReason}`);

describe('buildroot/ BR2_EXTERNAL tree', () => {
  it.skipIf(Boolean(skipReason))(
    'every defconfig survives Kconfig and every file passes check-package -b',
    () => {
      const run = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, BUILDROOT_DIR: buildroot } });
      const output = `${run.stdout}${run.stderr}`;
      expect(output, output).toContain('ALL PASS');
      expect(run.status, output).toBe(0);
    },
    600_000,
  );
});
