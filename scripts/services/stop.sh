#!/usr/bin/env bash
# Stops the Kafka and Elasticsearch started by start.sh and removes their run directory (configs,
# data, logs). Safe to run when nothing is running.
#
#   bash scripts/services/stop.sh
#
# Finds the run directory like start.sh does (TOKENWATCH_SERVICES_RUN_DIR, else from KAFKA_PORT and
# ES_PORT). Each service runs in its own session, so the whole process group gets SIGTERM, then
# SIGKILL after STOP_TIMEOUT seconds (20). Afterwards any process still running from the run
# directory is killed too. TOKENWATCH_SERVICES_KEEP=1 keeps the run directory (for its logs).
set -euo pipefail
# shellcheck source=scripts/services/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STOP_TIMEOUT=${STOP_TIMEOUT:-20}

if [[ ! -d "$RUN_DIR" ]]; then
  log "nothing to stop: no run directory $RUN_DIR"
  exit 0
fi

# ours <pid>: the process is a session leader started from this run directory (guards against a
# stale pid file whose pid now belongs to something else).
ours() {
  [[ "$(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ')" == "$1" ]] &&
    tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF "$RUN_DIR/"
}

# stop_group <name>: SIGTERM the service's process group, SIGKILL it after STOP_TIMEOUT seconds.
stop_group() {
  local name=$1 pid started i
  pid=$(cat "$RUN_DIR/$name.pid" 2>/dev/null || true)
  if ! pid_alive "$pid"; then
    log "$name: not running"
    return 0
  fi
  if ! ours "$pid"; then
    log "$name: pid $pid is not a process from $RUN_DIR; leaving it alone"
    return 0
  fi
  started=$(now)
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
    [[ -z "$(group_pids "$pid")" ]] && break
    sleep 0.2
  done
  if [[ -n "$(group_pids "$pid")" ]]; then
    log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 25; i++)); do
      [[ -z "$(group_pids "$pid")" ]] && break
      sleep 0.2
    done
  fi
  if [[ -n "$(group_pids "$pid")" ]]; then
    log "$name: process group $pid survived SIGKILL: $(group_pids "$pid" | tr '\n' ' ')"
    return 1
  fi
  log "$name: stopped in $(elapsed "$started")s"
}

# Both at once: Kafka's controlled shutdown and Elasticsearch's take a few seconds each.
stop_group kafka &
kafka_stop=$!
stop_group elasticsearch &
es_stop=$!
status=0
wait "$kafka_stop" || status=1
wait "$es_stop" || status=1

# Anything else still running from the run directory (say, a pid file lost to an interrupted start).
for proc in /proc/[0-9]*; do
  pid=${proc#/proc/}
  [[ "$pid" == "$$" || "$pid" == "$PPID" ]] && continue
  if tr '\0' ' ' 2>/dev/null <"$proc/cmdline" | grep -qF "$RUN_DIR/"; then
    log "killing leftover process $pid: $(tr '\0' ' ' 2>/dev/null <"$proc/cmdline" | cut -c1-120)"
    kill -KILL "$pid" 2>/dev/null || true
  fi
done

if [[ "${TOKENWATCH_SERVICES_KEEP:-}" == 1 ]]; then
  log "kept $RUN_DIR (logs: kafka/kafka.log, elasticsearch/elasticsearch.log)"
else
  rm -rf "$RUN_DIR"
  log "removed $RUN_DIR"
fi
exit "$status"
