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

work=$(mktemp -d)
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/phonechat sandbox --port "$port" --db "$work/sandbox.db" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
stop() {
  kill "$sandbox_pid" 2>/dev/null || true
  wait "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$base/health" 2>/dev/null && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$base/postman.json" -o "$work/collection.json"
curl -fsS "$base/postman.json?part=environment" -o "$work/environment.json"
echo "postman: newman against the sandbox on port $port"
scripts/newman/node_modules/.bin/newman run "$work/collection.json" \
  -e "$work/environment.json" --bail failure --color off --reporters cli "$@"
