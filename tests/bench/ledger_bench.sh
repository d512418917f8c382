#!/usr/bin/env bash
# Issue ledger benchmark on a city's worth of data: issue creation and the unit worklist, each
# against pgbench running the service's own SQL. Not part of CI; prints tables and leaves nothing
# running.
#
#   tests/bench/ledger_bench.sh          from any directory; about 10 minutes with the defaults
#                                        (of which ~4 generating the data)
#
# What it does:
#   1. a PostgreSQL 15 cluster (tests/support/pg.sh), `lantian migrate`, `seed-demo`, then
#      ledger_gen.sql (BENCH_SITES sites, BENCH_ISSUES issues over two years, their assignments,
#      BENCH_EVENTS audit events; see that file) and `lantian reports rebuild`, timed. With
#      BENCH_LEDGER_DIR the cluster lives there and is reused by the next run when the data is
#      already generated (a run first removes the issues earlier runs created, so every run
#      starts from the generated data);
#   2. `lantian serve` (LANTIAN_WORKERS [4]);
#   3. the worklist, first (creation below puts 'reported' issues on top of the id order that the
#      list pages by): GET /api/v1/issues?unit_id=<a subdistrict or the park, at random>&status=
#      assigned, first page (50), at BENCH_LIST_CONNS [8] connections, as the office (huanweiban:
#      sees every issue) and as the handler of 焦西街道 (jiaoxi: unit_id = own unit, so the scope
#      filter applies too); right after each, pgbench on kList with the same values
#      (pg_issue_list.sql);
#   4. creation: POST /api/v1/issues as the inspector xuncha1, a fresh client_id per request
#      (ledger.lua), at each of BENCH_CREATE_CONNS ["8 64"] connections; right after each,
#      pgbench with as many clients on the same transaction (pg_issue_create.sql: BEGIN, kFindSite,
#      kInsert, kSnapshot, kAppend through the audit chain trigger, COMMIT; PREPAREd as the
#      service prepares them);
#   5. EXPLAIN (ANALYZE, BUFFERS) of that list query for the busiest unit, as a custom plan
#      (the first five executions of a prepared statement) and as the generic plan (what a
#      connection may switch to from the sixth on), written to the report;
#   6. prints the tables with ratios. The aims: creation ≥ 0.7 of pgbench; list p99 < 20 ms.
#      Before every run the machine's background load is sampled (bg%); figures taken with a
#      high bg% are noise: rerun.
#
# Environment (defaults in brackets):
#   LANTIAN_BIN          binary to test [<repo>/build/lantian]; copied first
#   BENCH_DURATION       seconds per measured run [10]   BENCH_WARMUP  seconds of warm-up [2]
#   BENCH_CREATE_CONNS   ["8 64"]                        BENCH_LIST_CONNS  [8]
#   BENCH_WORKERS        LANTIAN_WORKERS [4]
#   BENCH_SITES [100000] BENCH_ISSUES [1000000] BENCH_EVENTS [0]   passed to ledger_gen.sql
#   BENCH_LEDGER_DIR     keep (and reuse) the cluster there instead of a throwaway one
#   BENCH_PARTS          which measurements to take ["list create"] (e.g. "create" to rerun one)
#   BENCH_KEEP=1         keep the scratch directory (logs) and print it
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
create_conns=${BENCH_CREATE_CONNS:-"8 64"}
list_conns=${BENCH_LIST_CONNS:-8}
workers=${BENCH_WORKERS:-4}
nsites=${BENCH_SITES:-100000}
nissues=${BENCH_ISSUES:-1000000}
nevents=${BENCH_EVENTS:-0}
parts=" ${BENCH_PARTS:-list create} "
has_part() { [[ $parts == *" $1 "* ]]; }

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v jq >/dev/null || die "jq is not installed"
[ -x "$pgbench" ] || die "no $pgbench"
[ -x "$bin_src" ] || die "no binary at $bin_src (build it: cmake --build build --target lantian)"

