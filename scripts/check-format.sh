#!/usr/bin/env bash
# check-format.sh: whether every C++ file is formatted as .clang-format says.
# Checks core/ idb_bridge/ file_vfs/ wasm/ tests/cpp/ tests/fuzz/ bench/ (*.cc, *.h).
# Prints the files that are not clean and exits 1; exits 0 when all are.
# To fix a file: clang-format -i <file>
# Installs clang-format with apt-get when it is missing (as scripts/setup.sh does).
# The style is pinned by the clang-format of Debian 12 (14.0.6): another
# version may format a few constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v clang-format >/dev/null; then
  echo "check-format: installing clang-format"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang-format >/dev/null
fi

mapfile -t files < <(find core idb_bridge file_vfs wasm tests/cpp tests/fuzz bench \
  -type f \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} of ${#files[@]} C++ files are not clang-format clean (fix: clang-format -i <file>):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: ${#files[@]} C++ files clean"
