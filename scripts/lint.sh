#!/usr/bin/env bash
# lint.sh: ESLint (eslint.config.js) and Prettier's check (.prettierrc.json,
# .prettierignore) over the whole project, js/src included. Two checks, each
# passed or failed; the last line is "lint: N passed, M failed", and the exit
# status is non-zero if either failed. ESLint warnings do not fail it.
# Fix layout with `npm run format` (prettier --write .).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/eslint ] || [ ! -x node_modules/.bin/prettier ]; then
  echo "lint: ESLint and Prettier are not installed: run scripts/setup.sh (or npm ci) first" >&2
  echo "lint: 0 passed, 2 failed"
  exit 1
fi

passed=0
failed=0
check() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "lint: $name failed"
  fi
}

check eslint node_modules/.bin/eslint .
check prettier node_modules/.bin/prettier --check --log-level warn .

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