work=$(mktemp -d /tmp/lantian-ledgerbench.XXXXXX)
chmod 755 "$work"
bin=$work/lantian
cp "$bin_src" "$bin"
if [ -n "${BENCH_LEDGER_DIR:-}" ]; then
  mkdir -p "$BENCH_LEDGER_DIR"
  datadir=$(cd "$BENCH_LEDGER_DIR" && pwd)/pg
else
  datadir=$work/pg
fi

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$bg_pid"
  stop_server
  if [ -n "${BENCH_LEDGER_DIR:-}" ]; then
    pg_stop "$datadir" >/dev/null 2>&1 || true
  else
    pg_destroy "$datadir" >/dev/null 2>&1 || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

psql_() { pg_psql "$pg_port_" lantian_bench "$@"; }

# 1. Database --------------------------------------------------------------------------------
bench_db_up "$datadir"
marker=$(_pg_realdir "$datadir")/ledger_gen.done
gen_secs=''
if [ -f "$marker" ] && [ -f "$(dirname "$marker")/credentials.txt" ]; then
  say "reusing the generated ledger in $datadir ($(cat "$marker"))"
  cp "$(dirname "$marker")/credentials.txt" "$work/credentials.txt"
  "$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
  # Back to the generated data: drop what earlier runs created (bench_lib.sh).
  gen_max=$(sed -n 's/.* max_id=\([0-9]*\).*/\1/p' "$marker")
  [ -n "$gen_max" ] || die "no max_id in $marker; delete $BENCH_LEDGER_DIR to generate again"
  ledger_reset "$gen_max"
  gen_report="reused: $(cat "$marker"); removed $LEDGER_REMOVED issues created by earlier runs"
  dispatched=$(psql_ -tA -c "select count(*) from pg_tables where tablename = 'dispatch_runs'")
  if [ "$dispatched" = 1 ]; then dispatched=$(psql_ -tA -c 'select count(*) from dispatch_runs'); fi
  if [ "$dispatched" != 0 ]; then
    gen_report="$gen_report; NOTE: $dispatched daily dispatch run(s) changed it since (not undone)"
  fi
else
  say "PostgreSQL on 127.0.0.1:$pg_port_; migrate, seed-demo, ledger_gen ($nsites sites, $nissues issues, $nevents events)"
  bench_migrate_seed
  t0=$(date +%s.%N)
  ledger_generate "$nsites" "$nissues" "$nevents"
  t1=$(date +%s.%N)
  gen_secs=$(printf '%.0f' "$(echo "$t1 - $t0" | bc)")
  gen_report=$(grep -E '^([0-9]+b?\.|ledger_gen:)' "$work/ledger_gen.log")
  echo "sites=$nsites issues=$nissues events=$nevents max_id=$(psql_ -tA -c 'select max(id) from issues') generated $(date -u +%FT%TZ) in ${gen_secs}s" >"$marker.tmp"
  cp "$work/credentials.txt" "$(dirname "$marker")/credentials.txt"
  mv "$marker.tmp" "$marker"
