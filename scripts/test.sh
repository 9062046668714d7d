#!/usr/bin/env bash
# test.sh: the README's test command. Builds everything, runs every suite
# (C++ through CTest, Node through node --test, browser through node --test
# driving Chromium), and ends with one line: "N passed, M failed".
# Exits non-zero if anything failed, or if a suite reported no count.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }

mkdir -p test-artifacts
passed=0
failed=0
summary=()

# count <suite> <passed> <failed>
count() {
  passed=$((passed + $2)); failed=$((failed + $3))
  summary+=("$1: $2 passed, $3 failed")
}

echo "== C++ (GoogleTest via CTest)"
ctest --test-dir build/native --output-on-failure 2>&1 | tee test-artifacts/ctest.log
line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' test-artifacts/ctest.log | tail -1)
if [ -n "$line" ]; then
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  count cpp $((total - bad)) "$bad"
else
  count cpp 0 1
fi

echo "== C++ native checks (clang-format, GoogleTest under ASan + UBSan, 20 s of fuzzing per target)"
scripts/test-native-checks.sh 2>&1 | tee test-artifacts/native-checks.log
line=$(grep -E '^native-checks: [0-9]+ passed, [0-9]+ failed$' test-artifacts/native-checks.log | tail -1)
if [ -n "$line" ]; then
  count native-checks "$(awk '{print $2}' <<<"$line")" "$(awk '{print $4}' <<<"$line")"
else
  count native-checks 0 1
fi

echo "== lint (ESLint, Prettier)"
scripts/lint.sh 2>&1 | tee test-artifacts/lint.log
line=$(grep -E '^lint: [0-9]+ passed, [0-9]+ failed$' test-artifacts/lint.log | tail -1)
if [ -n "$line" ]; then
  count lint "$(awk '{print $2}' <<<"$line")" "$(awk '{print $4}' <<<"$line")"
else
  count lint 0 1
fi

# run_node_suite <name> <files...>
run_node_suite() {
  local name=$1; shift
  echo "== $name"
  # Every test has a time limit (the longest, the 10 s outage and the soaks, take well under a
  # minute), so a promise that never settles fails its test instead of stalling the run.
  node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec "$@" 2>&1 | tee "test-artifacts/$name.log"
  local p f
  p=$(grep -E '^ℹ pass [0-9]+' "test-artifacts/$name.log" | tail -1 | awk '{print $3}')
  f=$(grep -E '^ℹ fail [0-9]+' "test-artifacts/$name.log" | tail -1 | awk '{print $3}')
  # A test cancelled by its timeout (a hang) is a failure too.
  c=$(grep -E '^ℹ cancelled [0-9]+' "test-artifacts/$name.log" | tail -1 | awk '{print $3}')
  if [ -z "$p" ] || [ -z "$f" ]; then count "$name" 0 1; else count "$name" "$p" $((f + ${c:-0})); fi
}

run_node_suite node tests/node/*.test.mjs
run_node_suite browser tests/browser/*.test.mjs

echo "== Summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
