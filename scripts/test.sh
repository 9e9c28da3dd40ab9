#!/usr/bin/env bash
# The project's full test command (`npm test`): typecheck, lint, then every vitest project with real
# Kafka and Elasticsearch for the integration tests. Arguments go to `vitest run`:
#
#   bash scripts/test.sh                          # everything
#   bash scripts/test.sh test/services.test.ts    # one file
#   bash scripts/test.sh --project unit           # unit tests only (no services started)
#
# The steps overlap (most of the integration tests' time is spent waiting on Kafka, Elasticsearch and
# child processes, and the machines are small):
#   - typecheck and lint run in the background; their output is shown when they fail;
#   - Kafka and Elasticsearch start in the background while the unit and e2e tests run;
#   - without arguments, the `unit` and `e2e` projects run first (both cores), then the `integration`
#     project (one file at a time, as its config says) once the services answer. With
#     TOKENWATCH_OVERLAP_INTEGRATION=1 the integration project runs in a second vitest process beside
#     unit + e2e instead (faster on an idle machine; under load its consumer groups miss heartbeats),
#     its output in .cache/vitest-integration.log. The JSON reports are merged into
#     .cache/vitest-report.json.
#   - with arguments, one vitest process runs them once the services (when needed) answer.
# The closing "timings" block shows each step's start and end (seconds since the script started).
#
# Where Kafka and Elasticsearch come from, in order:
#   1. KAFKA_BROKERS and ELASTICSEARCH_URL already set: used as they are.
#   2. a Docker engine answers (`docker info`): test/global-setup.ts starts them with testcontainers.
#   3. otherwise scripts/services/{fetch,start}.sh run them from Maven Central artifacts on
#      127.0.0.1, and scripts/services/stop.sh stops them when this script exits. KAFKA_PORT and
#      ES_PORT choose the ports (9092/9200); if unset and those are busy, free ports are picked.
# TOKENWATCH_SKIP_STATIC=1 skips tsc and biome. The exit code is that of the first failing step, in
# the order typecheck, lint, services, vitest (unit and e2e, or the given arguments), vitest
# (integration); 0 when all pass.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[test] %s\n' "$*" >&2; }
now() { date +%s.%3N; }
script_started=$(now)
since_start() { awk -v s="$script_started" -v e="${1:-$(now)}" 'BEGIN { printf "%.1f", e - s }'; }

mkdir -p .cache
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenwatch-test-run-XXXXXX")

# phase <name> <command...>: runs a step, records "<start> <end> <exit> <name>" in $work/timings
# (also from background subshells) and returns the step's exit code.
phase() {
  local name=$1 started status=0
  shift
  say "== $name: $*"
  started=$(now)
  "$@" || status=$?
  printf '%s %s %s %s\n' "$started" "$(now)" "$status" "$name" >>"$work/timings"
  if [[ "$status" == 0 ]]; then
    say "== $name: ok in $(awk -v s="$started" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }')s"
  else
    say "== $name: failed (exit $status)"
  fi
  return "$status"
}

# status_of <name>: exit code of a finished step ("" when it did not run).
status_of() { awk -v n="$1" '{ name = $4; for (i = 5; i <= NF; i++) name = name " " $i } name == n { print $3 }' "$work/timings" 2>/dev/null | tail -1; }

# descendants <pid>: every process below pid (children first).
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$child"
    printf '%s\n' "$child"
  done
}

background=()
# in_background <log> <command...>: runs a command (a function of this script, typically) in a
# subshell with its output in <log>; its pid goes to $background.
in_background() {
  local log=$1
  shift
  ("$@") >"$log" 2>&1 &
  background+=("$!")
}