fi
max_site=$(psql_ -tA -c 'select max(id) from sites')
read -r insp_id insp_unit < <(psql_ -tA -F ' ' -c "select id, unit_id from users where username = 'xuncha1'")
read -r handler_unit < <(psql_ -tA -c "select unit_id from users where username = 'jiaoxi'")
units_csv=$(psql_ -tA -c "select string_agg(id::text, ',' order by id) from units where kind in ('subdistrict', 'park')")
nunits=$(tr ',' '\n' <<<"$units_csv" | wc -l)
counts=$(psql_ -tA -F ' ' -c "
  select (select count(*) from issues), (select count(*) from issues where status = 'assigned'),
         (select count(*) from issue_assignments), (select count(*) from issue_events),
         pg_size_pretty(pg_total_relation_size('issues'))")
# The busiest unit's assigned issues (as lead or co-unit): what one list request filters.
read -r busy_unit busy_n < <(psql_ -tA -F ' ' -c "
  select u.id, (select count(*) from issues i where i.status = 'assigned'
                  and (i.lead_unit_id = u.id or u.id = any (i.co_unit_ids))) as n
  from units u where u.kind in ('subdistrict', 'park') order by n desc limit 1")
per_unit=$(psql_ -tA -F ' ' -c "
  select min(n), round(avg(n)), max(n) from (
    select (select count(*) from issues i where i.status = 'assigned'
              and (i.lead_unit_id = u.id or u.id = any (i.co_unit_ids))) as n
    from units u where u.kind in ('subdistrict', 'park')) x")

# 2. Server --------------------------------------------------------------------------------------
start_server main LANTIAN_WORKERS="$workers"
t_insp=$(sign_in xuncha1) || die "sign-in as xuncha1 failed"
t_office=$(sign_in huanweiban) || die "sign-in as huanweiban failed"
t_handler=$(sign_in jiaoxi) || die "sign-in as jiaoxi failed"
probe=$(curl -sS -o "$work/probe.json" -w '%{http_code}' -H "Authorization: Bearer $t_insp" \
  -H 'content-type: application/json' --data-binary "{\"client_id\":\"$(cat /proc/sys/kernel/random/uuid)\",\"site_id\":$max_site,\"category\":\"other\",\"severity\":1,\"description\":\"probe\",\"source\":\"patrol\"}" \
  "http://127.0.0.1:$server_port/api/v1/issues")
[ "$probe" = 201 ] || { cat "$work/probe.json" >&2; die "POST /api/v1/issues answered $probe"; }
probe=$(curl -sS -o "$work/probe.json" -w '%{http_code}' -H "Authorization: Bearer $t_handler" \
  "http://127.0.0.1:$server_port/api/v1/issues?unit_id=$handler_unit&status=assigned")
[ "$probe" = 200 ] || { cat "$work/probe.json" >&2; die "GET /api/v1/issues as jiaoxi answered $probe"; }
page_n=$(jq '.items | length' "$work/probe.json")

declare -A svc=() pgb=()
# 3. The worklist (first: issues created below would sit on top of the id order it pages by) ---
read -r -a lc <<<"$list_conns"
if has_part list; then
for c in "${lc[@]}"; do
  say "list: GET /api/v1/issues?unit_id=…&status=assigned at $c connections (office, handler), then pgbench"
  wrk_run "list-office-warm-c$c" "$c" "$warmup" ledger.lua list "$t_office" "$units_csv"
  wrk_run "list-office-c$c" "$c" "$duration" ledger.lua list "$t_office" "$units_csv"
  svc[office,$c]="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"
  PGB_FLAGS="-D prepared=0 -D units={$units_csv} -D nunits=$nunits -D status=assigned -D scope_unit=null"
  pgbench_run "list-office-c$c" simple "$c" pg_issue_list.sql
  pgb[office,$c]="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"

  wrk_run "list-handler-warm-c$c" "$c" "$warmup" ledger.lua list "$t_handler" "$handler_unit"
  wrk_run "list-handler-c$c" "$c" "$duration" ledger.lua list "$t_handler" "$handler_unit"
  svc[handler,$c]="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"
  PGB_FLAGS="-D prepared=0 -D units={$handler_unit} -D nunits=1 -D status=assigned -D scope_unit=$handler_unit"
  pgbench_run "list-handler-c$c" simple "$c" pg_issue_list.sql
  pgb[handler,$c]="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
done
# 4. Plans of the list query (before creation too) -----------------------------------------
# The statement text of pg_issue_list.sql, prepared under the service's name for it.
list_sql=$(sed -n '/^prepare lt_list as/,/limit \$15;/p' "$here/pg_issue_list.sql")
explain() {  # MODE SCOPE_UNIT UNIT (serial plans, as the service's connections)
  PGOPTIONS='-c max_parallel_workers_per_gather=0' psql_ <<SQL
set plan_cache_mode = $1;
$list_sql
explain (analyze, buffers, costs off)
execute lt_list('assigned', $3, null, null, null, null, null, null, null, null, null, $2,
                clock_timestamp(), null, 51);
SQL
}
explain force_custom_plan null "$busy_unit" >"$work/plan-office-custom.txt" 2>&1
explain force_generic_plan null "$busy_unit" >"$work/plan-office-generic.txt" 2>&1
explain force_custom_plan "$handler_unit" "$handler_unit" >"$work/plan-handler-custom.txt" 2>&1
explain force_generic_plan "$handler_unit" "$handler_unit" >"$work/plan-handler-generic.txt" 2>&1
# Which plan a connection settles on after five executions (auto mode, as in the service).
auto_counts=$(PGOPTIONS='-c max_parallel_workers_per_gather=0' psql_ -tA <<SQL 2>&1 | tail -n1
$list_sql
\o /dev/null
$(for _ in 1 2 3 4 5 6 7 8; do
  echo "execute lt_list('assigned', $busy_unit, null, null, null, null, null, null, null, null, null, null, now(), null, 51);"
done)
\o
select 'generic ' || generic_plans || ', custom ' || custom_plans from pg_prepared_statements where name = 'lt_list';
SQL
) || true
fi

# 5. Creation --------------------------------------------------------------------------------
read -r -a cc <<<"$create_conns"
if has_part create; then
for c in "${cc[@]}"; do
  say "create: POST /api/v1/issues at $c connections, then pgbench"
  wrk_run "create-warm-c$c" "$c" "$warmup" ledger.lua create "$t_insp" "$max_site"
  wrk_run "create-c$c" "$c" "$duration" ledger.lua create "$t_insp" "$max_site"
  svc[create,$c]="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"
  PGB_FLAGS="-D maxid=$max_site -D prepared=0 -D user=$insp_id -D unit=$insp_unit"
  PGB_FLAGS="$PGB_FLAGS -D audit=1"
  pgbench_run "create-c$c" simple "$c" pg_issue_create.sql
  pgb[create,$c]="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
done
# References: pgbench with as many clients as the service has database connections (its pool
# funnels any number of HTTP connections into LANTIAN_WORKERS sessions), and the transaction
# without kSnapshot + kAppend (what the audit chain costs).
say "create: pgbench at $workers clients (the service's pool), and at 8 without the audit event"
PGB_FLAGS="-D maxid=$max_site -D prepared=0 -D user=$insp_id -D unit=$insp_unit -D audit=1"
pgbench_run "create-pool" simple "$workers" pg_issue_create.sql
pgb_pool="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
PGB_FLAGS="-D maxid=$max_site -D prepared=0 -D user=$insp_id -D unit=$insp_unit -D audit=0"
pgbench_run "create-noaudit" simple 8 pg_issue_create.sql
pgb_noaudit="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
fi

stop_server
total_after=$(psql_ -tA -c 'select count(*) from issues')

# 6. Report ------------------------------------------------------------------------------------
read -r n_issues n_assigned n_assign n_events issues_size <<<"$counts"
read -r pu_min pu_avg pu_max <<<"$per_unit"
echo
echo "Lantian ledger benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $ncpu cores ($(uname -m))"
echo "binary: $bin_src ($(stat -c %y "$bin_src" | cut -d. -f1)); LANTIAN_WORKERS=$workers;" \
  "wrk ${duration}s after ${warmup}s warm-up; pgbench -n -T$duration -j2 over TCP, PREPARE/EXECUTE"
echo "data: $n_issues issues ($issues_size with indexes; $n_assigned assigned), $n_assign assignments," \
  "$n_events audit events, $max_site sites; $total_after issues after the runs"
echo "assigned issues per subdistrict/park (lead or co-unit): min $pu_min, avg $pu_avg, max $pu_max (unit $busy_unit)"
if [ -n "$gen_secs" ]; then
  echo "ledger_gen.sql took ${gen_secs} s:"
  sed 's/^/  /' <<<"$gen_report"
else
  echo "ledger_gen: $gen_report"
fi
echo "bg% = background load before the run (busy % of all cores while this benchmark was idle);"
echo "cpu µs/req = server + PostgreSQL CPU per request"

if has_part create; then
echo
echo "Issue creation: POST /api/v1/issues (inspector, fresh client_id, with its audit event) vs pgbench"
echo "on the same transaction (aim: svc/pgb ≥ 0.7)"
printf '%5s %9s %8s %8s %8s %5s %6s %6s %6s %6s %10s %5s %9s %8s %8s %5s %8s\n' conns 'svc req/s' \
  'p50 ms' 'p99 ms' non2xx 'srv%' 'pg%' 'wrk%' 'rest%' 'idle%' 'cpu µs/req' 'bg%' 'pgb tps' \
  'pgb p50' 'pgb p99' 'bg%' 'svc/pgb'
for c in "${cc[@]}"; do
  read -r r p50 p99 _ err non2xx cs cp cw cr ci cu bg <<<"${svc[create,$c]}"
  read -r t _ bp50 bp99 pbg <<<"${pgb[create,$c]}"
  printf '%5s %9.0f %8.2f %8.2f %8s %5s %6s %6s %6s %6s %10s %5s %9.0f %8.2f %8.2f %5s %8s%s\n' "$c" \
    "$r" "$p50" "$p99" "$non2xx" "$cs" "$cp" "$cw" "$cr" "$ci" "$cu" "$bg" "$t" "$bp50" "$bp99" \
    "$pbg" "$(ratio "$r" "$t")" "$([ "$err" = 0 ] || echo "  (socket errors $err)")"
done

read -r t _ bp50 bp99 pbg <<<"$pgb_pool"
printf '  pgbench at %s clients (as many as the service has database connections): %.0f tps, p50 %.2f ms, p99 %.2f ms (bg %s%%)\n' \
  "$workers" "$t" "$bp50" "$bp99" "$pbg"
for c in "${cc[@]}"; do
  read -r r _ <<<"${svc[create,$c]}"
  printf '    svc at %s connections ÷ that = %s\n' "$c" "$(ratio "$r" "$t")"
done
read -r t2 _ bp50 bp99 pbg <<<"$pgb_noaudit"
read -r t8 _ <<<"${pgb[create,8]:-$t}"
printf '  pgbench at 8 clients without kSnapshot + kAppend (no audit event): %.0f tps, p50 %.2f ms, p99 %.2f ms (bg %s%%); with them: %.0f (×%s)\n' \
  "$t2" "$bp50" "$bp99" "$pbg" "$t8" "$(ratio "$t8" "$t2")"
fi

if has_part list; then
echo
echo "Worklist: GET /api/v1/issues?unit_id=U&status=assigned, first page (${page_n} items for jiaoxi's unit)"
echo "vs pgbench on kList with the same values (aim: p99 < 20 ms)"
printf '%-30s %5s %9s %8s %8s %8s %5s %6s %6s %10s %5s %9s %8s %8s %5s %8s\n' caller conns \
  'svc req/s' 'p50 ms' 'p99 ms' non2xx 'srv%' 'pg%' 'rest%' 'cpu µs/req' 'bg%' 'pgb tps' \
  'pgb p50' 'pgb p99' 'bg%' 'svc/pgb'
for c in "${lc[@]}"; do
  for who in office handler; do
    if [ $who = office ]; then name="office, $nunits units at random"; else name="handler jiaoxi, own unit"; fi
    read -r r p50 p99 _ err non2xx cs cp _ cr _ cu bg <<<"${svc[$who,$c]}"
    read -r t _ bp50 bp99 pbg <<<"${pgb[$who,$c]}"
    printf '%-30s %5s %9.0f %8.2f %8.2f %8s %5s %6s %6s %10s %5s %9.0f %8.2f %8.2f %5s %8s%s\n' \
      "$name" "$c" "$r" "$p50" "$p99" "$non2xx" "$cs" "$cp" "$cr" "$cu" "$bg" "$t" "$bp50" "$bp99" \
      "$pbg" "$(ratio "$r" "$t")" "$([ "$err" = 0 ] || echo "  (socket errors $err)")"
  done
done

echo
echo "Plans of the list query for unit $busy_unit (office) and $handler_unit (handler jiaoxi);"
echo "a fresh connection running it 8 times with plan_cache_mode=auto ended with: $auto_counts"
for f in office-custom office-generic handler-custom handler-generic; do
  echo
  echo "--- $f plan"
  grep -v '^SET\|^PREPARE\|^$' "$work/plan-$f.txt" | sed 's/^/  /'
done
fi
