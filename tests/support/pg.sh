# shellcheck shell=bash disable=SC2034  # PG_STARTED is set here for the callers to read
# Sourceable helpers for a private PostgreSQL 15 cluster: the local one under ./var/pg
# (deploy/run-local.sh) and the throwaway one of the tests (tests/run.sh).
#
#   pg_init_and_start DATADIR PORT   initdb when needed, (re)write the settings, start, wait
#   pg_start DATADIR                 start an existing cluster with its stored settings
#   pg_stop DATADIR                  fast shutdown (immediate after a bounded wait)
#   pg_freeze DATADIR                SIGSTOP the postmaster and its children (a hung server:
#                                    the kernel still accepts and acknowledges, nothing answers)
#   pg_thaw DATADIR                  SIGCONT them again
#   pg_destroy DATADIR               stop and delete the cluster (and its /var/tmp home, if any)
#   pg_is_running DATADIR            exit status 0 when its postmaster is up
#   pg_port DATADIR                  print the port stored in the cluster's settings
#   pg_uri PORT [DBNAME]             print postgresql://postgres@127.0.0.1:PORT/DBNAME
#   pg_psql PORT DBNAME ARGS...      run psql against the cluster as user postgres
#   pg_create_db PORT DBNAME         create the database unless it exists
#   pg_free_port [FIRST] [COUNT]     print the first port in FIRST..FIRST+COUNT-1 nobody listens on
#
# Every function returns non-zero on failure instead of exiting, so callers decide; diagnostics
# go to stderr. After pg_init_and_start / pg_start, PG_STARTED is 1 when this call started the
# postmaster and 0 when it was already running (run-local.sh stops only what it started).
#
# The server listens on 127.0.0.1 only and uses trust authentication: anyone on this machine can
# connect as postgres, which is acceptable for a development or test cluster and nothing else.
#
# PostgreSQL refuses to run as root. As root, every server binary runs as the postgres system user
# (created by the postgresql-15 package) and the data directory belongs to that user. The postgres
# user must be able to reach the data directory through all its parents; when it cannot (a clone
# under /root, mode 700), the data lives in /var/tmp/lantian-pg-<hash of the path> and DATADIR
# becomes a symlink to it.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_WAIT_SECONDS=${PG_WAIT_SECONDS:-30}
PG_STARTED=0

# Our settings live in their own file, included from postgresql.conf, so that changing the port
# rewrites one small file and initdb's defaults stay untouched.
_PG_CONF=lantian.conf

_pg_is_root() { [ "$(id -u)" -eq 0 ]; }

_pg_abspath() {
  # Absolute path without resolving a final symlink (DATADIR may be our own symlink).
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
  esac
}

# Run a PostgreSQL binary as the user that owns the cluster. As root that is postgres; cd / first
# because the caller's cwd may be unreadable for postgres, which makes initdb and pg_ctl complain.
_pg_run() {
  local prog=$1
  shift
  if _pg_is_root; then
    (cd / && runuser -u postgres -- "$PG_BIN/$prog" "$@")
  else
    "$PG_BIN/$prog" "$@"
  fi
}

# True when the postgres user can create files in DIR (so it can reach it through every parent).
_pg_postgres_can_use() {
  (cd / && runuser -u postgres -- test -w "$1" -a -x "$1") 2>/dev/null
}

# Make DATADIR an existing directory that the cluster's owner can use, as described above.
_pg_prepare_datadir() {
  local dir=$1 real hash
  if ! _pg_is_root; then
    mkdir -p "$dir" && chmod 700 "$dir"
    return
  fi
  if ! id -u postgres >/dev/null 2>&1; then
    echo "pg.sh: no postgres system user; is postgresql-15 installed (deploy/install-deps.sh)?" >&2
    return 1
  fi
  hash=$(printf '%s' "$dir" | sha256sum | cut -c1-12)
  real=/var/tmp/lantian-pg-$hash
  if [ -L "$dir" ]; then
    # Our symlink from an earlier run; its target may have been cleaned away since.
    real=$(readlink "$dir")
    mkdir -p "$real"
  else
    mkdir -p "$dir"
    # Recursively only when needed: a cluster made by a non-root run belongs to that user.
    if [ "$(stat -c %U "$dir")" != postgres ]; then chown -R postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    if _pg_postgres_can_use "$dir"; then
      return 0
    fi
    echo "pg.sh: notice: user postgres cannot reach $dir; keeping the cluster in $real (symlinked)" >&2
    mkdir -p "$real"
    # Move whatever an earlier run left here (a cluster made by a non-root run, say) into place.
    if [ -n "$(ls -A "$dir")" ]; then
      cp -a "$dir/." "$real/" || return 1
    fi
    rm -rf "$dir"
    ln -s "$real" "$dir"
  fi
  chown -R postgres:postgres "$real"
  chmod 700 "$real"
}

