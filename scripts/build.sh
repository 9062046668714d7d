#!/usr/bin/env bash
# build.sh: builds everything: the native engine and its tests (build/native),
# the wasm module (build/wasm), and the npm package (js/dist).
# Incremental: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

jobs=$(nproc 2>/dev/null || echo 2)
# Emscripten 3.1.6's JS optimizer needs Debian's acorn, which this Node does not see by default.
export NODE_PATH=/usr/share/nodejs

if [ ! -f build/native/CMakeCache.txt ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/native -j"$jobs" | grep -vE '^\[ *[0-9]+%\] (Building|Built|Linking)' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build: native build failed" >&2; exit 1; }

if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/wasm -j"$jobs" | grep -vE '^\[ *[0-9]+%\] (Building|Built|Linking)' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build: wasm build failed" >&2; exit 1; }

npm run build --silent --workspace=indexie
node scripts/build-demo.mjs
