# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this
# Shared settings for scripts/services/{fetch,start,stop}.sh. Sourced, not executed.
#
# Environment (all optional):
#   TOKENWATCH_SERVICES_CACHE  download cache (default ~/.cache/tokenwatch-services)
#   TOKENWATCH_SERVICES_RUN_DIR  pid files, configs, data and logs of one running pair
#                              (default ${TMPDIR:-/tmp}/tokenwatch-services-<uid>-k<KAFKA_PORT>-e<ES_PORT>)
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), ES_PORT (9200)
#   KAFKA_VERSION, ES_VERSION  override the versions pinned in kafka/pom.xml, elasticsearch/pom.xml
#   KAFKA_HEAP (512m), ES_HEAP (512m)
#   KAFKA_JAVA_HOME (JAVA_HOME or the java on PATH; needs 17+)
#   ES_JAVA_HOME (newest JDK under /usr/lib/jvm that is new enough: 21+ for ES 9, 17+ for ES 8)
#   KAFKA_JVM_EXTRA_OPTS, ES_JVM_EXTRA_OPTS  extra JVM flags for the broker / Elasticsearch server
#   TOKENWATCH_ES_USER  user that runs Elasticsearch when started as root (default tokenwatch-es)
#   START_TIMEOUT (300 s, start.sh), STOP_TIMEOUT (20 s, stop.sh)

SERVICES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SERVICES_DIR/../.." && pwd)

CACHE_DIR=${TOKENWATCH_SERVICES_CACHE:-${HOME:-/root}/.cache/tokenwatch-services}
M2_REPO="$CACHE_DIR/m2"

SERVICE_HOST=127.0.0.1
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}
ES_PORT=${ES_PORT:-9200}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
ES_HEAP=${ES_HEAP:-512m}
ES_USER=${TOKENWATCH_ES_USER:-tokenwatch-es}

RUN_DIR=${TOKENWATCH_SERVICES_RUN_DIR:-${TMPDIR:-/tmp}/tokenwatch-services-$(id -u)-k${KAFKA_PORT}-e${ES_PORT}}

# pom_property <pom> <name>: the value of <name> in the pom's <properties>.
pom_property() {
  sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1" | head -n 1
}

KAFKA_POM="$SERVICES_DIR/kafka/pom.xml"
ES_POM="$SERVICES_DIR/elasticsearch/pom.xml"
KAFKA_VERSION=${KAFKA_VERSION:-$(pom_property "$KAFKA_POM" kafka.version)}
ES_VERSION=${ES_VERSION:-$(pom_property "$ES_POM" elasticsearch.version)}
KAFKA_LIB_DIR="$CACHE_DIR/kafka-$KAFKA_VERSION/lib"
ES_ZIP="$CACHE_DIR/elasticsearch-$ES_VERSION/elasticsearch-$ES_VERSION.zip"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}
need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not on PATH"
  done
}

# now: seconds since the epoch with milliseconds; elapsed <start>: seconds since <start>, 1 decimal.
now() { date +%s.%3N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

# java_major <java_home>: the Java feature version (17, 21, 25, ...) or nothing.
java_major() {
  [[ -x "$1/bin/java" ]] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

# find_java_home <min_major> <first|newest> <explicit_home_or_empty>: prints a JDK home whose version
# is at least <min_major>: the explicit one (must qualify); else, among JAVA_HOME, the java on PATH and
# the JDKs under /usr/lib/jvm (newest first), the first one that qualifies or the newest one.
find_java_home() {
  local min=$1 pick=$2 explicit=$3 candidate major
  if [[ -n "$explicit" ]]; then
    major=$(java_major "$explicit")
    [[ -n "$major" && "$major" -ge "$min" ]] ||
      die "$explicit is not a Java $min+ JDK (found '${major:-no java}')"
    printf '%s\n' "$explicit"
    return 0
  fi
  local candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  if [[ -d /usr/lib/jvm ]]; then
    while IFS= read -r candidate; do candidates+=("$candidate"); done < <(
      find /usr/lib/jvm -mindepth 1 -maxdepth 1 -type d | sort -rV
    )
  fi
  local best='' best_major=0
  for candidate in "${candidates[@]}"; do
    major=$(java_major "$candidate")
    if [[ -n "$major" && "$major" -ge "$min" && "$major" -gt "$best_major" ]]; then
      best=$candidate
      best_major=$major
      [[ "$pick" == first ]] && break
    fi
  done
  [[ -n "$best" ]] || die "no Java $min+ JDK found (looked at: ${candidates[*]:-nothing}); set the *_JAVA_HOME variable"
  printf '%s\n' "$best"
}

# port_in_use <port>: true when something accepts TCP connections on 127.0.0.1:<port>.
port_in_use() {
  (exec 3<>"/dev/tcp/$SERVICE_HOST/$1") 2>/dev/null
}

# pid_alive <pid>: the process exists and is not a zombie.
pid_alive() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]
}

# describe_group <pgid>: "<what> pid <pid> <rss> MiB" for each process in a process group.
describe_group() {
  ps -e -o pid=,pgid=,rss=,args= 2>/dev/null | awk -v g="$1" '$2 == g {
    name = $4; sub(".*/", "", name)
    if ($0 ~ / kafka\.Kafka /) name = "broker JVM"
    if ($0 ~ /org\.elasticsearch\.launcher\.CliToolLauncher/) name = "launcher JVM"
    if ($0 ~ /org\.elasticsearch\.bootstrap\.Elasticsearch/) name = "server JVM"
    printf "%s%s pid %s %d MiB", (n++ ? ", " : ""), name, $1, $3 / 1024
  }'
}

# group_pids <pgid>: the processes in a process group.
group_pids() {
  ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }'
}
