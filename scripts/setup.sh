#!/usr/bin/env bash
# One setup step for both README commands: installs whatever is missing and
# is quick (a few checks, no network) when everything is already there.
# Debian packages come from apt-get; JS packages from package-lock.json via npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, each named by a file it provides so the check is cheap
# (a glob where the path carries a version or architecture).
declare -A NEEDS=(
  [cmake]=/usr/bin/cmake
  [g++]=/usr/bin/g++
  # The native checks (scripts/test-native-checks.sh): clang with the
  # sanitizer and libFuzzer runtimes (libclang-rt-dev: only recommended by
  # clang's packages), clang-format, and llvm for llvm-symbolizer (readable stack traces).
  [clang]=/usr/bin/clang++
  [clang-format]=/usr/bin/clang-format
  [libclang-rt-dev]='/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a'
  [llvm]=/usr/bin/llvm-symbolizer
  [make]=/usr/bin/make
  [emscripten]=/usr/bin/emcc
  [libgtest-dev]=/usr/include/gtest/gtest.h
  [nlohmann-json3-dev]=/usr/include/nlohmann/json.hpp
  [chromium]=/usr/bin/chromium
  # The sqlite3 CLI opens db.exportFile() output in tests/node/portability.test.mjs.
  [sqlite3]=/usr/bin/sqlite3
  # better-sqlite3 (the sync reference server) compiles with node-gyp when npm cannot download
  # a prebuilt binary (GitHub is not reachable from CI): node-gyp needs python3, make and g++.
  [python3]=/usr/bin/python3
  [nodejs]=/usr/bin/node
  [npm]=/usr/bin/npm
  [ca-certificates]=/etc/ssl/certs/ca-certificates.crt
  # The Electric sync tests start their own Postgres (tests/electric/postgres.mjs); hstore is in it.
  [postgresql]='/usr/lib/postgresql/*/bin/initdb'
)
missing=()
for pkg in "${!NEEDS[@]}"; do
  compgen -G "${NEEDS[$pkg]}" >/dev/null || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.indexie-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
