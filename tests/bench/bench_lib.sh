# shellcheck shell=bash disable=SC2034  # the variables set here are read by the callers
# Helpers shared by the benchmarks in tests/bench (sourced, not run).
# The caller sets: here (tests/bench), repo, work (scratch directory), bin (a copy of lantian),
# and sources tests/support/pg.sh first.
#
#   bench_db_up DATADIR                  a throwaway cluster on a free port: sets pg_port_, db_url,
#                                        postmaster_pid; exports LANTIAN_DATABASE_URL
#   bench_migrate_seed                   lantian migrate + seed-demo (credentials in $work)
#   start_server TAG [VAR=VALUE...]      lantian serve on a free loopback port (extra env given),
#                                        without the daily dispatch scheduler
#   stop_server
#   sign_in USER                         prints a session token of a demo user
#   bg_sample TAG                        sets BG: busy % of all cores over 1 s while the
#                                        benchmark itself runs nothing (others' load); above
#                                        BENCH_QUIET_MAX [25] it waits and samples again, for up
#                                        to BENCH_QUIET_WAIT [60] s
#   wrk_run TAG CONNS SECONDS LUA ARGS... sets W_* (rps, p50, p99, errors, non-2xx) and the CPU
#                                        split C_SRV C_PG C_WRK C_REST C_IDLE and CPU_US (server +
#                                        PostgreSQL CPU µs per request); extra wrk flags (such as
#                                        -H 'Authorization: Bearer …') in the array wrk_extra
#   pgbench_run TAG MODE CLIENTS SCRIPT  sets B_TPS B_LAT B_P50 B_P99 B_BG (extra flags: PGB_FLAGS);
#                                        serial plans, as the service's connections have them
#   ledger_generate SITES ISSUES EVENTS  ledger_gen.sql with those numbers, then (a schema with the
#                                        reports' aggregates) `lantian reports rebuild`, the
#                                        service's one recomputation, and VACUUM ANALYZE of the
#                                        aggregates; output in $work/ledger_gen.log, the rebuild's
#                                        line "8. lantian reports rebuild: …" last. Needs psql_
#   ledger_reset MAX_ID                  back to the data ledger_gen.sql generated: removes the issues
#                                        above MAX_ID (that runs created), their assignments and audit
#                                        events, resets the chain head, VACUUM ANALYZE; sets
#                                        LEDGER_REMOVED. Needs psql_ (the caller's psql on its database)

pgbench=$PG_BIN/pgbench
ncpu=$(nproc)
server_pid=''
server_port=''
bg_pid=''
postmaster_pid=''
wrk_extra=()

