#!/usr/bin/env bash
# Sign-in and authentication benchmark: what a sign-in costs (argon2id) and what the auth step
# (one session lookup per request) costs an authenticated read. Not part of CI; prints tables and
# leaves nothing running.
#
#   tests/bench/auth_bench.sh            from any directory; about 4 minutes with the defaults
#
# What it does:
#   1. a throwaway PostgreSQL 15 cluster (tests/support/pg.sh), `lantian migrate`, `seed-demo`
#      (10 users), BENCH_SITES sites loaded set-based (load_sites.sql), ANALYZE;
#   2. `lantian serve` with the default sign-in cost (LANTIAN_ARGON2_OPS_LIMIT 2,
#      LANTIAN_ARGON2_MEM_LIMIT_MIB 64, LANTIAN_MAX_CONCURRENT_HASHES 2; override with
#      BENCH_ARGON2_OPS / BENCH_ARGON2_MIB / BENCH_HASHES) and LANTIAN_WORKERS [4];
#   3. sign-in latency: POST /api/v1/sessions sequentially (wrk -c1) with the valid credentials of
#      a random demo user; then the sign-in rate at BENCH_SIGNIN_CONNS [8] connections, while a
#      second wrk (1 connection) reads GET /api/v1/sites/{id} to show what sign-ins do to other
#      requests; then the same at BENCH_BURST_CONNS [32] (the 08:00 burst), printed beside the
#      target: the reader keeps ≥ 80 % of its rate alone (sign-ins hash on their own threads,
#      not on the LANTIAN_WORKERS request threads);
#   4. the auth step on reads, at BENCH_CONNS [8] connections, in one server run:
#        GET /healthz                                  no auth, no database
#        GET /api/v1/sites/{id}, token of 5 characters  auth step rejects before any query → 401
#        GET /api/v1/sites/{id}, unknown 43-char token  auth step runs its session lookup → 401
#        GET /api/v1/me                                 auth + user read
#        GET /api/v1/sites/{id}                         auth + site read (kFind + kLedger)
#      The auth step's cost is the difference of the two 401 runs (same answer, one query more),
#      as server+PostgreSQL CPU per request and as time per request at saturation; its share is
#      that over the cost of GET /api/v1/sites/{id}. Then pgbench (-M prepared, same clients) on
#      the session lookup alone (pg_session_lookup.sql), the site read alone (pg_site_read.sql)
#      and both (pg_auth_site_read.sql);
#   5. prints the tables. Before every run the machine's background load is sampled (bg%: busy %
#      of all cores over 1 s while this benchmark runs nothing); figures taken with a high bg%
#      are noise, rerun.
#
# Environment (defaults in brackets):
#   LANTIAN_BIN        binary to test [<repo>/build/lantian]; copied first
#   BENCH_DURATION     seconds per measured run [10]     BENCH_WARMUP  seconds of warm-up [2]
#   BENCH_CONNS        connections for the read runs [8] BENCH_SIGNIN_CONNS  for sign-ins [8]
#   BENCH_BURST_CONNS  connections of the sign-in burst (the reader must keep ≥ 80 %) [32]
#   BENCH_WORKERS      LANTIAN_WORKERS [4]               BENCH_SITES   sites to load [100000]
#   BENCH_USER         demo user of the read runs [lingdao: a leader, reads every site]
#   BENCH_PARTS        which measurements to take ["signin reads pgbench"]
#   BENCH_KEEP=1       keep the scratch directory (logs) and print it
# Requires: wrk, jq, curl, PostgreSQL 15 with PostGIS (pgbench, psql), a built lantian.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/support/pg.sh
. "$repo/tests/support/pg.sh"
# shellcheck source=tests/bench/bench_lib.sh
. "$here/bench_lib.sh"

