#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets of tests/fuzz/ (build/fuzz: clang,
# coverage + ASan + UBSan on all code, SQLite included) and runs each for a
# while, one after the other.
# Usage: scripts/fuzz.sh [seconds-per-target] [target ...]
#   seconds: default 600 (a long run); scripts/test-native-checks.sh uses 20.
#   targets: default every tests/fuzz/*_fuzzer.cc (key_codec, page_file, ...).
# Each run starts from a temporary copy of tests/fuzz/corpus/<target>/, so the
# committed corpus never grows. Prints one line per target:
#   "<target>: N runs, clean"  or  "<target>: FAILED after N runs: <what>"
# and keeps a failing input in test-artifacts/fuzz/ (reproduce: the fuzzer
# binary with that file as its argument). Logs: test-artifacts/fuzz/<target>.log.
# Exits 1 if any target failed. Incremental: build/fuzz is reused.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
shift || true
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in tests/fuzz/*_fuzzer.cc; do t=${f##*/}; targets+=("${t%_fuzzer.cc}"); done
fi

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ is missing; scripts/setup.sh installs it" >&2
  exit 1
fi
if [ ! -f build/fuzz/CMakeCache.txt ]; then
  cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DINDEXIE_FUZZ=ON >/dev/null || { echo "fuzz: cmake configure failed" >&2; exit 1; }
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build build/fuzz -j"$(nproc 2>/dev/null || echo 2)" --target "${build_targets[@]}" \
  | grep -vE '^\[ *[0-9]+%\] (Building|Built|Linking)' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz: build failed" >&2; exit 1; }

artifacts=test-artifacts/fuzz
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=0
for t in "${targets[@]}"; do
  corpus="$work/$t"
  mkdir -p "$corpus"
  [ -d "tests/fuzz/corpus/$t" ] && cp tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
  extra=()
  # A database file needs room for a few pages; the seeds are up to 24 KB.
  [ "$t" = page_file ] && extra+=(-max_len=32768)
  log="$artifacts/$t.log"
  build/fuzz/tests/fuzz/fuzz_"$t" "$corpus" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$t-" "${extra[@]}" >"$log" 2>&1
  rc=$?
  runs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}')
  [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')  # a crash prints no final stats
  if [ "$rc" -eq 0 ]; then
    echo "$t: ${runs:-?} runs, clean"
  else
    failed=$((failed + 1))
    what=$(grep -m1 'FUZZ_CHECK failed' "$log" || grep -m1 '^SUMMARY:' "$log" || grep -m1 'ERROR:' "$log")
    input=$(grep -m1 -oE 'Test unit written to [^ ]+' "$log" | sed 's/Test unit written to //')
    echo "$t: FAILED after ${runs:-?} runs: ${what:-exit status $rc} (input: ${input:-none}; log: $log)"
  fi
done
[ "$failed" -eq 0 ]
