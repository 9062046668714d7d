#!/usr/bin/env bash
# demo.sh: the README's main command. Builds everything, then serves the demo
# on 127.0.0.1 and prints its URL. PORT=... picks another port (default 8080).
# It also starts the reference sync server for the sync demo (sync.html) on
# SYNC_PORT (default 8787, data in build/demo-sync.db) and says whether it did,
# and, when Debian's postgresql is installed (scripts/setup.sh), a throwaway
# Postgres with the test shape server on ELECTRIC_PORT (default 8788) for the
# demo's "Sync from Postgres" panel (scripts/electric-demo.mjs), saying so too.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
sync_port="${SYNC_PORT:-8787}"
if node -e "require('better-sqlite3')" 2>/dev/null; then
  node sync-server/cli.mjs --port "$sync_port" --file build/demo-sync.db >/dev/null &
  sync_pid=$!
  trap 'kill "$sync_pid" 2>/dev/null || true' EXIT
  answered=no
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if node -e "fetch('http://127.0.0.1:$sync_port/sync/pull?table=contacts&limit=1').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
      answered=yes
      break
    fi
    sleep 0.3
  done
  if [ "$answered" = yes ]; then
    echo "sync demo: started the reference sync server at http://127.0.0.1:$sync_port/sync (open sync.html; another SYNC_PORT needs sync.html?server=<url>)"
  else
    echo "sync demo: the reference sync server did NOT start on port $sync_port (in use? set SYNC_PORT); sync.html will say it finds no server"
  fi
else
  echo "sync demo: did NOT start the reference sync server (better-sqlite3 is not installed: npm ci); sync.html will say so"
fi
electric_port="${ELECTRIC_PORT:-8788}"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  node scripts/electric-demo.mjs --port "$electric_port" >/dev/null &
  electric_pid=$!
  trap 'kill "${sync_pid:-}" "$electric_pid" 2>/dev/null || true' EXIT
  answered=no
  for _ in $(seq 1 40); do
    if node -e "fetch('http://127.0.0.1:$electric_port/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
      answered=yes
      break
    fi
    sleep 0.5
  done
  if [ "$answered" = yes ]; then
    echo "postgres demo: started Postgres and the shape server at http://127.0.0.1:$electric_port/v1/shape (the demo's \"Sync from Postgres\" panel follows pg_contacts; a row changes every 5 s)"
  else
    echo "postgres demo: Postgres or the shape server did NOT start (port $electric_port in use? set ELECTRIC_PORT; another port needs ?shapes=<url>); the panel will say it finds no server"
  fi
else
  echo "postgres demo: did NOT start Postgres (Debian's postgresql is not installed: scripts/setup.sh); the \"Sync from Postgres\" panel will say so"
fi
node scripts/serve.mjs