bin_src=${LANTIAN_BIN:-$repo/build/lantian}
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
conns=${BENCH_CONNS:-8}
signin_conns=${BENCH_SIGNIN_CONNS:-8}
burst_conns=${BENCH_BURST_CONNS:-32}
workers=${BENCH_WORKERS:-4}
nsites=${BENCH_SITES:-100000}
bench_user=${BENCH_USER:-lingdao}
ops=${BENCH_ARGON2_OPS:-2}
mib=${BENCH_ARGON2_MIB:-64}
hashes=${BENCH_HASHES:-2}
parts=" ${BENCH_PARTS:-signin reads pgbench} "
has_part() { [[ $parts == *" $1 "* ]]; }

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v jq >/dev/null || die "jq is not installed"
[ -x "$pgbench" ] || die "no $pgbench"
[ -x "$bin_src" ] || die "no binary at $bin_src (build it: cmake --build build --target lantian)"

work=$(mktemp -d /tmp/lantian-authbench.XXXXXX)
chmod 755 "$work"
datadir=$work/pg
bin=$work/lantian
cp "$bin_src" "$bin"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$bg_pid"
  stop_pid "${side_pid:-}"
  stop_server
  pg_destroy "$datadir" >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Database --------------------------------------------------------------------------------
bench_db_up "$datadir"
say "PostgreSQL on 127.0.0.1:$pg_port_; migrate, seed-demo, load $nsites sites"
bench_migrate_seed
pg_psql "$pg_port_" lantian_bench -v n="$nsites" -f "$here/load_sites.sql" >/dev/null
max_id=$(pg_psql "$pg_port_" lantian_bench -tA -c 'select max(id) from sites')
nusers=$(wc -l <"$work/credentials.txt")

# 2. Server with the default sign-in cost -----------------------------------------------------
server_env=(LANTIAN_WORKERS="$workers" LANTIAN_ARGON2_OPS_LIMIT="$ops"
  LANTIAN_ARGON2_MEM_LIMIT_MIB="$mib" LANTIAN_MAX_CONCURRENT_HASHES="$hashes")
start_server main "${server_env[@]}"
token=$(sign_in "$bench_user") || die "sign-in as $bench_user failed"
token_hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
[ "$(pg_psql "$pg_port_" lantian_bench -tA -v h="$token_hash" \
  <<<"select count(*) from sessions where token_hash = :'h'")" = 1 ] ||
  die "the session's token_hash is not the hex SHA-256 of the token (pg_session_lookup.sql)"
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$server_port/api/v1/sites/$max_id")
[ "$status" = 200 ] || die "GET /api/v1/sites/$max_id as $bench_user answered $status"
# The stored hashes were made with the cost the server runs with, or every sign-in would rehash.
stored_cost=$(pg_psql "$pg_port_" lantian_bench -tA -c \
  "select substring(password_hash from 'm=[0-9]+,t=[0-9]+') from users limit 1")

# 3. Sign-in ------------------------------------------------------------------------------------
if has_part signin; then
say "sign-in, sequential (1 connection, ${duration}s)"
wrk_run signin-seq-warm 1 "$warmup" auth.lua signin "$work/credentials.txt"
wrk_run signin-seq 1 "$duration" auth.lua signin "$work/credentials.txt"
seq_row="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"

# A 1-connection reader alongside the sign-ins, and alone for reference.
side_read() {  # SECONDS LOG: a 1-connection GET /api/v1/sites/{id} in the background
  wrk -t1 -c1 -d"$1s" --timeout 10s -H "Authorization: Bearer $token" -s "$here/auth.lua" \
    "http://127.0.0.1:$server_port" -- site "$max_id" >"$2" 2>&1 &
  side_pid=$!
}
say "site reads alone (1 connection)"
bg_sample read-alone
bg_alone=$BG
side_read "$duration" "$work/wrk-read-alone.log"
wait "$side_pid"; side_pid=''
line=$(grep '^BENCH ' "$work/wrk-read-alone.log") || die "no BENCH line (read alone)"
read_alone_row="$(field rps "$line") $(field p50_ms "$line") $(field p99_ms "$line") $(field non2xx "$line") $bg_alone"

