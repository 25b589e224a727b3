#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser tests (tests marked `browser`),
# if they are missing. Playwright drives /usr/bin/chromium; we never run `playwright install`
# (it would download a browser build of its own).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: run as root (or install chromium and chromium-driver yourself)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# apt may be busy (another install on this machine): wait for its lock rather than fail.
apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
apt_get update -qq
apt_get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
/usr/bin/chromium --version 2>/dev/null || true
