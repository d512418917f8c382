#!/usr/bin/env bash
# Sites read benchmark: `lantian serve` against pgbench running the same SQL. Not part of CI;
# it prints figures (tables at the end) and leaves nothing running.
#
#   tests/bench/sites_bench.sh            from any directory; about 8 minutes with the defaults
#
# What it does:
#   1. a throwaway PostgreSQL 15 cluster (tests/support/pg.sh) in a mktemp dir under /tmp on a
#      free port; `lantian migrate`, `lantian seed-demo`, then BENCH_SITES more sites loaded
#      set-based (load_sites.sql), ANALYZE;
#   2. `lantian serve` on a free loopback port; a sweep over LANTIAN_WORKERS for GET /sites/{id}
#      picks the best pool size (by the sum of req/s over the connection counts);
#   3. with that pool size, for each endpoint and connection count: wrk (warm-up, then the
#      measured run) and, right after, pgbench on the same SQL (pg_find.sql / pg_near.sql,
#      -M prepared) and, for /sites/{id}, pg_site_read.sql (kFind + kLedger: the site read's
#      statements) and pg_auth_site_read.sql (the auth step's session lookup too: everything one
#      request asks of PostgreSQL), all -M prepared and without BEGIN/COMMIT as the service runs
#      them (db::Read, db::Exec) and with max_parallel_workers_per_gather=0 as the service's
#      connections have it (db/pool.cpp). Before every run the machine's background load (busy % of all
#      cores over 1 s while this benchmark runs nothing) is sampled: the bg% columns. Then the
#      same wrk runs again with
#      LANTIAN_LOG_LEVEL=warn (no access log) to show what the access log costs;
#   4. prints the tables: throughput, latencies, ratio service/pgbench, CPU split of each
#      service run (server, PostgreSQL, wrk, rest, idle; 100 % = all cores).
#
# Environment (defaults in brackets):
#   LANTIAN_BIN          binary to test [<repo>/build/lantian]; copied first, so a rebuild during
#                        the run does not change it
#   BENCH_DURATION       seconds per measured run [15]        BENCH_WARMUP   seconds of warm-up [3]
#   BENCH_CONNS          wrk connections / pgbench clients ["8 64"]
#   BENCH_WORKERS        LANTIAN_WORKERS values to sweep ["4 8 16"]; one value skips the sweep
#   BENCH_IO_THREADS     LANTIAN_IO_THREADS [1]
#   BENCH_SITES          sites loaded on top of the demo ones [100000]
#   BENCH_USER           demo user the requests sign in as [lingdao: a leader, reads every site]
#   BENCH_NO_WARN_PASS=1 skip the LANTIAN_LOG_LEVEL=warn pass
#   BENCH_KEEP=1         keep the scratch directory (server logs, pgbench logs) and print it
#   BENCH_QUIET_MAX      background load (%) to wait out before each run [25], for at most
#   BENCH_QUIET_WAIT     seconds [60]; the bg% columns show what it was when the run started
# Requires: wrk, PostgreSQL 15 with PostGIS (pgbench, psql), a built lantian.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/support/pg.sh
. "$repo/tests/support/pg.sh"

bin_src=${LANTIAN_BIN:-$repo/build/lantian}
duration=${BENCH_DURATION:-15}
warmup=${BENCH_WARMUP:-3}
conns_list=${BENCH_CONNS:-"8 64"}
workers_list=${BENCH_WORKERS:-"4 8 16"}
io_threads=${BENCH_IO_THREADS:-1}
nsites=${BENCH_SITES:-100000}
bench_user=${BENCH_USER:-lingdao}
pgbench=$PG_BIN/pgbench
ncpu=$(nproc)

