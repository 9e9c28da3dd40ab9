#!/usr/bin/env bash
# The project's full test command (`npm test`): typecheck, lint, then every vitest project with real
# Kafka and Elasticsearch for the integration tests. Arguments go to `vitest run`:
#
#   bash scripts/test.sh                          # everything
#   bash scripts/test.sh test/services.test.ts    # one file
#   bash scripts/test.sh --project unit           # unit tests only (no services started)
#
# Where Kafka and Elasticsearch come from, in order:
#   1. KAFKA_BROKERS and ELASTICSEARCH_URL already set: used as they are.
#   2. a Docker engine answers (`docker info`): test/global-setup.ts starts them with testcontainers.
#   3. otherwise scripts/services/{fetch,start}.sh run them from Maven Central artifacts on
#      127.0.0.1, and scripts/services/stop.sh stops them when this script exits. KAFKA_PORT and
#      ES_PORT choose the ports (9092/9200); if unset and those are busy, free ports are picked.
# TOKENWATCH_SKIP_STATIC=1 skips tsc and biome. The exit code is vitest's (or the first failing step's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[test] %s\n' "$*" >&2; }
now() { date +%s.%3N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

timings=()
script_started=$(now)
# phase <name> <command...>: runs a step and records how long it took.
phase() {
  local name=$1 started status=0 result
  shift
  say "== $name: $*"
  started=$(now)
  "$@" || status=$?
  result=ok
  [[ "$status" == 0 ]] || result="failed (exit $status)"
  timings+=("$(printf '%-16s %7ss  %s' "$name" "$(elapsed "$started")" "$result")")
  say "== $name: $result in $(elapsed "$started")s"
  return "$status"
}

services_started=0
finish() {
  local status=$?
  trap - EXIT INT TERM
  if [[ "$services_started" == 1 ]]; then
    local started
    started=$(now)
    bash scripts/services/stop.sh || say "stop.sh failed; check 'ps aux | grep -E \"kafka|elasticsearch\"'"
    timings+=("$(printf '%-16s %7ss' 'stop services' "$(elapsed "$started")")")
  fi
  say "timings:"
  local line
  for line in "${timings[@]}"; do
    say "  $line"
  done
  say "  $(printf '%-16s %7ss  exit %s' total "$(elapsed "$script_started")" "$status")"
  # The plain closing line CI reads: "tests: N passed, N failed, N skipped".
  if [[ -f .cache/vitest-report.json ]]; then
    node -e 'const r=JSON.parse(require("fs").readFileSync(".cache/vitest-report.json","utf8"));
      console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' || true
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${TOKENWATCH_SKIP_STATIC:-}" != 1 ]]; then
  phase typecheck npx tsc --noEmit
  phase lint npx biome check .
fi

# free_port <avoid...>: a port in 20000-59999 where nothing listens (and the next one too, for Kafka's
# controller), not among <avoid>.
free_port() {
  local port i
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 40000))
    [[ " $* " == *" $port "* || " $* " == *" $((port + 1)) "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
      ! (exec 3<>"/dev/tcp/127.0.0.1/$((port + 1))") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  say "no free port found"
  return 1
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# needs_services <vitest args...>: false when --project options select only projects other than
# `integration` (the one with test/global-setup.ts).
needs_services() {
  local projects=() arg expect_value=0
  for arg in "$@"; do
    if [[ "$expect_value" == 1 ]]; then
      projects+=("$arg")
      expect_value=0
    elif [[ "$arg" == --project ]]; then
      expect_value=1
    elif [[ "$arg" == --project=* ]]; then
      projects+=("${arg#--project=}")
    fi
  done
  [[ ${#projects[@]} == 0 ]] && return 0
  for arg in "${projects[@]}"; do
    [[ "$arg" == integration || "$arg" == *'*'* ]] && return 0
  done
  return 1
}

if ! needs_services "$@"; then
  say "services: not needed for the selected vitest projects"
elif [[ -n "${KAFKA_BROKERS:-}" && -n "${ELASTICSEARCH_URL:-}" ]]; then
  say "services: using KAFKA_BROKERS=$KAFKA_BROKERS ELASTICSEARCH_URL=$ELASTICSEARCH_URL"
elif [[ -n "${KAFKA_BROKERS:-}" || -n "${ELASTICSEARCH_URL:-}" ]]; then
  say "set both KAFKA_BROKERS and ELASTICSEARCH_URL, or neither (then the services are started here)"
  exit 2
elif command -v docker >/dev/null 2>&1 && timeout 30 docker info >/dev/null 2>&1; then
  say "services: a Docker engine answers; test/global-setup.ts starts them with testcontainers"
else
  say "services: no KAFKA_BROKERS/ELASTICSEARCH_URL and no Docker engine; starting local Kafka and Elasticsearch"
  phase 'fetch services' bash scripts/services/fetch.sh
  # Several runs may start at once on one machine: choosing ports and starting (which binds them)
  # happen under a lock, so a later run sees the ports taken and picks others.
  exec 8>"${TMPDIR:-/tmp}/tokenwatch-services-start.lock"
  if ! flock -n 8; then
    say "another test run is starting its services; waiting for it (up to 5 min)"
    flock -w 300 8 || { say "timed out waiting for ${TMPDIR:-/tmp}/tokenwatch-services-start.lock"; exit 1; }
  fi
  if [[ -z "${KAFKA_PORT:-}" ]] && { port_busy 9092 || port_busy 9093; }; then
    KAFKA_PORT=$(free_port)
    say "9092/9093 are busy; Kafka will use $KAFKA_PORT/$((KAFKA_PORT + 1))"
  fi
  if [[ -z "${ES_PORT:-}" ]] && port_busy 9200; then
    ES_PORT=$(free_port "${KAFKA_PORT:-9092}")
    say "9200 is busy; Elasticsearch will use $ES_PORT"
  fi
  export KAFKA_PORT=${KAFKA_PORT:-9092} ES_PORT=${ES_PORT:-9200}
  services_started=1
  exports_file=$(mktemp)
  # shellcheck disable=SC2016  # $1 belongs to the inner shell
  phase 'start services' bash -c 'exec bash scripts/services/start.sh >"$1" 8>&-' start "$exports_file"
  flock -u 8
  exec 8>&-
  # shellcheck disable=SC1090  # the export line printed by start.sh
  source "$exports_file"
  rm -f "$exports_file"
  say "services: KAFKA_BROKERS=$KAFKA_BROKERS ELASTICSEARCH_URL=$ELASTICSEARCH_URL"
fi

# The console browser test (integration project) drives Debian's chromium.
if needs_services "$@"; then
  phase chromium bash scripts/ensure-chromium.sh
fi

mkdir -p .cache
rm -f .cache/vitest-report.json
phase vitest npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@"
