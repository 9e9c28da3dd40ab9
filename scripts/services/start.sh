#!/usr/bin/env bash
# Starts a single-node KRaft Kafka broker and a single-node Elasticsearch on 127.0.0.1 for integration
# tests, waits until both answer, and prints the variables the tests read:
#
#   eval "$(bash scripts/services/start.sh)"   # exports KAFKA_BROKERS, ELASTICSEARCH_URL, ...
#   npx vitest run --project integration
#   bash scripts/services/stop.sh
#
# Only the export line goes to stdout; progress and errors go to stderr. Ports: KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), ES_PORT (9200). Time limit: START_TIMEOUT seconds (300: 15 s
# on a quiet 2-core box, but 90 s when it was shared with other builds).
# KAFKA_JVM_EXTRA_OPTS / ES_JVM_EXTRA_OPTS add JVM flags to the broker / Elasticsearch server (e.g.
# -XX:TieredStopAtLevel=1 for a quicker start at the cost of peak speed; one run on an idle box
# started Elasticsearch in 11.8 s instead of 15.7 s, but under load the difference disappeared).
# Runs fetch.sh first (a no-op when the cache is warm). See common.sh for the other settings.
#
# Everything lives in the run directory (pid files, configs, data, logs); stop.sh removes it.
# Elasticsearch refuses to run as root: as root, it runs as the system user $ES_USER (created with
# useradd if missing) from a fresh unzip of the distribution that the user owns.
set -euo pipefail
# shellcheck source=scripts/services/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

START_TIMEOUT=${START_TIMEOUT:-300}
need curl unzip setsid node ps awk

TSX="$REPO_ROOT/node_modules/.bin/tsx"
[[ -x "$TSX" && -d "$REPO_ROOT/node_modules/kafkajs" ]] ||
  die "node_modules is missing tsx or kafkajs (needed for the Kafka readiness probe): run 'npm ci' first"

# --- refuse to start twice, and check the ports -------------------------------------------------
if [[ -d "$RUN_DIR" ]]; then
  for name in kafka elasticsearch; do
    pid=$(cat "$RUN_DIR/$name.pid" 2>/dev/null || true)
    if pid_alive "$pid"; then
      die "$name is already running (pid $pid, run directory $RUN_DIR). Stop it first:" \
        "KAFKA_PORT=$KAFKA_PORT ES_PORT=$ES_PORT bash scripts/services/stop.sh"
    fi
  done
  log "removing the stale run directory $RUN_DIR"
  rm -rf "$RUN_DIR"