say "sign-in at $signin_conns connections, with a 1-connection site reader alongside"
wrk_run signin-par-warm "$signin_conns" "$warmup" auth.lua signin "$work/credentials.txt"
bg_sample signin-par  # before the reader starts, so that both run at the same time
side_read "$duration" "$work/wrk-read-during.log"
BG_SKIP=1 wrk_run signin-par "$signin_conns" "$duration" auth.lua signin "$work/credentials.txt"
wait "$side_pid" || true; side_pid=''
par_row="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"
line=$(grep '^BENCH ' "$work/wrk-read-during.log") || die "no BENCH line (read during sign-ins)"
read_during_row="$(field rps "$line") $(field p50_ms "$line") $(field p99_ms "$line") $(field non2xx "$line") $BG"

# The 08:00 burst: every inspector signs in at once. Sign-ins run on their own hash threads
# (LANTIAN_MAX_CONCURRENT_HASHES) behind a bounded queue; a full queue answers 503 signin_busy,
# counted here as non-2xx. The reader must keep ≥ 80 % of its rate alone.
say "sign-in burst at $burst_conns connections, with a 1-connection site reader alongside"
bg_sample signin-burst
side_read "$duration" "$work/wrk-read-burst.log"
BG_SKIP=1 wrk_run signin-burst "$burst_conns" "$duration" auth.lua signin "$work/credentials.txt"
wait "$side_pid" || true; side_pid=''
burst_row="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"
line=$(grep '^BENCH ' "$work/wrk-read-burst.log") || die "no BENCH line (read during the burst)"
read_burst_row="$(field rps "$line") $(field p50_ms "$line") $(field p99_ms "$line") $(field non2xx "$line") $BG"
sessions=$(pg_psql "$pg_port_" lantian_bench -tA -c 'select count(*) from sessions')
fi

# 4. The auth step on reads ---------------------------------------------------------------------
declare -A row=()
cases=(healthz short unknown me site)
declare -A case_label=(
  [healthz]='GET /healthz (no auth, no DB)'
  [short]='GET /sites/{id}, 5-char token → 401'
  [unknown]='GET /sites/{id}, unknown token → 401'
  [me]='GET /api/v1/me (auth + user read)'
  [site]='GET /sites/{id} (auth + site read)')
unknown_token=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | cut -c1-43)
if has_part reads; then
for k in "${cases[@]}"; do
  case $k in
    healthz) auth=(); args=(get /healthz) ;;
    short) auth=(-H 'Authorization: Bearer abcde'); args=(site "$max_id") ;;
    unknown) auth=(-H "Authorization: Bearer $unknown_token"); args=(site "$max_id") ;;
    me) auth=(-H "Authorization: Bearer $token"); args=(get /api/v1/me) ;;
    site) auth=(-H "Authorization: Bearer $token"); args=(site "$max_id") ;;
  esac
  say "reads: ${case_label[$k]} at $conns connections"
  wrk_extra=("${auth[@]}")
  wrk_run "$k-warm" "$conns" "$warmup" auth.lua "${args[@]}"
  wrk_run "$k" "$conns" "$duration" auth.lua "${args[@]}"
  wrk_extra=()
  row[$k]="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"
done
fi
stop_server

if has_part pgbench; then
say "pgbench: session lookup, site read, both ($conns clients, -M prepared)"
PGB_FLAGS="-D maxid=$max_id -D hash=$token_hash"
pgbench_run lookup prepared "$conns" pg_session_lookup.sql
pgb_lookup="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
pgbench_run siteread prepared "$conns" pg_site_read.sql
pgb_site="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
pgbench_run authsite prepared "$conns" pg_auth_site_read.sql
pgb_both="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
fi

