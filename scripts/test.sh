#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what the tests need, idempotently,
# then type-checks, runs the unit tests and the fuzz suite, builds the bundle and runs the QEMU
# end-to-end suite.
# Ends with one line "tests: N passed, N failed, N skipped" summed over every suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/image/ensure-deps.sh

mkdir -p .cache/test-results
rm -f .cache/test-results/*.json
status=0
npx tsc --noEmit || status=1
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/test-results/unit.json || status=1
# The fuzz suite on both cores (about two minutes): every parser of disk data, 10,000 inputs each.
npx vitest run --config test/fuzz/vitest.config.ts --reporter=default --reporter=json --outputFile.json=.cache/test-results/fuzz.json || status=1
npm run --silent build || status=1
if [ -f test/e2e/vitest.config.ts ] && [ "${KEXMENU_SKIP_E2E:-0}" != 1 ]; then
  npx vitest run --config test/e2e/vitest.config.ts --reporter=default --reporter=json --outputFile.json=.cache/test-results/e2e.json || status=1
fi
node scripts/test-summary.mjs .cache/test-results/*.json || status=1
exit "$status"