say() { printf '%s: %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

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

bench_db_up() {
  local datadir=$1
  local attempt
  # Another job may take the free port first: try the next free one then.
  for attempt in 1 2 3; do
    pg_port_=$(pg_free_port $((57500 + RANDOM % 300)) 400)
    pg_init_and_start "$datadir" "$pg_port_" 2>"$work/pg-start.err" && break
    [ "$attempt" -lt 3 ] || { cat "$work/pg-start.err" >&2; die "PostgreSQL did not start"; }
  done
  # A cluster found running (a kept one) stays on the port it was started on.
  pg_port_=$(pg_port "$datadir")
  pg_create_db "$pg_port_" lantian_bench >/dev/null
  db_url=$(pg_uri "$pg_port_" lantian_bench)
  export LANTIAN_DATABASE_URL=$db_url
  postmaster_pid=$(head -n1 "$(_pg_realdir "$datadir")/postmaster.pid")
}

bench_migrate_seed() {
  "$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
  # credentials.txt: username TAB password TAB role TAB unit. No demo history: the benches
  # generate their own ledger (and run their own dispatch).
  "$bin" seed-demo --history-days 0 --credentials-file "$work/credentials.txt" >"$work/seed.log" 2>&1 ||
    { cat "$work/seed.log" >&2; die "seed-demo failed"; }
}

password_of() { awk -F'\t' -v u="$1" '$1 == u { print $2 }' "$work/credentials.txt"; }

start_server() {  # TAG [VAR=VALUE...]
  local tag=$1 i
  shift
  server_port=$(pg_free_port 58500 400)
  # No daily dispatch: it would rewrite the data under the measurements (dispatch_bench.sh
  # measures it). Older binaries ignore the variable.
  env LANTIAN_LISTEN="127.0.0.1:$server_port" LANTIAN_LOG_LEVEL="${BENCH_LOG_LEVEL:-info}" \
    LANTIAN_SCHEDULER=false "$@" \
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
}

stop_server() {
  stop_pid "$server_pid"
  server_pid=''
}

sign_in() {  # USER
  local password
  password=$(password_of "$1")
  [ -n "$password" ] || die "no demo user $1 in credentials.txt"
  jq -cn --arg u "$1" --arg p "$password" '{username: $u, password: $p}' |
    curl -fsS -H 'content-type: application/json' --data-binary @- \
      "http://127.0.0.1:$server_port/api/v1/sessions" | jq -r .token
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
# PostgreSQL: the postmaster, its live children and the children it reaped.
pg_ticks() {
  local f
  f=$(cut -d' ' -f14-17 "/proc/$postmaster_pid/stat") || { echo 0; return; }
  read -r -a f <<<"$f"
  # shellcheck disable=SC2046  # one pid per word
  echo $((f[0] + f[1] + f[2] + f[3] + $(ticks_of $(pgrep -P "$postmaster_pid"))))
}
machine_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat; }

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

field() {  # KEY LINE: the value of KEY in a "BENCH k=v k=v" line
  local v=" ${2#BENCH}"
  v=${v#* "$1"=}
  echo "${v%% *}"
}

wrk_run() {  # TAG CONNS SECONDS LUA [LUA ARGS...]
  local tag=$1 c=$2 secs=$3 lua=$4 log=$work/wrk-$1.log s0 p0 w0 w1 m0 i0 s1 p1 m1 i1 line
  shift 4
  local threads=2
  [ "$c" -lt 2 ] && threads=1
  # BG_SKIP=1: the caller sampled already (it starts something alongside after sampling).
  [ "${BG_SKIP:-0}" = 1 ] || bg_sample "wrk-$tag"
  s0=$(ticks_of "$server_pid"); p0=$(pg_ticks); read -r m0 i0 < <(machine_ticks)
  wrk -t"$threads" -c"$c" -d"${secs}s" --timeout 10s "${wrk_extra[@]}" -s "$here/$lua" \
    "http://127.0.0.1:$server_port" -- "$@" >"$log" 2>&1 &
  bg_pid=$!
  w0=0; w1=0
  while kill -0 "$bg_pid" 2>/dev/null; do
    w1=$(ticks_of "$bg_pid" | tail -n1)
    sleep 0.2
  done
  wait "$bg_pid" || { cat "$log" >&2; die "wrk failed ($tag)"; }
  bg_pid=''
  s1=$(ticks_of "$server_pid"); p1=$(pg_ticks); read -r m1 i1 < <(machine_ticks)
  line=$(grep '^BENCH ' "$log") || { cat "$log" >&2; die "no BENCH line from wrk ($tag)"; }
  W_RPS=$(field rps "$line")
  W_P50=$(field p50_ms "$line")
  W_P99=$(field p99_ms "$line")
  W_N=$(field requests "$line")
  W_ERR=$(field errors "$line")
  W_NON2XX=$(field non2xx "$line")
  local total=$((m1 - m0)) idle=$((i1 - i0)) hz
  hz=$(getconf CLK_TCK)
  [ "$total" -gt 0 ] || total=1
  C_SRV=$((100 * (s1 - s0) / total))
  C_PG=$((100 * (p1 - p0) / total))
  C_WRK=$((100 * (w1 - w0) / total))
  C_IDLE=$((100 * idle / total))
  C_REST=$((100 - C_SRV - C_PG - C_WRK - C_IDLE))
  [ "$C_REST" -ge 0 ] || C_REST=0
  if [ "$W_N" -gt 0 ]; then
    CPU_US=$(((s1 - s0 + p1 - p0) * 1000000 / hz / W_N))
  else
    CPU_US=0
  fi
}

pgbench_run() {  # TAG MODE CLIENTS SCRIPT
  local tag=$1 protocol=$2 c=$3 script=$4 out=$work/pgbench-$1.out threads=2
  [ "$c" -lt 2 ] && threads=1
  rm -f "$work/pgb-$tag".*
  bg_sample "pgbench-$tag"
  B_BG=$BG
  # shellcheck disable=SC2086  # PGB_FLAGS is a list of flags
  # Serial plans, as the service's connections run them (db/pool.cpp sets the same option).
  (cd "$work" && PGOPTIONS='-c max_parallel_workers_per_gather=0' \
    "$pgbench" -n -M "$protocol" -c "$c" -j "$threads" -T "$duration" \
    -h 127.0.0.1 -p "$pg_port_" -U postgres ${PGB_FLAGS:-} \
    -l --log-prefix="pgb-$tag" -f "$here/$script" lantian_bench) >"$out" 2>&1 &
  bg_pid=$!
  wait "$bg_pid" || { cat "$out" >&2; die "pgbench failed ($tag)"; }
  bg_pid=''
  grep -q '^number of failed transactions: 0 ' "$out" ||
    ! grep -q '^number of failed transactions' "$out" || die "pgbench $tag: failed transactions"
  B_TPS=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | tail -n1)
  B_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")
  read -r B_P50 B_P99 < <(cat "$work/pgb-$tag".* | awk '{ print $3 }' | sort -n |
    awk '{ v[NR] = $1 } END { i50 = int(NR * 0.50); i99 = int(NR * 0.99);
           if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1;
           printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000 }')
  rm -f "$work/pgb-$tag".*
}

ledger_generate() {  # SITES ISSUES EVENTS
  local log=$work/ledger_gen.log t0 t1
  psql_ -v sites="$1" -v issues="$2" -v events="$3" -f "$here/ledger_gen.sql" >"$log" 2>&1 ||
    { cat "$log" >&2; die "ledger_gen failed"; }
  # The generator leaves the aggregates to the service (its statement triggers were off).
  [ "$(psql_ -tA -c "select to_regclass('report_daily') is not null")" = t ] || return 0
  t0=$(date +%s.%N)
  "$bin" reports rebuild >>"$log" 2>&1 || { cat "$log" >&2; die "lantian reports rebuild failed"; }
  t1=$(date +%s.%N)
  psql_ -q -c 'vacuum (analyze) report_daily' -c 'vacuum (analyze) report_daily_unit' >>"$log" 2>&1
  psql_ -tA -c "select format('8. lantian reports rebuild: %s s; report_daily %s rows, report_daily_unit %s rows',
                              round($t1 - $t0, 1), (select count(*) from report_daily),
                              (select count(*) from report_daily_unit))" >>"$log"
}

ledger_reset() {  # MAX_ID
  # The audit events only a replica-role session may remove (append-only triggers); under that
  # role no trigger fires, so the reports' aggregates (migration 0007) first lose what the
  # removed issues contributed, as the issues_report_delete trigger would have taken it out.
  LEDGER_REMOVED=$(psql_ -qtA -v m="$1" <<'SQL' | tail -n1
begin;
select to_regclass('report_daily') is not null and exists (select from issues where id > :m)
       as take_out \gset
\if :take_out
select report_daily_merge(array_agg(i), null) from issues i where i.id > :m;
\endif
set local session_replication_role = replica;
delete from issue_events where issue_id > :m;
delete from issue_assignments where issue_id > :m;
with d as (delete from issues where id > :m returning 1) select count(*) from d;
commit;
SQL
)
  psql_ -q <<'SQL'
update audit_chain_head set
    last_seq = coalesce((select max(seq) from issue_events), 0),
    last_hash = coalesce((select hash from issue_events order by seq desc limit 1), repeat('0', 64));
vacuum (analyze) issues;
vacuum (analyze) issue_assignments;
vacuum (analyze) issue_events;
SQL
}

ratio() { echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }
