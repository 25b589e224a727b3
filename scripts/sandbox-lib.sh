# Sourced by the scripts that drive a fresh sandbox (fuzz.sh, postman.sh):
#   start_sandbox [sandbox args]
# starts `phonechat sandbox` on a free port with its own database in a temporary folder,
# waits until it answers /health, and stops it (and removes the folder) when the script
# exits. Sets: work (the folder), port, db, base (http://127.0.0.1:PORT).

start_sandbox() {
  work=$(mktemp -d)
  port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  db="$work/sandbox.db"
  base="http://127.0.0.1:$port"
  .venv/bin/phonechat sandbox --port "$port" --db "$db" "$@" >"$work/sandbox.log" 2>&1 &
  sandbox_pid=$!
  trap stop_sandbox EXIT
  for _ in $(seq 1 100); do
    .venv/bin/python -c "import urllib.request; urllib.request.urlopen('$base/health', timeout=2)" \
      2>/dev/null && return 0
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "the sandbox on port $port did not answer /health" >&2
  exit 1
}

stop_sandbox() {
  kill "$sandbox_pid" 2>/dev/null || true
  wait "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
