#!/usr/bin/env bash
# demo.sh: the README's main command. Builds everything, then serves the demo
# on 127.0.0.1 and prints its URL. PORT=... picks another port (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec node scripts/serve.mjs
