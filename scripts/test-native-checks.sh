#!/usr/bin/env bash
# test-native-checks.sh: the checks of the C++ code beyond its unit tests,
# each counted as one check:
#   format        scripts/check-format.sh (every C++ file clang-format clean)
#   asan tests    the GoogleTest suite built with clang, AddressSanitizer and
#                 UndefinedBehaviorSanitizer (build/asan), run by CTest
#   fuzz <target> each libFuzzer target of tests/fuzz/ for FUZZ_SECONDS
#                 seconds (default 20), through scripts/fuzz.sh (build/fuzz)
# Ends with one line: "native-checks: N passed, M failed"; exits 1 if any failed.
# Incremental: build/asan and build/fuzz are kept and reused.
# Logs: test-artifacts/asan-ctest.log, test-artifacts/fuzz-summary.log, test-artifacts/fuzz/.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts

passed=0
failed=0
result() {  # result <check> <0 if it passed>
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1)); echo "native-checks: $1: passed"
  else
    failed=$((failed + 1)); echo "native-checks: $1: FAILED"
  fi
}

command -v clang++ >/dev/null || scripts/setup.sh

echo "== native checks: format"
scripts/check-format.sh
result format $?

echo "== native checks: GoogleTest under ASan + UBSan (build/asan)"
jobs=$(nproc 2>/dev/null || echo 2)
(
  set -e
  if [ ! -f build/asan/CMakeCache.txt ]; then
    cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DINDEXIE_SANITIZE=ON >/dev/null
  fi
  cmake --build build/asan -j"$jobs" --target indexie_tests | grep -vE '^\[ *[0-9]+%\] (Building|Built|Linking)' || true
  [ "${PIPESTATUS[0]}" -eq 0 ]
  ctest --test-dir build/asan --output-on-failure >test-artifacts/asan-ctest.log 2>&1 || {
    grep -E 'ERROR|runtime error|SUMMARY|Failed|\*\*\*' test-artifacts/asan-ctest.log | head -40
    exit 1
  }
  tail -n 3 test-artifacts/asan-ctest.log | grep -E 'tests passed'
)
result "asan tests" $?

echo "== native checks: fuzzing, ${FUZZ_SECONDS:-20} s per target (build/fuzz)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee test-artifacts/fuzz-summary.log
fuzz_rc=${PIPESTATUS[0]}
clean=0
dirty=0
while IFS= read -r line; do
  case "$line" in
    *": "*" runs, clean") result "fuzz ${line%%:*}" 0; clean=$((clean + 1)) ;;
    *": FAILED after "*) result "fuzz ${line%%:*}" 1; dirty=$((dirty + 1)) ;;
  esac
done <test-artifacts/fuzz-summary.log
# A failure that names no target (the build, or no target ran) counts as one.
if [ "$dirty" -eq 0 ] && { [ "$fuzz_rc" -ne 0 ] || [ "$clean" -eq 0 ]; }; then
  result "fuzz (build or run failed, exit status $fuzz_rc)" 1
fi

echo "native-checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
