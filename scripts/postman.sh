#!/usr/bin/env bash
# Runs the Postman collection with newman against a fresh sandbox (README, "Postman").
#   scripts/postman.sh             what CI runs: every request must pass its status test
#   scripts/postman.sh --verbose   extra args go to `newman run`
# Starts `phonechat sandbox` on a free port with its own database, stops it at the end; the
# collection and environment are the ones that sandbox serves at /postman.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-newman.sh
[ -x .venv/bin/phonechat ] || ./dev phonechat --help >/dev/null  # makes .venv

. scripts/sandbox-lib.sh
start_sandbox

curl -fsS "$base/postman.json" -o "$work/collection.json"
curl -fsS "$base/postman.json?part=environment" -o "$work/environment.json"
echo "postman: newman against the sandbox on port $port"
scripts/newman/node_modules/.bin/newman run "$work/collection.json" \
  -e "$work/environment.json" --bail failure --color off --reporters cli "$@"