say() { printf 'sites_bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
[ -x "$pgbench" ] || die "no $pgbench"
[ -x "$bin_src" ] || die "no binary at $bin_src (build it: cmake --build build --target lantian)"

work=$(mktemp -d /tmp/lantian-bench.XXXXXX)
chmod 755 "$work"  # the postgres user must reach the cluster below it
datadir=$work/pg
bin=$work/lantian
cp "$bin_src" "$bin"
server_pid=''
bg_pid=''  # a wrk or pgbench that is running

# Bounded: TERM, up to 10 s, then KILL.
stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$bg_pid"
  stop_pid "$server_pid"
  pg_destroy "$datadir" >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# 1. Database
# ---------------------------------------------------------------------------------------------
pg_port_=$(pg_free_port 57100 400)
pg_init_and_start "$datadir" "$pg_port_" || die "PostgreSQL did not start"
pg_create_db "$pg_port_" lantian_bench >/dev/null
db_url=$(pg_uri "$pg_port_" lantian_bench)
export LANTIAN_DATABASE_URL=$db_url
postmaster_pid=$(head -n1 "$(_pg_realdir "$datadir")/postmaster.pid")

say "PostgreSQL on 127.0.0.1:$pg_port_; migrate, seed-demo, load $nsites sites"
"$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
"$bin" seed-demo --history-days 0 --credentials-file "$work/credentials.txt" >"$work/seed.log" 2>&1 ||
  { cat "$work/seed.log" >&2; die "seed-demo failed"; }
# credentials.txt: username TAB password TAB role TAB unit
bench_password=$(awk -F'\t' -v u="$bench_user" '$1 == u { print $2 }' "$work/credentials.txt")
[ -n "$bench_password" ] || die "seed-demo created no user $bench_user"
t0=$(date +%s.%N)
pg_psql "$pg_port_" lantian_bench -v n="$nsites" -f "$here/load_sites.sql" >/dev/null
t1=$(date +%s.%N)
read -r site_count max_id inconsistent < <(pg_psql "$pg_port_" lantian_bench -tA -F ' ' -c "
  select count(*), max(id),
         count(*) filter (where not exists (
             select 1 from units u where u.id = s.subdistrict_id and u.kind in ('subdistrict', 'park')
               and st_covers(u.boundary, s.location::geometry)))
  from sites s")
[ "$inconsistent" = 0 ] || die "$inconsistent sites lie outside their subdistrict"
say "$site_count sites (ids up to $max_id), loaded in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s"

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
server_port=''
token=''
token_hash=''
start_server() {  # WORKERS LOG_LEVEL TAG
  local workers=$1 level=$2 tag=$3 i status
  server_port=$(pg_free_port 58100 400)
  LANTIAN_LISTEN=127.0.0.1:$server_port LANTIAN_WORKERS=$workers LANTIAN_SCHEDULER=false \
    LANTIAN_IO_THREADS=$io_threads LANTIAN_LOG_LEVEL=$level \
    "$bin" serve >"$work/server-$tag.log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < 100; i++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$server_port/readyz" 2>/dev/null; then break; fi
    kill -0 "$server_pid" 2>/dev/null || i=100
    sleep 0.1
  done
  if [ "$i" -ge 100 ]; then
    tail -n 20 "$work/server-$tag.log" >&2
    die "lantian serve did not become ready"
  fi
  # One session for the whole run (sessions live in the database, so it outlives the server).
  if [ -z "$token" ]; then
    token=$(jq -cn --arg u "$bench_user" --arg p "$bench_password" '{username: $u, password: $p}' |
      curl -fsS -H 'content-type: application/json' --data-binary @- \
        "http://127.0.0.1:$server_port/api/v1/sessions" | jq -r .token) || die "sign-in failed"
    token_hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
    [ "$(pg_psql "$pg_port_" lantian_bench -tA -v h="$token_hash" \
      <<<"select count(*) from sessions where token_hash = :'h'")" = 1 ] ||
      die "the session's token_hash is not the hex SHA-256 of the token (see pg_session_lookup.sql)"
  fi
  status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$server_port/api/v1/sites/$max_id")
  [ "$status" = 200 ] || die "GET /api/v1/sites/$max_id as $bench_user answered $status, not 200"
}

stop_server() {
  stop_pid "$server_pid"
  server_pid=''
}

# utime+stime ticks of the given pids (gone pids count 0).
ticks_of() {
  local sum=0 pid fields
  for pid in "$@"; do
    fields=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || continue
    sum=$((sum + ${fields% *} + ${fields#* }))
  done
  echo "$sum"
}
# PostgreSQL: the postmaster, its live children and (cutime/cstime) the children it reaped, so
# short-lived parallel workers count too.
pg_ticks() {
  local f
  f=$(cut -d' ' -f14-17 "/proc/$postmaster_pid/stat") || { echo 0; return; }
  read -r -a f <<<"$f"
  # shellcheck disable=SC2046  # one pid per word
  echo $((f[0] + f[1] + f[2] + f[3] + $(ticks_of $(pgrep -P "$postmaster_pid"))))
}
# total and idle ticks of the whole machine (from /proc/stat, in USER_HZ)
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat; }

# Busy share (%) of all cores over the next BENCH_BG_SECONDS [1] s, taken while this benchmark
# runs nothing (server and PostgreSQL idle): the background load of other work on the machine.
# While it is above BENCH_QUIET_MAX [25] %, waits and samples again, up to BENCH_QUIET_WAIT [60] s.
# Sets BG (the last sample) and appends "TAG BG waited" to $work/bg.txt.
bg_sample() {  # TAG
  local m0 i0 m1 i1 waited=0
  while :; do
    read -r m0 i0 < <(machine_ticks)
    sleep "${BENCH_BG_SECONDS:-1}"
    read -r m1 i1 < <(machine_ticks)
    BG=$((100 - 100 * (i1 - i0) / (m1 - m0 > 0 ? m1 - m0 : 1)))
    # Wait (bounded) for the machine to calm down before a measured run.
    if [ "$BG" -le "${BENCH_QUIET_MAX:-25}" ] || [ "$waited" -ge "${BENCH_QUIET_WAIT:-60}" ]; then
      break
    fi
    sleep 2
    waited=$((waited + 3))
  done
  echo "$1 $BG waited=${waited}s" >>"$work/bg.txt"
}

# The value of KEY in a "BENCH k=v k=v" line.
field() {
  local v=" ${2#BENCH}"
  v=${v#* "$1"=}
  echo "${v%% *}"
}

# Runs wrk; sets W_RPS W_P50 W_P99 W_ERR W_NON2XX and the CPU split C_SRV C_PG C_WRK C_REST C_IDLE (%).
wrk_run() {  # MODE CONNS SECONDS LOGFILE
  local mode=$1 c=$2 secs=$3 log=$4 s0 p0 w0 m0 i0 s1 p1 w1 m1 i1 line
  local threads=2
  [ "$c" -lt 2 ] && threads=1
  bg_sample "wrk-$mode-c$c-$(basename "$log" .log)"
  s0=$(ticks_of "$server_pid"); p0=$(pg_ticks); read -r m0 i0 < <(machine_ticks)
  wrk -t"$threads" -c"$c" -d"${secs}s" --timeout 10s -s "$here/sites.lua" \
    -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$server_port" -- "$mode" "$max_id" >"$log" 2>&1 &
  bg_pid=$!
  w0=0; w1=0
  # wrk's own CPU: sample just before it exits (its ticks vanish with it).
  while kill -0 "$bg_pid" 2>/dev/null; do
    w1=$(ticks_of "$bg_pid" | tail -n1)
    sleep 0.2
  done
  wait "$bg_pid" || { cat "$log" >&2; die "wrk failed"; }
  bg_pid=''
  s1=$(ticks_of "$server_pid"); p1=$(pg_ticks); read -r m1 i1 < <(machine_ticks)
  line=$(grep '^BENCH ' "$log") || { cat "$log" >&2; die "no BENCH line from wrk"; }
  W_RPS=$(field rps "$line")
  W_P50=$(field p50_ms "$line")
  W_P99=$(field p99_ms "$line")
  W_ERR=$(field errors "$line")
  W_NON2XX=$(field non2xx "$line")
  local total=$((m1 - m0)) idle=$((i1 - i0))
  [ "$total" -gt 0 ] || total=1
  C_SRV=$((100 * (s1 - s0) / total))
  C_PG=$((100 * (p1 - p0) / total))
  C_WRK=$((100 * (w1 - w0) / total))
  C_IDLE=$((100 * idle / total))
  C_REST=$((100 - C_SRV - C_PG - C_WRK - C_IDLE))
  [ "$C_REST" -ge 0 ] || C_REST=0
}

# Runs pgbench; sets B_TPS B_LAT (avg ms) B_P50 B_P99 (ms, from the per-transaction log).
pgbench_run() {  # SCRIPT MODE CLIENTS TAG
  local script=$1 protocol=$2 c=$3 tag=$4 out=$work/pgbench-$4.out
  rm -f "$work/pgb-$tag".*
  bg_sample "pgbench-$tag"
  B_BG=$BG
  # Serial plans, as the service's connections run them (db/pool.cpp sets the same option).
  (cd "$work" && PGOPTIONS='-c max_parallel_workers_per_gather=0' \
    "$pgbench" -n -M "$protocol" -c "$c" -j 2 -T "$duration" \
    -h 127.0.0.1 -p "$pg_port_" -U postgres -D maxid="$max_id" -D hash="$token_hash" \
    -l --log-prefix="pgb-$tag" -f "$here/$script" lantian_bench) >"$out" 2>&1 &
  bg_pid=$!
  wait "$bg_pid" || { cat "$out" >&2; die "pgbench failed"; }
  bg_pid=''
  B_TPS=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | tail -n1)
  B_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")
  read -r B_P50 B_P99 < <(cat "$work/pgb-$tag".* | awk '{ print $3 }' | sort -n |
    awk '{ v[NR] = $1 } END { i50 = int(NR * 0.50); i99 = int(NR * 0.99);
           if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1;
           printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000 }')
  rm -f "$work/pgb-$tag".*
}

# ---------------------------------------------------------------------------------------------
# 2. Pool size sweep (GET /sites/{id}, access log on)
# ---------------------------------------------------------------------------------------------
declare -A sweep=()
read -r -a wl <<<"$workers_list"
read -r -a cl <<<"$conns_list"
best_workers=${wl[0]}
if [ "${#wl[@]}" -gt 1 ]; then
  best_sum=0
  for w in "${wl[@]}"; do
    start_server "$w" info "sweep-w$w"
    sum=0
    for c in "${cl[@]}"; do
      say "sweep: workers=$w GET /sites/{id} c=$c"
      wrk_run id "$c" "$warmup" "$work/warmup.log"
      wrk_run id "$c" "$duration" "$work/wrk-sweep-w$w-c$c.log"
      sweep[$w,$c]="$W_RPS $W_P50 $W_P99 $C_SRV $C_PG $C_WRK $C_IDLE $BG"
      sum=$(echo "$sum + $W_RPS" | bc)
    done
    stop_server
    if [ "$(echo "$sum > $best_sum" | bc)" = 1 ]; then best_sum=$sum; best_workers=$w; fi
  done
fi

# ---------------------------------------------------------------------------------------------
# 3. Main runs with the best pool size: service (access log on), pgbench right after each
# ---------------------------------------------------------------------------------------------
declare -A svc=() pgb=() pgbtx=() pgbauth=() quiet=()
endpoints=(id near)
declare -A label=([id]='GET /sites/{id}' [near]='GET /sites?near (500 m, 20)')
declare -A script=([id]=pg_find.sql [near]=pg_near.sql)

start_server "$best_workers" info main
for e in "${endpoints[@]}"; do
  for c in "${cl[@]}"; do
    say "main: workers=$best_workers ${label[$e]} c=$c (service, then pgbench)"
    wrk_run "$e" "$c" "$warmup" "$work/warmup.log"
    wrk_run "$e" "$c" "$duration" "$work/wrk-$e-c$c.log"
    svc[$e,$c]="$W_RPS $W_P50 $W_P99 $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $BG"
    pgbench_run "${script[$e]}" prepared "$c" "$e-c$c"
    pgb[$e,$c]="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
    if [ "$e" = id ]; then
      pgbench_run pg_site_read.sql prepared "$c" "idread-c$c"
      pgbtx[$c]="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
      pgbench_run pg_auth_site_read.sql prepared "$c" "idauth-c$c"
      pgbauth[$c]="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
    fi
  done
done
access_lines=$(grep -c '"logger":"access"' "$work/server-main.log" || true)
stop_server

if [ "${BENCH_NO_WARN_PASS:-0}" != 1 ]; then
  start_server "$best_workers" warn quiet
  for e in "${endpoints[@]}"; do
    for c in "${cl[@]}"; do
      say "quiet: workers=$best_workers LANTIAN_LOG_LEVEL=warn ${label[$e]} c=$c"
      wrk_run "$e" "$c" "$warmup" "$work/warmup.log"
      wrk_run "$e" "$c" "$duration" "$work/wrk-quiet-$e-c$c.log"
      quiet[$e,$c]="$W_RPS $W_P50 $W_P99 $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $BG"
    done
  done
  stop_server
fi

# ---------------------------------------------------------------------------------------------
# 4. Report
# ---------------------------------------------------------------------------------------------
echo
echo "Lantian sites benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $ncpu cores ($(uname -m)), $site_count sites"
echo "binary: $bin_src ($(stat -c %y "$bin_src" | cut -d. -f1)); LANTIAN_IO_THREADS=$io_threads," \
  "LANTIAN_WORKERS=$best_workers (best of: $workers_list); wrk -t2 -d${duration}s after ${warmup}s warm-up;" \
  "pgbench -n -c N -j2 -T$duration over TCP 127.0.0.1"
echo "requests signed in as $bench_user; access log: $access_lines lines written to a file during the main pass (info level)"

if [ "${#wl[@]}" -gt 1 ]; then
  echo
  echo "Pool size sweep, GET /sites/{id}, access log on (CPU: % of all $ncpu cores)"
  printf '%-8s %5s %10s %8s %8s %6s %6s %6s %6s %6s\n' workers conns 'req/s' 'p50 ms' 'p99 ms' \
    'srv%' 'pg%' 'wrk%' 'idle%' 'bg%'
  for w in "${wl[@]}"; do
    for c in "${cl[@]}"; do
      read -r r p50 p99 cs cp cw ci bg <<<"${sweep[$w,$c]}"
      printf '%-8s %5s %10.0f %8.2f %8.2f %6s %6s %6s %6s %6s\n' "$w$([ "$w" = "$best_workers" ] && echo '*')" \
        "$c" "$r" "$p50" "$p99" "$cs" "$cp" "$cw" "$ci" "$bg"
    done
  done
fi

echo
echo "Service vs pgbench (same SQL, -M prepared), LANTIAN_WORKERS=$best_workers, access log on"
echo "(bg%: background load before each run, busy % of all cores while this benchmark was idle)"
printf '%-28s %5s %10s %8s %8s %5s %11s %12s %9s %5s %9s\n' endpoint conns 'svc req/s' 'p50 ms' \
  'p99 ms' 'bg%' 'pgbench tps' 'pgb avg ms' 'pgb p99' 'bg%' 'svc/pgb'
for e in "${endpoints[@]}"; do
  for c in "${cl[@]}"; do
    read -r r p50 p99 err non2xx _ _ _ _ _ sbg <<<"${svc[$e,$c]}"
    read -r t lat _ bp99 pbg <<<"${pgb[$e,$c]}"
    printf '%-28s %5s %10.0f %8.2f %8.2f %5s %11.0f %12.3f %9.2f %5s %9.2f%s\n' "${label[$e]}" "$c" \
      "$r" "$p50" "$p99" "$sbg" "$t" "$lat" "$bp99" "$pbg" "$(echo "scale=4; $r / $t" | bc)" \
      "$([ "$err$non2xx" = 00 ] || echo "  (errors $err, non-2xx $non2xx)")"
  done
done

echo
echo "GET /sites/{id} against pgbench replaying every statement of the request (-M prepared, no BEGIN/COMMIT)"
echo "  site read  = kFind; kLedger                                  (pg_site_read.sql)"
echo "  auth+site  = kFindActive; kFind; kLedger                     (pg_auth_site_read.sql)"
printf '%-10s %5s %10s %11s %12s %9s %5s %9s\n' pgbench conns 'svc req/s' 'pgbench tps' 'pgb avg ms' \
  'pgb p99' 'bg%' 'svc/pgb'
for c in "${cl[@]}"; do
  read -r r _ <<<"${svc[id,$c]}"
  for kind in tx auth; do
    if [ "$kind" = tx ]; then read -r t lat _ bp99 pbg <<<"${pgbtx[$c]}"; name='site read'
    else read -r t lat _ bp99 pbg <<<"${pgbauth[$c]}"; name='auth+site'; fi
    printf '%-10s %5s %10.0f %11.0f %12.3f %9.2f %5s %9.2f\n' "$name" "$c" "$r" "$t" "$lat" "$bp99" \
      "$pbg" "$(echo "scale=4; $r / $t" | bc)"
  done
done

echo
echo "CPU split during the service runs (% of all $ncpu cores; pg includes parallel workers; rest ="
echo "kernel work not charged to a process and OTHER processes: a high rest means a noisy machine)"
printf '%-28s %5s %-6s %10s %8s %8s %6s %6s %6s %6s %6s %6s\n' endpoint conns log 'req/s' 'p50 ms' \
  'p99 ms' 'srv%' 'pg%' 'wrk%' 'rest%' 'idle%' 'bg%'
for e in "${endpoints[@]}"; do
  for c in "${cl[@]}"; do
    read -r r p50 p99 _ _ cs cp cw cr ci bg <<<"${svc[$e,$c]}"
    printf '%-28s %5s %-6s %10.0f %8.2f %8.2f %6s %6s %6s %6s %6s %6s\n' "${label[$e]}" "$c" info \
      "$r" "$p50" "$p99" "$cs" "$cp" "$cw" "$cr" "$ci" "$bg"
    if [ -n "${quiet[$e,$c]:-}" ]; then
      read -r r p50 p99 cs cp cw cr ci bg <<<"${quiet[$e,$c]}"
      printf '%-28s %5s %-6s %10.0f %8.2f %8.2f %6s %6s %6s %6s %6s %6s\n' '' "$c" warn \
        "$r" "$p50" "$p99" "$cs" "$cp" "$cw" "$cr" "$ci" "$bg"
    fi
  done
done
if [ "${#quiet[@]}" -gt 0 ]; then
  echo
  echo "Access log cost (req/s with LANTIAN_LOG_LEVEL=warn ÷ req/s with info)"
  for e in "${endpoints[@]}"; do
    for c in "${cl[@]}"; do
      read -r r _ <<<"${svc[$e,$c]}"
      read -r q _ <<<"${quiet[$e,$c]}"
      printf '  %-28s c=%-3s %8.0f → %8.0f  (×%s)\n' "${label[$e]}" "$c" "$r" "$q" \
        "$(echo "scale=2; $q / $r" | bc)"
    done
  done
fi
