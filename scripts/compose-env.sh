#!/usr/bin/env bash
# Writes .env for docker-compose.yml from .env.example with generated passwords and an encryption
# key (random, from /dev/urandom). Leaves an existing .env alone.
#
#   bash scripts/compose-env.sh          # then: docker compose up -d --build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -f .env ]]; then
  printf 'compose-env: .env exists; not changed (delete it to generate new values)\n' >&2
  exit 0
fi
# random <n>: n alphanumeric characters.
random() { LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$1"; }
umask 077
sed -e "s/^ELASTIC_PASSWORD=$/ELASTIC_PASSWORD=$(random 24)/" \
  -e "s/^KIBANA_SYSTEM_PASSWORD=$/KIBANA_SYSTEM_PASSWORD=$(random 24)/" \
  -e "s/^TOKENWATCH_ES_PASSWORD=$/TOKENWATCH_ES_PASSWORD=$(random 24)/" \
  -e "s/^KIBANA_ENCRYPTION_KEY=$/KIBANA_ENCRYPTION_KEY=$(random 48)/" \
  .env.example >.env
printf 'compose-env: wrote .env (mode 600); Kibana login: elastic / the ELASTIC_PASSWORD in .env\n' >&2
