#!/usr/bin/env bash
# migration-crash-soak.sh: the 20-round version of
# tests/browser/migration-crash.test.mjs (the test command runs 4 rounds).
# Needs a build (js/dist). Prints the test's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
MIGRATION_CRASH_ROUNDS=${MIGRATION_CRASH_ROUNDS:-20} node --test --test-concurrency=1 tests/browser/migration-crash.test.mjs
