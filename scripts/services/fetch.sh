#!/usr/bin/env bash
# Downloads the Kafka broker jars and the Elasticsearch test distribution from Maven Central into the
# cache (TOKENWATCH_SERVICES_CACHE, default ~/.cache/tokenwatch-services). Idempotent: when the cache
# already holds what kafka/pom.xml and elasticsearch/pom.xml ask for, Maven is not run at all.
#
#   bash scripts/services/fetch.sh
#
# Layout: <cache>/m2 (Maven local repository), <cache>/kafka-<v>/lib/*.jar,
# <cache>/elasticsearch-<v>/elasticsearch-<v>.zip. Each directory gets a .complete stamp (the pom's
# hash and the version) once it is fully written, so an interrupted download is redone.
set -euo pipefail
# shellcheck source=scripts/services/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need mvn sha256sum flock

MVN_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.fetch.lock"
if ! flock -n 9; then
  log "another fetch is running on $CACHE_DIR; waiting for it (up to 15 min)"
  flock -w 900 9 || die "timed out waiting for the lock on $CACHE_DIR/.fetch.lock"
fi

# Leftovers of interrupted or failed downloads (safe to remove: we hold the lock).
find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -name '.kafka-*' -o -mindepth 1 -maxdepth 1 -name '.elasticsearch-*' |
  while IFS= read -r leftover; do rm -rf "$leftover"; done

# stamp_for <pom> <version>: what a complete download of <pom> at <version> is stamped with.
stamp_for() {
  printf 'pom-sha256=%s version=%s\n' "$(sha256sum "$1" | cut -d' ' -f1)" "$2"
}

# mvn_copy <pom> <output_dir> <log> [-Dprop=value...]: copy the pom's runtime dependencies.
mvn_copy() {
  local pom=$1 out=$2 mvn_log=$3
  shift 3
  if ! mvn -B -ntp -Dmaven.repo.local="$M2_REPO" -f "$pom" "$@" \
    "$MVN_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$out" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    die "Maven could not resolve $pom (log above, full log in $mvn_log)"
  fi
}

fetch_kafka() {
  local dest="$CACHE_DIR/kafka-$KAFKA_VERSION" want tmp
  want=$(stamp_for "$KAFKA_POM" "$KAFKA_VERSION")
  if [[ -f "$dest/.complete" && "$(cat "$dest/.complete")" == "$want" ]]; then
    log "Kafka $KAFKA_VERSION: cached in $dest ($(find "$dest/lib" -name '*.jar' | wc -l) jars)"
    return 0
  fi
  log "Kafka $KAFKA_VERSION: resolving org.apache.kafka:kafka_2.13 and log4j2 from Maven Central"
  tmp=$(mktemp -d "$CACHE_DIR/.kafka-$KAFKA_VERSION.XXXXXX")
  mvn_copy "$KAFKA_POM" "$tmp/lib" "$tmp/mvn.log" -Dkafka.version="$KAFKA_VERSION"
  local bindings
  bindings=$(find "$tmp/lib" -name 'log4j-slf4j*-impl-*.jar' -o -name 'slf4j-reload4j-*.jar' | wc -l)
  [[ "$bindings" -eq 1 ]] || die "expected exactly one SLF4J binding in $tmp/lib, found $bindings"
  printf '%s' "$want" >"$tmp/.complete"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  log "Kafka $KAFKA_VERSION: $(find "$dest/lib" -name '*.jar' | wc -l) jars in $dest/lib"
}

fetch_elasticsearch() {
  local dest="$CACHE_DIR/elasticsearch-$ES_VERSION" want tmp zip expected actual
  want=$(stamp_for "$ES_POM" "$ES_VERSION")
  if [[ -f "$dest/.complete" && "$(cat "$dest/.complete")" == "$want" ]]; then
    log "Elasticsearch $ES_VERSION: cached in $dest"
    return 0
  fi
  log "Elasticsearch $ES_VERSION: downloading the integ-test-zip distribution from Maven Central (~100 MB)"
  tmp=$(mktemp -d "$CACHE_DIR/.elasticsearch-$ES_VERSION.XXXXXX")
  mvn_copy "$ES_POM" "$tmp" "$tmp/mvn.log" -Delasticsearch.version="$ES_VERSION"
  zip="$tmp/elasticsearch-$ES_VERSION.zip"
  [[ -f "$zip" ]] || die "Maven finished but $zip is missing (see $tmp/mvn.log)"
  # Central serves the 9.x integ-test zips without .sha1/.asc files, so Maven cannot check them:
  # compare with the SHA-256 recorded in elasticsearch/SHA256SUMS when there is one.
  actual=$(sha256sum "$zip" | cut -d' ' -f1)
  expected=$(awk -v f="elasticsearch-$ES_VERSION.zip" '$2 == f { print $1 }' \
    "$SERVICES_DIR/elasticsearch/SHA256SUMS")
  if [[ -z "$expected" ]]; then
    log "WARNING: no SHA-256 for elasticsearch-$ES_VERSION.zip in elasticsearch/SHA256SUMS; got $actual"
  elif [[ "$actual" != "$expected" ]]; then
    rm -rf "$tmp"
    die "elasticsearch-$ES_VERSION.zip has SHA-256 $actual, expected $expected (elasticsearch/SHA256SUMS)"
  fi
  printf '%s' "$want" >"$tmp/.complete"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  log "Elasticsearch $ES_VERSION: $(du -h "$dest/elasticsearch-$ES_VERSION.zip" | cut -f1) in $dest"
}

started=$(now)
fetch_kafka
fetch_elasticsearch
log "fetch done in $(elapsed "$started")s (cache: $CACHE_DIR)"
