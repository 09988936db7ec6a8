#!/usr/bin/env bash
# Starts the whole system on this machine: Temporal dev server (UI 8233),
# PostgreSQL (DATABASE_URL, else an embedded one under .data/), migrations,
# the API (8000, metrics on 9464) and both workers. Ctrl-C stops everything it started.
# The API runs without authentication (AUTH_DISABLED=true, said at start-up)
# unless API_KEY is set: `API_KEY=$(openssl rand -hex 32) ./scripts/quick-start.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[quick-start] installing dependencies (npm ci)"
  npm ci --no-fund --no-audit
fi

echo "[quick-start] building the apps and the workflow bundles"
npx nx run-many -t build bundle --output-style=static >.quick-start-build.log 2>&1 || {
  tail -n 40 .quick-start-build.log
  echo "[quick-start] build failed; full log in .quick-start-build.log" >&2
  exit 1
}
rm -f .quick-start-build.log

# The stack process owns Ctrl-C / SIGTERM from here on.
exec node tools/stack/dist/cli.js up
