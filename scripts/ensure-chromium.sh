#!/usr/bin/env bash
# Makes sure a Chromium for the console browser test (test/console-browser.test.ts) is installed:
# Debian's `chromium` package at /usr/bin/chromium (or TOKENWATCH_CHROMIUM). Called by
# scripts/test.sh before the integration tests; CI machines may be new. Installs with apt-get
# (as root, or through passwordless sudo); prints what to do otherwise and exits 1.
set -euo pipefail
chromium=${TOKENWATCH_CHROMIUM:-/usr/bin/chromium}
if [[ -x "$chromium" ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $chromium not found and no apt-get; install Chromium and set TOKENWATCH_CHROMIUM" >&2
  exit 1
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "ensure-chromium: $chromium not found; run as root: apt-get update && apt-get install -y chromium" >&2
    exit 1
  fi
fi
echo "ensure-chromium: installing Debian's chromium (apt-get)" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
[[ -x "$chromium" ]] || { echo "ensure-chromium: installed, but $chromium is still missing" >&2; exit 1; }
