#!/usr/bin/env bash
# Fetches the pinned SQLite amalgamation into deps/sqlite/ (git-ignored).
# Source: the better-sqlite3 tarball from the npm registry, which carries
# deps/sqlite3/sqlite3.c and sqlite3.h. `npm pack` downloads it without running
# any install script. The tarball is checked against the sha256 below before
# anything is extracted; a mismatch or a failed download stops the build.
# Usage: scripts/fetch-sqlite.sh <dest-dir>
set -euo pipefail

# Pin: better-sqlite3 13.0.3 ships SQLite 3.53.4.
PACKAGE=better-sqlite3@13.0.3
TARBALL=better-sqlite3-13.0.3.tgz
SHA256=77e0513dc1a469fb3bceec4c7fb5ad3f403109787eda05be047ec17fd56868cb
SQLITE_VERSION=3.53.4

dest=${1:?usage: fetch-sqlite.sh <dest-dir>}
if [ -f "$dest/sqlite3.c" ] && [ -f "$dest/sqlite3.h" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$SQLITE_VERSION" ]; then
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-sqlite: downloading $PACKAGE from the npm registry"
if ! (cd "$work" && npm pack "$PACKAGE" --silent >/dev/null 2>"$work/npm.log"); then
  cat "$work/npm.log" >&2
  echo "fetch-sqlite: ERROR: could not download $PACKAGE. Check that the npm registry is reachable (npm ping) and run the build again." >&2
  exit 1
fi
actual=$(sha256sum "$work/$TARBALL" | cut -d' ' -f1)
if [ "$actual" != "$SHA256" ]; then
  echo "fetch-sqlite: ERROR: checksum mismatch for $TARBALL" >&2
  echo "  expected $SHA256" >&2
  echo "  got      $actual" >&2
  echo "  The registry served different bytes than the pinned release. Do not build with it;" >&2
  echo "  if the pin was changed on purpose, update SHA256 in scripts/fetch-sqlite.sh." >&2
  exit 1
fi
tar -xzf "$work/$TARBALL" -C "$work" package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
got_version=$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' "$work/package/deps/sqlite3/sqlite3.h")
if [ "$got_version" != "$SQLITE_VERSION" ]; then
  echo "fetch-sqlite: ERROR: $TARBALL holds SQLite $got_version, expected $SQLITE_VERSION" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$work/package/deps/sqlite3/sqlite3.c" "$work/package/deps/sqlite3/sqlite3.h" "$dest/"
echo "$SQLITE_VERSION" > "$dest/VERSION"
echo "fetch-sqlite: SQLite $SQLITE_VERSION verified and extracted to $dest"