# 5. Report ------------------------------------------------------------------------------------
echo
echo "Lantian auth benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $ncpu cores ($(uname -m)), $max_id sites, $nusers users"
echo "binary: $bin_src ($(stat -c %y "$bin_src" | cut -d. -f1)); LANTIAN_WORKERS=$workers;" \
  "argon2id ops=$ops mem=${mib} MiB, $hashes concurrent hashes (stored hashes: $stored_cost);" \
  "wrk ${duration}s after ${warmup}s warm-up; pgbench -n -M prepared -T$duration over TCP"
echo "bg% = background load before the run (busy % of all cores while this benchmark was idle);"
echo "cpu µs/req = server + PostgreSQL CPU per request (wrk and other processes excluded)"

if has_part signin; then
echo
echo "Sign-in (POST /api/v1/sessions, valid credentials of a random demo user; $sessions sessions made)"
printf '%-34s %8s %9s %9s %7s %8s %6s %6s %6s %6s %6s %10s %5s\n' run 'req/s' 'p50 ms' \
  'p99 ms' n 'non-2xx' 'srv%' 'pg%' 'wrk%' 'rest%' 'idle%' 'cpu µs/req' 'bg%'
for r in seq par burst; do
  case $r in
    seq) v=$seq_row; name='sequential (1 connection)' ;;
    par) v=$par_row; name="$signin_conns connections" ;;
    burst) v=$burst_row; name="burst: $burst_conns connections" ;;
  esac
  read -r rps p50 p99 n err non2xx cs cp cw cr ci cu bg <<<"$v"
  printf '%-34s %8.1f %9.1f %9.1f %7s %8s %6s %6s %6s %6s %6s %10s %5s%s\n' "$name" "$rps" "$p50" \
    "$p99" "$n" "$non2xx" "$cs" "$cp" "$cw" "$cr" "$ci" "$cu" "$bg" \
    "$([ "$err" = 0 ] || echo "  (socket errors $err)")"
done
read -r rps1 _ <<<"$seq_row"
read -r rpsn _ <<<"$par_row"
echo "  one hash at a time gives ${rps1}/s; $signin_conns connections give ${rpsn}/s (×$(ratio "$rpsn" "$rps1"))"
echo
echo "A 1-connection GET /api/v1/sites/{id} reader, alone and while the sign-ins above ran"
printf '%-34s %8s %9s %9s %8s %5s\n' reader 'req/s' 'p50 ms' 'p99 ms' 'non-2xx' 'bg%'
read -r a b c d e <<<"$read_alone_row"
printf '%-34s %8.0f %9.2f %9.2f %8s %5s\n' 'alone' "$a" "$b" "$c" "$d" "$e"
read -r a b c d e <<<"$read_during_row"
printf '%-34s %8.0f %9.2f %9.2f %8s %5s\n' "during $signin_conns-connection sign-ins" "$a" "$b" "$c" "$d" "$e"
read -r a b c d e <<<"$read_burst_row"
printf '%-34s %8.0f %9.2f %9.2f %8s %5s\n' "during the $burst_conns-connection burst" "$a" "$b" "$c" "$d" "$e"
read -r alone _ <<<"$read_alone_row"
read -r during _ <<<"$read_during_row"
read -r burst _ <<<"$read_burst_row"
pct() { echo "scale=1; 100 * $1 / $2" | bc; }
kept=$(pct "$burst" "$alone")
printf '  reads kept %s %% during %s sign-ins and %s %% during the %s-connection burst; target ≥ 80 %%: %s\n' \
  "$(pct "$during" "$alone")" "$signin_conns" "$kept" "$burst_conns" \
  "$(if [ "$(echo "$kept >= 80" | bc)" = 1 ]; then echo met; else echo NOT met; fi)"
fi

if has_part reads; then
echo
echo "The auth step on reads ($conns connections, one server run, LANTIAN_WORKERS=$workers)"
printf '%-38s %9s %8s %8s %8s %6s %6s %6s %6s %6s %10s %5s\n' endpoint 'req/s' 'p50 ms' 'p99 ms' \
  'non-2xx' 'srv%' 'pg%' 'wrk%' 'rest%' 'idle%' 'cpu µs/req' 'bg%'
