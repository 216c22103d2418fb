#!/usr/bin/env bash
# Make sure the local PostgreSQL cluster is up and the test database exists
# with pgvector enabled. Idempotent; run as root (or the postgres user).
#
#   1. start the newest cluster in /etc/postgresql if 127.0.0.1:5432 is not ready
#   2. create database sotay_test (owner postgres) if missing
#   3. CREATE EXTENSION IF NOT EXISTS vector in it
set -euo pipefail

PGHOST_ADDR="${PGHOST_ADDR:-127.0.0.1}"
PGPORT_NUM="${PGPORT_NUM:-5432}"
PGUSER_NAME="${PGUSER_NAME:-postgres}"
DB_NAME="${SOTAY_TEST_DB:-sotay_test}"

log() { printf '[ensure-postgres] %s\n' "$*"; }
die() { printf '[ensure-postgres] ERROR: %s\n' "$*" >&2; exit 1; }

ready() { pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" >/dev/null 2>&1; }
psql_() { psql -X -v ON_ERROR_STOP=1 -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$PGUSER_NAME" "$@"; }

if ! ready; then
  # shellcheck disable=SC2012 # cluster dirs are plain version numbers
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [[ -n "$version" ]] || die "no PostgreSQL cluster under /etc/postgresql"
  log "PostgreSQL not ready on ${PGHOST_ADDR}:${PGPORT_NUM}; starting cluster ${version}/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || log "pg_ctlcluster start returned non-zero; waiting anyway"
  for _ in $(seq 1 30); do
    ready && break
    sleep 1
  done
  ready || die "PostgreSQL did not become ready within 30 s (see /var/log/postgresql/postgresql-${version}-main.log)"
fi
log "PostgreSQL is ready on ${PGHOST_ADDR}:${PGPORT_NUM}"

if [[ "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='${DB_NAME}'")" != "1" ]]; then
  log "creating database ${DB_NAME}"
  psql_ -d postgres -qc "CREATE DATABASE \"${DB_NAME}\" OWNER postgres"
fi

if [[ "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_available_extensions WHERE name='vector'")" != "1" ]]; then
  die "the vector extension is not available on this server; run scripts/install-pgvector.sh first"
fi
psql_ -d "$DB_NAME" -qc "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector"
ver=$(psql_ -d "$DB_NAME" -tAc "SELECT extversion FROM pg_extension WHERE extname='vector'")
log "database ${DB_NAME} ready with pgvector ${ver}"
