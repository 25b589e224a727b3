#!/usr/bin/env bash
# Installs newman, at the version pinned in scripts/newman/package-lock.json, into
# scripts/newman/node_modules (never globally). Needs node and npm. Quiet when up to date.
set -euo pipefail
cd "$(dirname "$0")/newman"
command -v npm >/dev/null || { echo "install-newman: npm is needed (apt-get install npm)" >&2; exit 1; }
stamp=node_modules/.installed
if [ -x node_modules/.bin/newman ] && [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null
touch "$stamp"
node_modules/.bin/newman --version
