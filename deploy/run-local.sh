#!/usr/bin/env bash
# Runs Lantian on this machine with demo data: installs what it needs, builds, starts a private
# PostgreSQL cluster in ./var/pg, migrates, seeds, and serves in the foreground until Ctrl-C.
#
# Environment:
#   LANTIAN_DATABASE_URL     use this database instead of the private cluster (not started/stopped)
#   LANTIAN_LOCAL_PG_PORT    port of the private cluster (default 55432)
#   LANTIAN_LISTEN           host:port to serve on (default 127.0.0.1:8080)
#   LANTIAN_SKIP_BUILD=1     use build/lantian as it is (no install-deps, configure or build)
#
# Ctrl-C or SIGTERM stops the service (SIGTERM, then waits) and then the cluster, if this script
# started it. A second run reuses the data in ./var/pg; a cluster left running by a run that was
# killed is taken over (and stopped at the end), one started by hand is reused and left running.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=tests/support/pg.sh
. "$repo/tests/support/pg.sh"

log() { printf 'run-local: %s\n' "$*"; }

export LANTIAN_LISTEN=${LANTIAN_LISTEN:-127.0.0.1:8080}
pgdata=var/pg
# Records which run-local process started the cluster, to tell a killed run's cluster (ours to
# take over) from one started by hand.
pgowner=var/pg.owner

svc_pid=
pg_owned=0

# shellcheck disable=SC2317  # only called from the traps below
stop_all() {
  local i
  if [ -n "$svc_pid" ] && kill -0 "$svc_pid" 2>/dev/null; then
    log "stopping lantian (pid $svc_pid)"
    kill -TERM "$svc_pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
      kill -0 "$svc_pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$svc_pid" 2>/dev/null; then
      log "lantian did not stop within 30 s; killing it"
      kill -KILL "$svc_pid" 2>/dev/null || true
    fi
    wait "$svc_pid" 2>/dev/null || true
  fi
  svc_pid=
  if [ "$pg_owned" = 1 ]; then
    log "stopping PostgreSQL ($pgdata)"
    pg_stop "$pgdata" || log "PostgreSQL did not stop cleanly; see $pgdata/log"
    rm -f "$pgowner"
    pg_owned=0
  fi
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

# --- dependencies and build ------------------------------------------------------------------
if [ "${LANTIAN_SKIP_BUILD:-0}" != 1 ]; then
  "$repo/deploy/install-deps.sh"
  # Configure once; afterwards the build re-runs CMake by itself when CMakeLists change, and a
  # tree configured by hand keeps its own options.
  if [ ! -f build/build.ninja ]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  cmake --build build
fi
if [ ! -x build/lantian ]; then
  log "build/lantian is missing"
  exit 1
fi

# --- database --------------------------------------------------------------------------------
if [ -z "${LANTIAN_DATABASE_URL:-}" ]; then
  mkdir -p var
  pg_init_and_start "$pgdata" "${LANTIAN_LOCAL_PG_PORT:-55432}"
  if [ "$PG_STARTED" = 1 ]; then
    pg_owned=1
  elif [ -f "$pgowner" ] && ! kill -0 "$(cat "$pgowner")" 2>/dev/null; then
    log "taking over the cluster left running by an earlier run"
    pg_owned=1
  else
    log "PostgreSQL in $pgdata was already running and is left running at the end"
  fi
  if [ "$pg_owned" = 1 ]; then echo "$$" >"$pgowner"; fi
  port=$(pg_port "$pgdata")
  pg_create_db "$port" lantian
  LANTIAN_DATABASE_URL=$(pg_uri "$port" lantian)
  export LANTIAN_DATABASE_URL
fi

# --- migrate, seed, serve --------------------------------------------------------------------
build/lantian migrate
mkdir -p var
# New demo users (first run only) get fresh random passwords, appended to this file.
build/lantian seed-demo --credentials-file var/demo-credentials.txt

echo
echo "  Lantian is starting on http://$LANTIAN_LISTEN"
echo "  database: $LANTIAN_DATABASE_URL"
if [ -f var/demo-credentials.txt ]; then
  echo "  demo accounts (var/demo-credentials.txt):"
  sed 's/^/    /' var/demo-credentials.txt
fi
echo "  Ctrl-C stops it."
echo

# In the background and waited for, so that the traps above run as soon as a signal arrives
# (bash defers traps while a foreground command runs).
build/lantian serve &
svc_pid=$!
rc=0
wait "$svc_pid" || rc=$?
svc_pid=
log "lantian exited with status $rc"
exit "$rc"