# The directory the data really lives in: DATADIR itself, or the target of our symlink. Server
# binaries are always given this one, since postgres cannot follow a symlink it cannot reach.
_pg_realdir() {
  local dir
  dir=$(_pg_abspath "$1")
  if [ -L "$dir" ]; then readlink "$dir"; else printf '%s\n' "$dir"; fi
}

_pg_write_conf() {
  local dir=$1 port=$2 real sockdir
  real=$(_pg_realdir "$dir")
  sockdir=$real
  # A Unix socket path is limited to 107 bytes; on a deep path do without the socket (every
  # client here uses TCP on 127.0.0.1 anyway).
  if [ $((${#real} + 20)) -gt 107 ]; then
    sockdir=
  fi
  {
    echo "# Written by tests/support/pg.sh; rewritten on every pg_init_and_start."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$sockdir'"
  } >"$real/$_PG_CONF.tmp" || return 1
  if _pg_is_root; then chown postgres:postgres "$real/$_PG_CONF.tmp"; fi
  mv "$real/$_PG_CONF.tmp" "$real/$_PG_CONF"
  if ! grep -q "^include_if_exists = '$_PG_CONF'" "$real/postgresql.conf"; then
    printf "\ninclude_if_exists = '%s'\n" "$_PG_CONF" >>"$real/postgresql.conf"
  fi
}

pg_port() {
  local real
  real=$(_pg_realdir "$1")
  sed -n 's/^port = \([0-9]*\)$/\1/p' "$real/$_PG_CONF" 2>/dev/null | head -n1 | grep . ||
    { echo "pg.sh: no port recorded in $1/$_PG_CONF" >&2; return 1; }
}

pg_uri() {
  printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$1" "${2:-postgres}"
}

# Print the PID in DIR's postmaster.pid with its state letter (R, S, Z...), if that process
# exists and is a postgres.
_pg_pid_state() {
  local pid comm state rest
  pid=$(head -n1 "$1/postmaster.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  read -r _ comm state rest 2>/dev/null <"/proc/$pid/stat" || return 1
  [ "$comm" = "(postgres)" ] || return 1
  printf '%s %s\n' "$pid" "$state"
}

# Not "pg_ctl status": it counts a zombie postmaster as running, and a postmaster killed with -9
# stays a zombie here for a second or so until PID 1 reaps it.
pg_is_running() {
  local dir ps
  dir=$(_pg_realdir "$1")
  ps=$(_pg_pid_state "$dir") || return 1
  [ "${ps#* }" != Z ]
}

_pg_wait_ready() {
  local port=$1 i
  for ((i = 0; i < PG_WAIT_SECONDS * 2; i++)); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 1; then
      return 0
    fi
    sleep 0.5
  done
  echo "pg.sh: server on port $port not ready after ${PG_WAIT_SECONDS}s" >&2
  return 1
}

pg_start() {
  local dir port i attempt
  dir=$(_pg_realdir "$1")
  PG_STARTED=0
  port=$(pg_port "$dir") || return 1
  if pg_is_running "$dir"; then
    echo "pg.sh: cluster $dir already running (port $port); reusing it" >&2
    _pg_wait_ready "$port"
    return
  fi
  # After a kill -9 the old postmaster may still be a zombie (a new one would take its lock file
  # for live) and its children may still hold the shared memory: wait for both, bounded, by
  # waiting for the zombie and then retrying the start a few times.
  for ((i = 0; i < PG_WAIT_SECONDS * 2; i++)); do
    _pg_pid_state "$dir" >/dev/null || break
    sleep 0.5
  done
  # pg_ctl -w detects a server that dies on startup (port taken, bad setting) without waiting
  # out the timeout; pg_isready afterwards confirms that TCP connections are accepted.
  for attempt in 1 2 3; do
    if _pg_run pg_ctl start -D "$dir" -l "$dir/log" -w -t "$PG_WAIT_SECONDS" -s >/dev/null 2>&1; then
      PG_STARTED=1
      _pg_wait_ready "$port"
      return
    fi
    [ "$attempt" = 3 ] || sleep 1
  done
  echo "pg.sh: could not start the cluster in $dir; end of $dir/log:" >&2
  tail -n 15 "$dir/log" >&2 2>/dev/null || true
  return 1
}

pg_init_and_start() {
  local dir port=$2 out
  dir=$(_pg_abspath "$1")
  PG_STARTED=0
  _pg_prepare_datadir "$dir" || return 1
  dir=$(_pg_realdir "$dir")
  if [ ! -f "$dir/PG_VERSION" ]; then
    out=$(_pg_run initdb -D "$dir" -E UTF8 --locale=C.UTF-8 -A trust -U postgres 2>&1) || {
      printf 'pg.sh: initdb failed:\n%s\n' "$out" >&2
      return 1
    }
  fi
  if pg_is_running "$dir"; then
    # Already up (a previous run was killed): reuse it as it is, on the port it was started on.
    pg_start "$dir"
    return
  fi
  _pg_write_conf "$dir" "$port" || return 1
  pg_start "$dir"
}

pg_stop() {
  local dir
  dir=$(_pg_realdir "$1")
  pg_is_running "$dir" || return 0
  if ! _pg_run pg_ctl stop -D "$dir" -m fast -w -t "$PG_WAIT_SECONDS" -s; then
    echo "pg.sh: fast shutdown of $dir timed out; shutting down immediately" >&2
    _pg_run pg_ctl stop -D "$dir" -m immediate -w -t "$PG_WAIT_SECONDS" -s
  fi
}

# The postmaster's PID and its children's, one a line.
_pg_pids() {
  local dir pid
  dir=$(_pg_realdir "$1")
  pid=$(head -n1 "$dir/postmaster.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$pid"
  pgrep -P "$pid" || true
}

pg_freeze() {
  local pids
  pids=$(_pg_pids "$1") || { echo "pg.sh: no postmaster for $1" >&2; return 1; }
  # The postmaster first, so that it forks no child we would miss.
  # shellcheck disable=SC2086  # one PID a word
  kill -STOP $pids
}

pg_thaw() {
  local pids
  pids=$(_pg_pids "$1") || return 0
  # shellcheck disable=SC2086
  kill -CONT $pids
}

pg_destroy() {
  local dir real
  dir=$(_pg_abspath "$1")
  pg_stop "$dir" || true
  real=$(_pg_realdir "$dir")
  if [ "$real" != "$dir" ]; then rm -rf "$real"; fi
  rm -rf "$dir"
}

pg_psql() {
  local port=$1 db=$2
  shift 2
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

pg_create_db() {
  local port=$1 db=$2 exists
  # psql interpolates :'var' (literal) and :"var" (identifier) only in SQL read from stdin or a
  # file, not in -c, hence the here-strings.
  exists=$(pg_psql "$port" postgres -tA -v "name=$db" \
    <<<"SELECT 1 FROM pg_database WHERE datname = :'name'" 2>&1) || {
    echo "pg.sh: $exists" >&2
    return 1
  }
  if [ "$exists" != 1 ]; then
    pg_psql "$port" postgres -v "name=$db" <<<'CREATE DATABASE :"name"'
  fi
}

pg_free_port() {
  local port=${1:-56000} count=${2:-200} end
  end=$((port + count))
  for (( ; port < end; port++)); do
    # A refused connection means nobody listens; the socket-file check covers a cluster that
    # listens on some other address but would still collide on its lock file in /tmp.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [ ! -e "/tmp/.s.PGSQL.$port.lock" ]; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  echo "pg.sh: no free port in ${1:-56000}..$((end - 1))" >&2
  return 1
}