services_env="$work/services.env"
finish() {
  local status=$? pid pids
  trap - EXIT INT TERM
  # Background steps still running (interrupted, or an early failure): stop them and what they started.
  for pid in "${background[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      pids=$(descendants "$pid")
      # shellcheck disable=SC2086  # a list of pids
      kill -TERM $pids "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${background[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -f "$services_env" ]]; then
    local started
    started=$(now)
    (
      # shellcheck disable=SC1090  # KAFKA_PORT and ES_PORT chosen by start_services
      source "$services_env"
      bash scripts/services/stop.sh
    ) || say "stop.sh failed; check 'ps aux | grep -E \"kafka|elasticsearch\"'"
    printf '%s %s %s %s\n' "$started" "$(now)" 0 'stop services' >>"$work/timings"
  fi
  say "timings (seconds since the start: from - to, duration):"
  local started ended code name line
  if [[ -f "$work/timings" ]]; then
    while read -r started ended code name; do
      line=$(printf '%-18s %6s - %6s %7ss' "$name" "$(since_start "$started")" "$(since_start "$ended")" \
        "$(awk -v s="$started" -v e="$ended" 'BEGIN { printf "%.1f", e - s }')")
      [[ "$code" == 0 ]] && line+="  ok" || line+="  failed (exit $code)"
      say "  $line"
    done < <(sort -n "$work/timings")
  fi
  say "  $(printf '%-18s %6s - %6s %7ss  exit %s' total 0.0 "$(since_start)" "$(since_start)" "$status")"
  # The plain closing line CI reads: "tests: N passed, N failed, N skipped".
  if [[ -f .cache/vitest-report.json ]]; then
    node -e 'const r=JSON.parse(require("fs").readFileSync(".cache/vitest-report.json","utf8"));
      console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

# start_services: fetches (when the cache is cold) and starts Kafka and Elasticsearch, then writes
# their exports to $work/services.exports. Runs in the background.
start_services() {
  phase 'fetch services' bash scripts/services/fetch.sh || return
  # Several runs may start at once on one machine: choosing ports and starting (which binds them)
  # happen under a lock, so a later run sees the ports taken and picks others.
  exec 8>"${TMPDIR:-/tmp}/tokenwatch-services-start.lock"
  if ! flock -n 8; then
    say "another test run is starting its services; waiting for it (up to 5 min)"
    flock -w 300 8 || {
      say "timed out waiting for ${TMPDIR:-/tmp}/tokenwatch-services-start.lock"
      return 1
    }
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
  # from here on the exit trap stops whatever start.sh started
  printf 'export KAFKA_PORT=%q ES_PORT=%q\n' "$KAFKA_PORT" "$ES_PORT" >"$services_env"
  # shellcheck disable=SC2016  # $1 belongs to the inner shell
  phase 'start services' bash -c 'exec bash scripts/services/start.sh >"$1" 8>&-' start "$work/services.exports"
  local status=$?
  exec 8>&-
  return "$status"
}

# with_services <command...>: runs the command once the services answer (the background start
# finished), with KAFKA_BROKERS and ELASTICSEARCH_URL from start.sh; then the Chromium check.
with_services() {
  if [[ "$services_mode" == local ]]; then
    wait_for_services || return
    # shellcheck disable=SC1091  # the export line printed by start.sh
    source "$work/services.exports"
    say "services: KAFKA_BROKERS=$KAFKA_BROKERS ELASTICSEARCH_URL=$ELASTICSEARCH_URL"
  fi
  # The console browser test (integration project) drives Debian's chromium.
  phase chromium bash scripts/ensure-chromium.sh || return
  "$@"
}

# wait_for_services: waits until the background start (services_job) ended; returns its exit code.
wait_for_services() {
  until [[ -s "$work/services.status" ]]; do sleep 0.5; done
  return "$(cat "$work/services.status")"
}

vitest_run() {
  local report=$1
  shift
  rm -f "$report"
  npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
}

# --- where the services come from -----------------------------------------------------------------
services_mode=none
services_pid=
if ! needs_services "$@"; then
  say "services: not needed for the selected vitest projects"
elif [[ -n "${KAFKA_BROKERS:-}" && -n "${ELASTICSEARCH_URL:-}" ]]; then
  services_mode=given
  say "services: using KAFKA_BROKERS=$KAFKA_BROKERS ELASTICSEARCH_URL=$ELASTICSEARCH_URL"
elif [[ -n "${KAFKA_BROKERS:-}" || -n "${ELASTICSEARCH_URL:-}" ]]; then
  say "set both KAFKA_BROKERS and ELASTICSEARCH_URL, or neither (then the services are started here)"
  exit 2
elif command -v docker >/dev/null 2>&1 && timeout 30 docker info >/dev/null 2>&1; then
  services_mode=docker
  say "services: a Docker engine answers; test/global-setup.ts starts them with testcontainers"
else
  services_mode=local
  say "services: no KAFKA_BROKERS/ELASTICSEARCH_URL and no Docker engine; starting local Kafka and Elasticsearch in the background (log: .cache/services.log)"
  services_job() {
    local code=0
    start_services || code=$?
    echo "$code" >"$work/services.status"
    return "$code"
  }
  in_background .cache/services.log services_job
  services_pid=${background[-1]}
fi

# --- static checks, in the background ------------------------------------------------------------
static_pid=
if [[ "${TOKENWATCH_SKIP_STATIC:-}" != 1 ]]; then
  static_checks() {
    local status=0
    phase typecheck npx tsc --noEmit || status=$?
    phase lint npx biome check . || status=$?
    return "$status"
  }
  in_background "$work/static.log" static_checks
  static_pid=${background[-1]}
fi

# --- vitest ---------------------------------------------------------------------------------------
main_status=0
integration_pid=
report=.cache/vitest-report.json
rm -f "$report" .cache/vitest-report-*.json .cache/vitest-integration.log
integration_status=0
if [[ $# == 0 && "${TOKENWATCH_OVERLAP_INTEGRATION:-}" == 1 ]]; then
  # integration beside unit + e2e (opt-in: on a loaded 2-core machine the topology tests' consumer
  # group members then missed heartbeats and were dropped from their groups)
  in_background .cache/vitest-integration.log with_services \
    phase 'vitest integration' vitest_run .cache/vitest-report-integration.json --project integration
  integration_pid=${background[-1]}
  phase 'vitest unit+e2e' vitest_run .cache/vitest-report-main.json --project unit --project e2e || main_status=$?
elif [[ $# == 0 ]]; then
  # unit + e2e while the services start, then integration with the machine to itself
  phase 'vitest unit+e2e' vitest_run .cache/vitest-report-main.json --project unit --project e2e || main_status=$?
  with_services phase 'vitest integration' vitest_run .cache/vitest-report-integration.json --project integration ||
    integration_status=$?
elif [[ "$services_mode" == none ]]; then
  phase vitest vitest_run .cache/vitest-report-main.json "$@" || main_status=$?
else
  with_services phase vitest vitest_run .cache/vitest-report-main.json "$@" || main_status=$?
fi

# --- collect the background steps -----------------------------------------------------------------
static_status=0
if [[ -n "$static_pid" ]]; then
  wait "$static_pid" || static_status=$?
  if [[ "$static_status" != 0 ]]; then
    say "typecheck/lint output:"
    cat "$work/static.log" >&2
  fi
fi
if [[ -n "$integration_pid" ]]; then
  say "integration project (its output, from .cache/vitest-integration.log):"
  wait "$integration_pid" || integration_status=$?
  cat .cache/vitest-integration.log
fi
services_status=0
if [[ -n "$services_pid" ]]; then
  wait "$services_pid" || services_status=$?
  if [[ "$services_status" != 0 ]]; then
    say "starting the services failed; .cache/services.log:"
    cat .cache/services.log >&2
  fi
fi
background=() # all collected: nothing left for the exit trap to stop

# one JSON report for CI and readers of .cache/vitest-report.json
node scripts/merge-vitest-reports.mjs "$report" .cache/vitest-report-main.json .cache/vitest-report-integration.json ||
  say "could not merge the vitest JSON reports"

for code in "$(status_of typecheck)" "$(status_of lint)" "$services_status" "$main_status" "$integration_status"; do
  if [[ -n "$code" && "$code" != 0 ]]; then
    exit "$code"
  fi
done
exit 0
