#!/usr/bin/env bash
# Rerun the benchmark: makes .venv (via ./dev), then bench/run.py. Options: see --help.
set -euo pipefail
cd "$(dirname "$0")/.."
./dev phonechat --help >/dev/null
exec .venv/bin/python bench/run.py "$@"