for k in "${cases[@]}"; do
  read -r rps p50 p99 n err non2xx cs cp cw cr ci cu bg <<<"${row[$k]}"
  printf '%-38s %9.0f %8.2f %8.2f %8s %6s %6s %6s %6s %6s %10s %5s\n' "${case_label[$k]}" "$rps" \
    "$p50" "$p99" "$non2xx" "$cs" "$cp" "$cw" "$cr" "$ci" "$cu" "$bg"
done
read -r r_short _ _ _ _ _ _ _ _ _ _ cu_short _ <<<"${row[short]}"
read -r r_unk _ _ _ _ _ _ _ _ _ _ cu_unk _ <<<"${row[unknown]}"
read -r r_site _ _ _ _ _ _ _ _ _ _ cu_site _ <<<"${row[site]}"
read -r r_me _ _ _ _ _ _ _ _ _ _ cu_me _ <<<"${row[me]}"
read -r r_hz _ _ _ _ _ _ _ _ _ _ cu_hz _ <<<"${row[healthz]}"
auth_cpu=$((cu_unk - cu_short))
auth_time=$(echo "scale=1; 1000000 / $r_unk - 1000000 / $r_short" | bc)
site_time=$(echo "scale=1; 1000000 / $r_site" | bc)
echo
echo "Auth step = (unknown-token 401) − (short-token 401): the session lookup and what it drags along"
printf '  by CPU:  %s µs of %s µs per GET /sites/{id} = %s of its cost\n' "$auth_cpu" "$cu_site" \
  "$(ratio "$auth_cpu" "$cu_site")"
printf '  by time: %s µs of %s µs per GET /sites/{id} at saturation (1/req/s) = %s\n' "$auth_time" \
  "$site_time" "$(ratio "$auth_time" "$site_time")"
printf '  GET /sites/{id} without it would do ≈ %.0f req/s (by CPU) instead of %.0f\n' \
  "$(echo "scale=1; $r_site * $cu_site / ($cu_site - $auth_cpu)" | bc)" "$r_site"
printf '  /me ÷ /healthz = %s; /sites/{id} ÷ /healthz = %s; /sites/{id} ÷ /me = %s\n' \
  "$(ratio "$r_me" "$r_hz")" "$(ratio "$r_site" "$r_hz")" "$(ratio "$r_site" "$r_me")"
fi

if has_part pgbench; then
echo
echo "pgbench on the same SQL ($conns clients, -M prepared, no BEGIN/COMMIT as the service runs it)"
printf '%-44s %9s %10s %9s %9s %5s\n' script tps 'avg ms' 'p50 ms' 'p99 ms' 'bg%'
for k in lookup site both; do
  case $k in
    lookup) v=$pgb_lookup; name='session lookup (pg_session_lookup.sql)' ;;
    site) v=$pgb_site; name='site read: kFind+kLedger (pg_site_read.sql)' ;;
    both) v=$pgb_both; name='lookup + site read (pg_auth_site_read.sql)' ;;
  esac
  read -r t lat p50 p99 bg <<<"$v"
  printf '%-44s %9.0f %10.3f %9.3f %9.3f %5s\n' "$name" "$t" "$lat" "$p50" "$p99" "$bg"
done
read -r t_site _ <<<"$pgb_site"
read -r t_both _ <<<"$pgb_both"
printf '  in PostgreSQL alone the lookup is %s of the whole request (1/tps: %s of %s µs)\n' \
  "$(ratio "$(echo "scale=3; 1000000 / $t_both - 1000000 / $t_site" | bc)" \
    "$(echo "scale=3; 1000000 / $t_both" | bc)")" \
  "$(echo "scale=1; 1000000 / $t_both - 1000000 / $t_site" | bc)" \
  "$(echo "scale=1; 1000000 / $t_both" | bc)"
[ -z "${r_site:-}" ] || printf '  service ÷ pgbench (lookup + site read) = %s\n' "$(ratio "$r_site" "$t_both")"
fi
