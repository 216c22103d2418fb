#!/usr/bin/env bash
# Install the pgvector extension into the local PostgreSQL server.
#
# Debian bookworm ships no pgvector package and the only reachable package
# sources are Debian's own mirrors, so we build pgvector from the Debian
# *source* package of the trixie suite (0.8.x) against the running server's
# headers (postgresql-server-dev-<major>).
#
# Idempotent: if the server already offers the `vector` extension (or its
# control file is installed), it prints "pgvector already installed" and exits.
#
# Must run as root (apt-get, make install). Safe to run without a TTY.
set -euo pipefail

PGHOST_ADDR="${PGVECTOR_PGHOST:-127.0.0.1}"
PGPORT_NUM="${PGVECTOR_PGPORT:-5432}"
PGUSER_NAME="${PGVECTOR_PGUSER:-postgres}"
VERIFY_DB="${PGVECTOR_VERIFY_DB:-test}"
SRC_LIST=/etc/apt/sources.list.d/pgvector-trixie-src.sources

export DEBIAN_FRONTEND=noninteractive
START_SECONDS=$SECONDS

log() { printf '[install-pgvector] %s\n' "$*"; }
die() { printf '[install-pgvector] ERROR: %s\n' "$*" >&2; exit 1; }

q() { # q DB SQL -> tuples-only output, empty on any failure
  psql -X -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$PGUSER_NAME" -d "$1" -tAc "$2" 2>/dev/null || true
}

server_up() { pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" >/dev/null 2>&1; }

# --- PostgreSQL major version of the server we build for ---------------------
detect_pg_major() {
  local v
  if server_up; then
    v=$(q postgres "SHOW server_version_num")
    if [[ "$v" =~ ^[0-9]+$ ]]; then echo $((v / 10000)); return; fi
  fi
  if [[ -d /etc/postgresql ]]; then
    # shellcheck disable=SC2012 # cluster dirs are plain version numbers
    v=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    if [[ "$v" =~ ^[0-9]+$ ]]; then echo "$v"; return; fi
  fi
  for cmd in "pg_config --version" "psql -V"; do
    v=$($cmd 2>/dev/null | grep -oE '[0-9]+(\.[0-9]+)?' | head -1 || true)
    if [[ -n "$v" ]]; then echo "${v%%.*}"; return; fi
  done
  die "cannot determine the PostgreSQL major version"
}

PG_MAJOR=$(detect_pg_major)
PG_CONFIG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"

# --- already installed? -----------------------------------------------------
already_installed() {
  if server_up && [[ "$(q postgres "SELECT 1 FROM pg_available_extensions WHERE name='vector'")" == "1" ]]; then
    return 0
  fi
  local sharedir
  for pgc in "$PG_CONFIG_BIN" pg_config; do
    if sharedir=$("$pgc" --sharedir 2>/dev/null) && [[ -f "$sharedir/extension/vector.control" ]]; then
      return 0
    fi
  done
  [[ -f "/usr/share/postgresql/${PG_MAJOR}/extension/vector.control" ]]
}

if already_installed; then
  echo "pgvector already installed"
  exit 0
fi

[[ $EUID -eq 0 ]] || die "must run as root (apt-get install, make install)"
log "PostgreSQL major version: ${PG_MAJOR}"

# --- find the Debian mirror and keyring the machine already uses ------------
# shellcheck disable=SC1091
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n "$CODENAME" ]] || CODENAME=bookworm

# Prints "URI<TAB>SIGNED_BY" for the first enabled source of $CODENAME (main
# suite, not -security/-updates) that is a Debian archive (URI ends in /debian).
detect_mirror() {
  local f
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ "$f" == "$SRC_LIST" ]] && continue
    awk -v codename="$CODENAME" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; signed = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          if (match(line, /^[A-Za-z-]+:/)) {
            key = tolower(substr(line, 1, RLENGTH - 1))
            val = substr(line, RLENGTH + 1); gsub(/^[ \t]+|[ \t]+$/, "", val)
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "signed-by") signed = val
            else if (key == "enabled") enabled = tolower(val)
          }
        }
        if (enabled == "no" || types !~ /(^| )deb( |$)/) next
        n = split(suites, s, /[ \t]+/); ok = 0
        for (j = 1; j <= n; j++) if (s[j] == codename) ok = 1
        if (!ok) next
        split(uris, u, /[ \t]+/)
        if (u[1] !~ /\/debian\/?$/) next
        print u[1] "\t" signed; exit
      }' "$f"
  done
  # one-line format: deb [signed-by=...] URI bookworm main
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    awk -v codename="$CODENAME" '
      $1 == "deb" {
        signed = ""; i = 2
        if ($2 ~ /^\[/) {
          while (i <= NF) {
            if ($i ~ /^\[?signed-by=/) { signed = $i; sub(/^\[?signed-by=/, "", signed); sub(/\]$/, "", signed) }
            if ($i ~ /\]$/) { i++; break }
            i++
          }
        }
        if ($(i + 1) == codename && $i ~ /\/debian\/?$/) { print $i "\t" signed; exit }
      }' "$f"
  done
}