fi
for spec in "KAFKA_PORT:$KAFKA_PORT" "KAFKA_CONTROLLER_PORT:$KAFKA_CONTROLLER_PORT" "ES_PORT:$ES_PORT"; do
  port=${spec#*:}
  if port_in_use "$port"; then
    die "port $port (${spec%%:*}) on $SERVICE_HOST is already in use; pick another one, e.g." \
      "KAFKA_PORT=19092 ES_PORT=19200. Listener: $(ss -ltnpH "sport = :$port" 2>/dev/null | head -n 1)"
  fi
done

bash "$SERVICES_DIR/fetch.sh"
[[ -d "$KAFKA_LIB_DIR" && -f "$ES_ZIP" ]] || die "fetch.sh did not leave $KAFKA_LIB_DIR and $ES_ZIP"

started=$(now)
mkdir -p "$RUN_DIR"
chmod 755 "$RUN_DIR"

# On any failure from here on: stop what was started, keep the logs for a look.
ok=0
on_exit() {
  if [[ "$ok" != 1 ]]; then
    TOKENWATCH_SERVICES_KEEP=1 TOKENWATCH_SERVICES_RUN_DIR="$RUN_DIR" bash "$SERVICES_DIR/stop.sh" || true
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# show_log <name> <file>: the last lines of a service log, for failure messages.
show_log() {
  printf '[services] ---- last 60 lines of %s (%s) ----\n' "$1" "$2" >&2
  tail -n 60 "$2" >&2 2>/dev/null || printf '[services] (no log written)\n' >&2
  printf '[services] ---- end of %s log ----\n' "$1" >&2
}

# launch <pid file> <log file> <command...>: runs the command in a new session (so stop.sh can signal
# the whole process group) with its output in the log file, and records the session leader's pid.
launch() {
  local pid_file=$1 log_file=$2
  shift 2
  # shellcheck disable=SC2016  # $$ and $@ belong to the inner shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' launch "$pid_file" "$@" >"$log_file" 2>&1 </dev/null &
  for _ in $(seq 1 50); do
    [[ -s "$pid_file" ]] && return 0
    sleep 0.1
  done
  die "could not start $* (no pid file $pid_file)"
}

# --- Elasticsearch (first: it takes longest to come up) ------------------------------------------
es_major=${ES_VERSION%%.*}
es_min_java=17
[[ "$es_major" -ge 9 ]] && es_min_java=21
es_java=$(find_java_home "$es_min_java" newest "${ES_JAVA_HOME:-}")
es_dir="$RUN_DIR/elasticsearch"
mkdir -p "$es_dir/data" "$es_dir/logs" "$es_dir/tmp"
unzip -q "$ES_ZIP" -d "$es_dir"
es_home="$es_dir/elasticsearch-$ES_VERSION"
[[ -x "$es_home/bin/elasticsearch" ]] || die "$ES_ZIP did not unpack to $es_home"
cp -R "$es_home/config" "$es_dir/config"
cat >>"$es_dir/config/elasticsearch.yml" <<EOF

# ---- added by scripts/services/start.sh ----
cluster.name: tokenwatch-test
node.name: tokenwatch-test
discovery.type: single-node
# Loopback only: keeps Elasticsearch in development mode (bootstrap checks only warn).
network.host: $SERVICE_HOST
http.port: $ES_PORT
path.data: $es_dir/data
path.logs: $es_dir/logs
xpack.security.enabled: false
# A nearly full CI disk must not turn the test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
EOF

es_env=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$es_dir" "LANG=C.UTF-8"
  "ES_JAVA_HOME=$es_java" "ES_PATH_CONF=$es_dir/config" "ES_TMPDIR=$es_dir/tmp"
  "ES_JAVA_OPTS=-Xms$ES_HEAP -Xmx$ES_HEAP ${ES_JVM_EXTRA_OPTS:-}")
if [[ "$(id -u)" == 0 ]]; then
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    log "creating the system user $ES_USER (Elasticsearch refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$ES_USER" 2>/dev/null || id -u "$ES_USER" >/dev/null 2>&1 || die "useradd $ES_USER failed"
  fi
  chown -R "$ES_USER:$(id -gn "$ES_USER")" "$es_dir"
  es_run=(setpriv "--reuid=$(id -u "$ES_USER")" "--regid=$(id -g "$ES_USER")" --init-groups)
  "${es_run[@]}" test -r "$es_home/lib" -a -x "$es_java/bin/java" ||
    die "user $ES_USER cannot read $es_home or run $es_java/bin/java; put the run directory" \
      "somewhere every user can traverse (TOKENWATCH_SERVICES_RUN_DIR, TMPDIR)"
  es_as="user $ES_USER"
else
  es_run=()
  es_as="user $(id -un)"
fi
log "Elasticsearch $ES_VERSION: starting on $SERVICE_HOST:$ES_PORT (heap $ES_HEAP, Java $(java_major "$es_java") from $es_java, as $es_as)"
launch "$RUN_DIR/elasticsearch.pid" "$es_dir/elasticsearch.log" \
  "${es_run[@]}" "${es_env[@]}" "$es_home/bin/elasticsearch"
es_pid=$(cat "$RUN_DIR/elasticsearch.pid")

# --- Kafka ---------------------------------------------------------------------------------------
kafka_java=$(find_java_home 17 first "${KAFKA_JAVA_HOME:-}")
kafka_dir="$RUN_DIR/kafka"
mkdir -p "$kafka_dir/data" "$kafka_dir/logs"
sed -e "s#@KAFKA_DATA_DIR@#$kafka_dir/data#g" -e "s#@KAFKA_HOST@#$SERVICE_HOST#g" \
  -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@KAFKA_CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
  "$SERVICES_DIR/kafka/server.properties" >"$kafka_dir/server.properties"
kafka_log4j="-Dlog4j2.configurationFile=file:$SERVICES_DIR/kafka/log4j2.properties"
kafka_cp="$KAFKA_LIB_DIR/*"

# A cluster id is a base64url UUID (22 chars); Kafka's own generator also avoids a leading '-'.
cluster_id=-
while [[ "$cluster_id" == -* ]]; do
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
done
log "Kafka $KAFKA_VERSION: formatting $kafka_dir/data (cluster id $cluster_id, Java $(java_major "$kafka_java"))"
# A short-lived tool: C1 only and the serial GC start it faster.
if ! "$kafka_java/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$kafka_log4j" -cp "$kafka_cp" \
  kafka.tools.StorageTool format \
  -t "$cluster_id" -c "$kafka_dir/server.properties" --ignore-formatted >"$kafka_dir/format.log" 2>&1; then
  show_log 'Kafka StorageTool' "$kafka_dir/format.log"
  die "Kafka storage format failed"
fi
log "Kafka $KAFKA_VERSION: starting on $SERVICE_HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT, heap $KAFKA_HEAP)"
# JVM flags: KAFKA_JVM_PERFORMANCE_OPTS from bin/kafka-run-class.sh.
# shellcheck disable=SC2086  # KAFKA_JVM_EXTRA_OPTS is a list of flags
launch "$RUN_DIR/kafka.pid" "$kafka_dir/kafka.log" \
  "$kafka_java/bin/java" "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
  ${KAFKA_JVM_EXTRA_OPTS:-} "-Dkafka.logs.dir=$kafka_dir/logs" "$kafka_log4j" -cp "$kafka_cp" kafka.Kafka \
  "$kafka_dir/server.properties"
kafka_pid=$(cat "$RUN_DIR/kafka.pid")

# --- wait until both answer ----------------------------------------------------------------------
brokers="$SERVICE_HOST:$KAFKA_PORT"
es_url="http://$SERVICE_HOST:$ES_PORT"
deadline=$(($(date +%s) + START_TIMEOUT))
kafka_ready='' es_ready=''
while [[ -z "$kafka_ready" || -z "$es_ready" ]]; do
  if [[ -z "$kafka_ready" ]]; then
    if ! pid_alive "$kafka_pid"; then
      show_log Kafka "$kafka_dir/kafka.log"
      die "Kafka exited during startup (log above)"
    fi
    if port_in_use "$KAFKA_PORT" && "$TSX" "$SERVICES_DIR/kafka-ready.ts" "$brokers" 5000 >"$kafka_dir/ready.log" 2>&1; then
      kafka_ready=$(elapsed "$started")
      log "Kafka ready after ${kafka_ready}s: $(cat "$kafka_dir/ready.log")"
    fi
  fi
  if [[ -z "$es_ready" ]]; then
    if ! pid_alive "$es_pid"; then
      show_log Elasticsearch "$es_dir/elasticsearch.log"
      die "Elasticsearch exited during startup (log above)"
    fi
    if health=$(curl -fsS --max-time 5 "$es_url/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null); then
      es_ready=$(elapsed "$started")
      log "Elasticsearch ready after ${es_ready}s: $health"
    fi
  fi
  [[ -n "$kafka_ready" && -n "$es_ready" ]] && break
  if (($(date +%s) >= deadline)); then
    missing=()
    if [[ -z "$kafka_ready" ]]; then
      missing+=(Kafka)
      show_log Kafka "$kafka_dir/kafka.log"
      show_log 'Kafka readiness probe' "$kafka_dir/ready.log"
    fi
    if [[ -z "$es_ready" ]]; then
      missing+=(Elasticsearch)
      show_log Elasticsearch "$es_dir/elasticsearch.log"
    fi
    die "${missing[*]} did not answer within ${START_TIMEOUT}s (logs above; raise START_TIMEOUT if the machine is just slow)"
  fi
  sleep 0.5
done

log "memory (RSS): Kafka $(describe_group "$kafka_pid"); Elasticsearch $(describe_group "$es_pid")"
exports="export KAFKA_BROKERS=$brokers ELASTICSEARCH_URL=$es_url TOKENWATCH_SERVICES_RUN_DIR=$RUN_DIR"
printf '%s\n' "$exports" >"$RUN_DIR/env"
log "both up in $(elapsed "$started")s; stop with: TOKENWATCH_SERVICES_RUN_DIR=$RUN_DIR bash scripts/services/stop.sh"
ok=1
printf '%s\n' "$exports"