MIRROR_LINE=$(detect_mirror | head -1 || true)
MIRROR_URI=${MIRROR_LINE%%$'\t'*}
SIGNED_BY=${MIRROR_LINE#*$'\t'}
[[ -n "$MIRROR_URI" ]] || die "could not find a Debian '$CODENAME' source in /etc/apt to reuse its mirror"
if [[ -z "$SIGNED_BY" || "$SIGNED_BY" == "$MIRROR_LINE" || ! -f "$SIGNED_BY" ]]; then
  SIGNED_BY=/usr/share/keyrings/debian-archive-keyring.gpg
fi
log "Debian mirror: ${MIRROR_URI} (keyring ${SIGNED_BY})"

# deb-src only: apt never installs binaries from a deb-src entry, so trixie
# binaries cannot leak into later `apt-get install` runs. The file is removed
# again on exit so later `apt-get update`s don't keep fetching trixie Sources.
cleanup() {
  rm -f "$SRC_LIST"
  [[ -n "${BUILD_DIR:-}" && -d "$BUILD_DIR" ]] && rm -rf "$BUILD_DIR"
  return 0
}
trap cleanup EXIT

cat >"$SRC_LIST" <<EOF
# Added by scripts/install-pgvector.sh to build pgvector from Debian source.
Types: deb-src
URIs: ${MIRROR_URI}
Suites: trixie
Components: main
Signed-By: ${SIGNED_BY}
EOF
log "wrote ${SRC_LIST}:"
sed 's/^/    /' "$SRC_LIST"

# --- apt-get update (tolerate unrelated failing third-party repos) ----------
log "apt-get update"
UPDATE_LOG=$(mktemp)
if ! apt-get update 2>&1 | tee "$UPDATE_LOG"; then
  log "apt-get update exited non-zero; checking that the trixie source index was fetched"
fi
if grep -E '^(Err|E|W):' "$UPDATE_LOG" | grep -q 'trixie'; then
  rm -f "$UPDATE_LOG"
  die "apt-get update could not fetch the trixie deb-src index from ${MIRROR_URI}"
fi
rm -f "$UPDATE_LOG"
apt-cache showsrc pgvector 2>/dev/null | grep -q '^Version:' ||
  die "no pgvector source package found in trixie after apt-get update"

# --- build dependencies ------------------------------------------------------
need=()
for p in "postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  log "apt-get install ${need[*]}"
  apt-get install -y --no-install-recommends "${need[@]}"
fi
[[ -x "$PG_CONFIG_BIN" ]] || die "$PG_CONFIG_BIN not found"

# --- fetch and build ---------------------------------------------------------
BUILD_DIR=$(mktemp -d /tmp/pgvector-build.XXXXXX)
cd "$BUILD_DIR"
log "apt-get source pgvector/trixie (in ${BUILD_DIR})"
# As root apt-get warns that the _apt sandbox user cannot access the dir; harmless.
apt-get source pgvector/trixie
SRC_DIR=$(find . -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -1)
[[ -n "$SRC_DIR" ]] || die "apt-get source produced no pgvector-* directory"
cd "$SRC_DIR"
log "building $(basename "$SRC_DIR") with PG_CONFIG=${PG_CONFIG_BIN}"
# OPTFLAGS="" drops -march=native so the build is portable across CPUs.
make -j"$(nproc)" OPTFLAGS="" PG_CONFIG="$PG_CONFIG_BIN"
make install OPTFLAGS="" PG_CONFIG="$PG_CONFIG_BIN"

# --- verify ------------------------------------------------------------------
if server_up; then
  if [[ "$(q postgres "SELECT 1 FROM pg_database WHERE datname='${VERIFY_DB}'")" == "1" ]]; then
    version=$(psql -X -v ON_ERROR_STOP=1 -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U "$PGUSER_NAME" -d "$VERIFY_DB" -tA \
      -c "CREATE EXTENSION IF NOT EXISTS vector" \
      -c "SELECT extversion FROM pg_extension WHERE extname='vector'" | tail -1)
  else
    version=$(q postgres "SELECT default_version FROM pg_available_extensions WHERE name='vector'")
  fi
  [[ -n "$version" ]] || die "the server does not see the vector extension after make install"
  log "pgvector ${version} installed (took $((SECONDS - START_SECONDS)) s)"
else
  sharedir=$("$PG_CONFIG_BIN" --sharedir)
  [[ -f "$sharedir/extension/vector.control" ]] || die "vector.control missing after make install"
  version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$sharedir/extension/vector.control")
  log "pgvector ${version} installed (server not running; not verified with CREATE EXTENSION) (took $((SECONDS - START_SECONDS)) s)"
fi
