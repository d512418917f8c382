#!/usr/bin/env bash
# Reports benchmark on a city's worth of data (issue 6): the summary by unit for a month and for
# a year, the ranking for a month, the month's summary as a handler, each against pgbench running
# the service's own SQL; the dashboard's 30-day trend and its map timed. Not part of CI; prints
# tables and leaves nothing running.
#
#   tests/bench/reports_bench.sh         from any directory; about 12 minutes with the defaults
#                                        (of which ~5 generating the data and ~1.5 verifying it)
#
# What it does:
#   1. a PostgreSQL 15 cluster (tests/support/pg.sh; default settings), `lantian migrate`,
#      `seed-demo`, then ledger_gen.sql (BENCH_SITES sites, BENCH_ISSUES issues over the two
#      years before now, their assignments; see that file) and `lantian reports rebuild` (the
#      aggregates, as the service recomputes them), timed; then `lantian reports verify` (the
#      aggregates equal a recomputation), timed. With
#      BENCH_LEDGER_DIR the cluster lives there and is shared with ledger_bench.sh: a run reuses
#      the generated data (first removing the issues that ledger_bench.sh runs created, with
#      their share of the aggregates), and regenerates it when the cluster predates migration
#      0007 (BENCH_MIGRATE_OLD=1: time `lantian migrate` on it instead, which applies 0007 and
#      backfills; see the note there);
#   2. the periods, in the district's days: every calendar month from the first one the data
#      covers whole to the current one (24 with the defaults), and every 12-month window of
#      those (13), each as from = its first day, to = its last day (as_of = min(end of to, now));
#   3. `lantian serve` (LANTIAN_WORKERS [4]); one request of each kind with PostgreSQL logging
#      every statement, to check that the pgbench scripts below PREPARE the very texts the
#      service sends (and to show the values it binds);
#   4. at BENCH_CONNS [8] connections (wrk, reports.lua: a period at random per request),
#      right after each, pgbench with as many clients on the same transaction with the same
#      values picked the same way (PREPAREd once per client, EXECUTEd; BEGIN … COMMIT as
#      db::InTransaction; the auth step, one session lookup per request, is not in it):
#        month    GET /api/v1/reports/summary?group_by=unit&from&to, a month, as the office
#                 (huanweiban: every unit) — pg_report_summary.sql;
#        year     the same for a 12-month window;
#        ranking  GET /api/v1/reports/ranking?from&to, a month — pg_report_ranking.sql;
#        handler  the month's summary as the handler of 焦西街道 (jiaoxi: its figures from
#                 the ledger, report_facts() over the issues its unit leads or co-handles, and
#                 its overdue count through the same visibility predicate) —
#                 pg_report_summary.sql with scoped=1 and scope_unit;
#      pgbench also reports its average per statement (-r): where the database time goes;
#   5. the dashboard's trend (summary?group_by=day for the 30 days to today) and its map
#      (GET /api/v1/reports/map), one client: the first request and the median of the next
#      BENCH_SINGLE [5];
#   6. EXPLAIN (ANALYZE, BUFFERS) of the month's aggregate, the year's aggregate, the
#      overdue-at-end count and the handler's facts for a month in the middle of the data, as custom plans (the first
#      five executions of a prepared statement) and generic ones (what a connection may switch
#      to from the sixth on), serial as the service's connections plan;
#   7. prints the tables with ratios (aim: month summary p99 < 50 ms). Before every run the
#      machine's background load is sampled (bg%); figures taken with a high bg% are noise.
#
# Environment (defaults in brackets):
#   LANTIAN_BIN          binary to test [<repo>/build/lantian]; copied first
#   BENCH_DURATION       seconds per measured run [10]   BENCH_WARMUP  seconds of warm-up [2]
#   BENCH_CONNS          [8]                             BENCH_WORKERS LANTIAN_WORKERS [4]
#   BENCH_SITES [100000] BENCH_ISSUES [1000000]          passed to ledger_gen.sql
#   BENCH_LEDGER_DIR     keep (and reuse) the cluster there instead of a throwaway one
#   BENCH_PARTS          which measurements to take ["month year ranking handler single explain"]
#   BENCH_VERIFY=0       skip `lantian reports verify` (~80 s on 1M issues)
#   BENCH_SINGLE         requests after the first for the trend and the map [5]
#   BENCH_MIGRATE_OLD=1  on a reused cluster without migration 0007: migrate it (timed) instead
#                        of generating the data again
#   BENCH_REPORT         also write the report to this file
#   BENCH_KEEP=1         keep the scratch directory (logs, captured SQL) and print it
# Requires: wrk, jq, curl, bc, perl, PostgreSQL 15 with PostGIS (pgbench, psql), a built lantian.
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
workers=${BENCH_WORKERS:-4}
nsites=${BENCH_SITES:-100000}
nissues=${BENCH_ISSUES:-1000000}
nsingle=${BENCH_SINGLE:-5}
parts=" ${BENCH_PARTS:-month year ranking handler single explain} "
has_part() { [[ $parts == *" $1 "* ]]; }

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v jq >/dev/null || die "jq is not installed"
command -v bc >/dev/null || die "bc is not installed"
command -v perl >/dev/null || die "perl is not installed"
[ -x "$pgbench" ] || die "no $pgbench"
[ -x "$bin_src" ] || die "no binary at $bin_src (build it: cmake --build build --target lantian)"

work=$(mktemp -d /tmp/lantian-reportsbench.XXXXXX)
chmod 755 "$work"
bin=$work/lantian
cp "$bin_src" "$bin"
if [ -n "${BENCH_LEDGER_DIR:-}" ]; then
  mkdir -p "$BENCH_LEDGER_DIR"
  datadir=$(cd "$BENCH_LEDGER_DIR" && pwd)/pg
else
  datadir=$work/pg
fi
logging_on=0

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$bg_pid"
  stop_server
  if [ "$logging_on" = 1 ]; then
    psql_ -c 'alter system reset log_min_duration_statement' -c 'select pg_reload_conf()' \
      >/dev/null 2>&1 || true
  fi
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
secs_since() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }

# 1. Database --------------------------------------------------------------------------------
bench_db_up "$datadir"
marker=$(_pg_realdir "$datadir")/ledger_gen.done
gen_secs=''
migrate_report=''
if [ -f "$marker" ] && [ "$(psql_ -tA -c "select to_regclass('report_daily') is null")" = t ]; then
  if [ "${BENCH_MIGRATE_OLD:-0}" = 1 ]; then
    # Migration 0007 backfills issues.first_assigned_at with a subquery per issue on
    # issue_assignments.issue_id, which only a partial index covers: hours on 1M issues.
    say "the cluster predates migration 0007: lantian migrate (timed; may take hours, see 0007)"
    bg_sample migrate-old
    t0=$(date +%s.%N)
    "$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
    migrate_report="lantian migrate on the reused cluster (0007 and its backfill): $(secs_since "$t0") s (bg $BG%)"
  else
    say "the cluster in $datadir predates migration 0007: generating the data again"
    rm -f "$marker"
    pg_psql "$pg_port_" postgres -c 'drop database lantian_bench' >/dev/null
    pg_create_db "$pg_port_" lantian_bench >/dev/null
  fi
fi
if [ -f "$marker" ] && [ -f "$(dirname "$marker")/credentials.txt" ]; then
  say "reusing the generated ledger in $datadir ($(cat "$marker"))"
  cp "$(dirname "$marker")/credentials.txt" "$work/credentials.txt"
  "$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
  # Back to the generated data: drop what ledger_bench.sh runs created (bench_lib.sh).
  gen_max=$(sed -n 's/.* max_id=\([0-9]*\).*/\1/p' "$marker")
  [ -n "$gen_max" ] || die "no max_id in $marker; delete $BENCH_LEDGER_DIR to generate again"
  ledger_reset "$gen_max"
  gen_report="reused: $(cat "$marker"); removed $LEDGER_REMOVED issues created by earlier runs"
  dispatched=$(psql_ -tA -c 'select count(*) from dispatch_runs')
  if [ "$dispatched" != 0 ]; then
    gen_report="$gen_report; NOTE: $dispatched daily dispatch run(s) changed it since (not undone)"
  fi
else
  say "PostgreSQL on 127.0.0.1:$pg_port_; migrate, seed-demo, ledger_gen ($nsites sites, $nissues issues)"
  bench_migrate_seed
  bg_sample gen
  gen_bg=$BG
  t0=$(date +%s.%N)
  ledger_generate "$nsites" "$nissues" 0
  gen_secs=$(printf '%.0f' "$(echo "$(date +%s.%N) - $t0" | bc)")
  gen_report=$(grep -E '^([0-9]+b?\.|ledger_gen:)' "$work/ledger_gen.log")
  echo "sites=$nsites issues=$nissues events=0 max_id=$(psql_ -tA -c 'select max(id) from issues') generated $(date -u +%FT%TZ) in ${gen_secs}s" >"$marker.tmp"
  cp "$work/credentials.txt" "$(dirname "$marker")/credentials.txt"
  mv "$marker.tmp" "$marker"
fi
verify_report='not run (BENCH_VERIFY=0)'
if [ "${BENCH_VERIFY:-1}" != 0 ]; then
  say "lantian reports verify"
  bg_sample verify
  t0=$(date +%s.%N)
  if "$bin" reports verify >"$work/verify.log" 2>&1; then
    verify_report="passed in $(secs_since "$t0") s (bg $BG%)"
  else
    verify_report="FAILED ($(tr '\n' ' ' <"$work/verify.log")) after $(secs_since "$t0") s"
    [ -z "$gen_secs" ] || die "lantian reports verify fails on freshly generated data: $verify_report"
    # A reused cluster that something changed without the triggers: recompute, as the operator would.
    t0=$(date +%s.%N)
    "$bin" reports rebuild >>"$work/verify.log" 2>&1 || { cat "$work/verify.log" >&2; die "rebuild failed"; }
    verify_report="$verify_report; rebuilt in $(secs_since "$t0") s"
    "$bin" reports verify >>"$work/verify.log" 2>&1 || die "verify fails after a rebuild"
    psql_ -q -c 'vacuum (analyze) report_daily'
  fi
fi

zone=$(psql_ -tA -c 'select time_zone from district_settings')
counts=$(psql_ -tA -F ' ' -c "
  select (select count(*) from issues), (select count(*) from issue_assignments),
         (select count(*) from report_daily),
         replace(pg_size_pretty(pg_total_relation_size('report_daily')), ' ', ''),
         (select count(*) from report_daily_unit),
         replace(pg_size_pretty(pg_total_relation_size('report_daily_unit')), ' ', ''),
         replace(pg_size_pretty(pg_total_relation_size('issues')), ' ', ''),
         (select count(*) from issue_assignments a
          where tstzrange(a.due_at, greatest(a.due_at, coalesce(a.submitted_at, a.ended_at, 'infinity')),
                          '()') @> now()),
         (select count(*) from escalations)")

# 2. Periods -----------------------------------------------------------------------------------
# One line per period: from to as_of start end (timestamptz in ISO 8601, no spaces; as the
# service computes and binds them).
periods_sql="
  with b as (
    select date_trunc('month', min(reported_at) at time zone :'zone') + interval '1 month' as m0,
           date_trunc('month', now() at time zone :'zone') as m1
    from issues),
  p as (
    select 'month' as kind, m::date as f, (m + interval '1 month' - interval '1 day')::date as t
    from b, generate_series(b.m0, b.m1, interval '1 month') m
    union all
    select 'year', m::date, (m + interval '12 months' - interval '1 day')::date
    from b, generate_series(b.m0, b.m1 - interval '11 months', interval '1 month') m)
  select kind, f, t,
         to_json(least((t + 1)::timestamp at time zone :'zone', now())) #>> '{}',
         to_json(f::timestamp at time zone :'zone') #>> '{}',
         to_json((t + 1)::timestamp at time zone :'zone') #>> '{}'
  from p order by kind, f"
psql_ -tA -F ' ' -v zone="$zone" >"$work/periods.txt" <<<"$periods_sql"
# wrk's list (from:to,…) and pgbench's arrays of one kind of period.
period_args() {  # KIND → sets P_N P_LUA P_FROMS P_TOS P_ASOFS P_STARTS P_ENDS
  P_N=$(awk -v k="$1" '$1 == k' "$work/periods.txt" | wc -l)
  [ "$P_N" -gt 0 ] || die "no $1 periods in the data"
  P_LUA=$(awk -v k="$1" '$1 == k { printf "%s%s:%s", n++ ? "," : "", $2, $3 }' "$work/periods.txt")
  local col
  for col in 2:P_FROMS 3:P_TOS 4:P_ASOFS 5:P_STARTS 6:P_ENDS; do
    printf -v "${col#*:}" '{%s}' "$(awk -v k="$1" -v c="${col%%:*}" \
      '$1 == k { printf "%s%s", n++ ? "," : "", $c }' "$work/periods.txt")"
  done
}
period_args month
n_months=$P_N
first_month=$(awk '$1 == "month" { print $2; exit }' "$work/periods.txt")
last_month=$(awk '$1 == "month" { m = $2 } END { print m }' "$work/periods.txt")
period_args year
n_years=$P_N
# For the plans and the captured statements: a month in the middle of the data.
read -r _ mid_from mid_to mid_asof mid_start _ < <(awk '$1 == "month"' "$work/periods.txt" | sed -n "$((n_months / 2 + 1))p")
read -r _ year_from year_to _ < <(awk '$1 == "year"' "$work/periods.txt" | sed -n "$((n_years / 2 + 1))p")
today=$(TZ=$zone date +%F)
trend_from=$(date -d "$today -29 days" +%F)

# 3. Server, and the statements it sends --------------------------------------------------------
start_server main LANTIAN_WORKERS="$workers"
t_office=$(sign_in huanweiban) || die "sign-in as huanweiban failed"
t_handler=$(sign_in jiaoxi) || die "sign-in as jiaoxi failed"
handler_unit=$(psql_ -tA -c "select unit_id from users where username = 'jiaoxi'")
api() {  # TOKEN PATH → body in $work/probe.json; prints the status
  curl -sS -o "$work/probe.json" -w '%{http_code}' -H "Authorization: Bearer $1" \
    "http://127.0.0.1:$server_port/api/v1/$2"
}
pglog=$(_pg_realdir "$datadir")/log
log_from=$(($(stat -c %s "$pglog") + 1))
psql_ -c 'alter system set log_min_duration_statement = 0' -c 'select pg_reload_conf()' >/dev/null
logging_on=1
sleep 1
declare -A rows=()
for probe in "month $t_office reports/summary?group_by=unit&from=$mid_from&to=$mid_to" \
  "handler $t_handler reports/summary?group_by=unit&from=$mid_from&to=$mid_to" \
  "ranking $t_office reports/ranking?from=$mid_from&to=$mid_to"; do
  read -r what token path <<<"$probe"
  code=$(api "$token" "$path")
  [ "$code" = 200 ] || { cat "$work/probe.json" >&2; die "GET /api/v1/$path answered $code"; }
  rows[$what]=$(jq '.rows | length' "$work/probe.json")
done
psql_ -c 'alter system reset log_min_duration_statement' -c 'select pg_reload_conf()' >/dev/null
logging_on=0
tail -c +"$log_from" "$pglog" >"$work/statements.log"
# The texts the service executed (whitespace folded) and the values it bound to each, beside
# the texts the pgbench scripts PREPARE; every PREPAREd text must be one the service ran.
sql_check=$(perl -e '
  my ($log, @scripts) = @ARGV;
  local $/; open my $fh, "<", $log or die; my $t = <$fh>;
  my (%svc, %params, $last);
  for my $rec (split /\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] )/, $t) {
    if ($rec =~ /\bexecute (\S+): (.*)\z/s) {
      ($last = $2) =~ s/\s+/ /g; $last =~ s/^ | $//g; $svc{$last} = 1;
    } elsif (defined $last && $rec =~ /DETAIL:\s+parameters: (.*)\z/s) {
      $params{$last} //= $1; undef $last;
    }
  }
  my ($ok, $bad) = (0, 0);
  for my $s (@scripts) {
    open my $sf, "<", $s or die; my $body = <$sf>;
    while ($body =~ /^prepare (\w+) as\n(.*?);\n/msg) {
      my ($name, $q) = ($1, $2); $q =~ s/\s+/ /g; $q =~ s/^ | $//g;
      (my $short = $s) =~ s{.*/}{};
      if ($svc{$q}) { $ok++; print "  $short $name: the service ran it with $params{$q}\n"; }
      else { $bad++; print "  $short $name: NOT among the statements the service ran\n"; }
    }
  }
  print "  => $ok PREPAREd texts found as the service sends them, $bad not\n";
' "$work/statements.log" "$here/pg_report_summary.sql" "$here/pg_report_ranking.sql")
grep -q ', 0 not$' <<<"$sql_check" ||
  say "WARNING: the pgbench scripts' SQL differs from the service's (see the report)"

declare -A svc=() pgb=() stm=()
# pgbench's average per EXECUTEd statement (-r), as "name ms name ms …".
per_statement() {
  awk '/^statement latencies/ { on = 1; next }
       on && /execute lt_/ && $1 + 0 > 0 { n = $0; sub(/.*execute /, "", n); sub(/\(.*/, "", n);
                             sub(/^lt_/, "", n); printf "%s %s  ", n, $1 }
       on && / (begin|commit);$/ { n = $NF; sub(/;/, "", n); printf "%s %s  ", n, $1 }' \
    "$work/pgbench-$1.out"
}
measure() {  # KEY TOKEN LUA-MODE LUA-PERIODS GROUP PGB-SCRIPT
  local key=$1 token=$2 mode=$3 periods=$4 group=$5 script=$6
  # shellcheck disable=SC2086  # no group: no argument
  wrk_run "$key-warm" "$conns" "$warmup" reports.lua "$mode" "$token" "$periods" $group
  # shellcheck disable=SC2086
  wrk_run "$key" "$conns" "$duration" reports.lua "$mode" "$token" "$periods" $group
  svc[$key]="$W_RPS $W_P50 $W_P99 $W_N $W_ERR $W_NON2XX $C_SRV $C_PG $C_WRK $C_REST $C_IDLE $CPU_US $BG"
  pgbench_run "$key" simple "$conns" "$script"
  pgb[$key]="$B_TPS $B_LAT $B_P50 $B_P99 $B_BG"
  stm[$key]=$(per_statement "$key")
}

# 4. Measured runs ---------------------------------------------------------------------------
if has_part month; then
  say "month: summary by unit, $n_months months at random, $conns connections (office), then pgbench"
  period_args month
  PGB_FLAGS="-r -D prepared=0 -D nperiods=$P_N -D froms=$P_FROMS -D tos=$P_TOS -D asofs=$P_ASOFS -D starts=$P_STARTS -D scope_unit=null -D scoped=0"
  measure month "$t_office" summary "$P_LUA" unit pg_report_summary.sql
fi
if has_part year; then
  say "year: summary by unit, $n_years 12-month windows at random, $conns connections (office), then pgbench"
  period_args year
  PGB_FLAGS="-r -D prepared=0 -D nperiods=$P_N -D froms=$P_FROMS -D tos=$P_TOS -D asofs=$P_ASOFS -D starts=$P_STARTS -D scope_unit=null -D scoped=0"
  measure year "$t_office" summary "$P_LUA" unit pg_report_summary.sql
fi
if has_part ranking; then
  say "ranking: $n_months months at random, $conns connections, then pgbench"
  period_args month
  PGB_FLAGS="-r -D prepared=0 -D nperiods=$P_N -D froms=$P_FROMS -D tos=$P_TOS -D asofs=$P_ASOFS -D starts=$P_STARTS -D ends=$P_ENDS"
  measure ranking "$t_office" ranking "$P_LUA" '' pg_report_ranking.sql
fi
if has_part handler; then
  say "handler: month summary by unit as jiaoxi (unit $handler_unit), $conns connections, then pgbench"
  period_args month
  PGB_FLAGS="-r -D prepared=0 -D nperiods=$P_N -D froms=$P_FROMS -D tos=$P_TOS -D asofs=$P_ASOFS -D starts=$P_STARTS -D scope_unit=$handler_unit -D scoped=1"
  measure handler "$t_handler" summary "$P_LUA" unit pg_report_summary.sql
fi

# 5. The dashboard's trend and map, one client --------------------------------------------------
declare -A single=()
time_one() {  # KEY PATH: the first request, then the median and max of nsingle more (ms)
  local key=$1 path=$2 i code first t all=()
  bg_sample "single-$key"
  for ((i = 0; i <= nsingle; i++)); do
    read -r code t < <(curl -sS -o "$work/single-$key.json" -w '%{http_code} %{time_total}\n' \
      -H "Authorization: Bearer $t_office" "http://127.0.0.1:$server_port/api/v1/$path")
    [ "$code" = 200 ] || { cat "$work/single-$key.json" >&2; die "GET /api/v1/$path answered $code"; }
    t=$(echo "$t * 1000" | bc)
    if [ "$i" = 0 ]; then first=$t; else all+=("$t"); fi
  done
  single[$key]="$first $(printf '%s\n' "${all[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[NR] }') $(stat -c %s "$work/single-$key.json") $BG"
}
if has_part single; then
  say "trend (summary by day, $trend_from..$today) and map, one client"
  time_one trend "reports/summary?group_by=day&from=$trend_from&to=$today"
  trend_rows=$(jq '.rows | length' "$work/single-trend.json")
  time_one map reports/map
  map_info=$(jq -r '"\(.subdistricts.features | length) areas, \(.issues | length) points, truncated \(.truncated)"' "$work/single-map.json")
fi
stop_server

# 6. Plans -------------------------------------------------------------------------------------
prepared_text() {  # SCRIPT NAME: the PREPARE statement of NAME in a pgbench script
  perl -0ne 'print "$1;\n" if /^(prepare '"$2"' as\n.*?);\n/ms' "$here/$1"
}
explain() {  # MODE NAME ARGS
  PGOPTIONS='-c max_parallel_workers_per_gather=0' psql_ <<SQL 2>&1 | grep -v '^SET$\|^PREPARE$\|^$' || true
set plan_cache_mode = $1;
$(prepared_text pg_report_summary.sql "$2")
explain (analyze, buffers, costs off) execute $2($3);
SQL
}
if has_part explain; then
  say "plans"
  for mode in force_custom_plan force_generic_plan; do
    explain "$mode" lt_aggregates_unit "'$mid_from', '$mid_to'" >"$work/plan-month-$mode.txt"
    explain "$mode" lt_aggregates_unit "'$year_from', '$year_to'" >"$work/plan-year-$mode.txt"
    explain "$mode" lt_overdue_unit "'$mid_asof', null, '$mid_start'" >"$work/plan-overdue-$mode.txt"
    explain "$mode" lt_facts_unit "'$mid_from', '$mid_to', $handler_unit" >"$work/plan-handler-$mode.txt"
  done
fi

# 7. Report ----------------------------------------------------------------------------------
report() {
read -r n_issues n_assign n_daily daily_size n_unit unit_size issues_size n_overdue_now n_esc <<<"$counts"
echo "Lantian reports benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $ncpu cores ($(uname -m))"
echo "binary: $bin_src ($(stat -c %y "$bin_src" | cut -d. -f1)); LANTIAN_WORKERS=$workers;" \
  "wrk ${duration}s after ${warmup}s warm-up; pgbench -n -T$duration -j2 over TCP, PREPARE/EXECUTE"
echo "data: $n_issues issues ($issues_size with indexes), $n_assign assignments ($n_overdue_now overdue now)," \
  "$n_esc escalations; report_daily $n_daily rows ($daily_size with indexes);" \
  "report_daily_unit $n_unit rows ($unit_size); district zone $zone"
if [ -n "$gen_secs" ]; then
  echo "ledger_gen.sql took ${gen_secs} s (bg $gen_bg% before):"
  sed 's/^/  /' <<<"$gen_report"
else
  echo "ledger_gen: $gen_report"
fi
[ -z "$migrate_report" ] || echo "$migrate_report"
echo "lantian reports verify: $verify_report"
echo "periods: $n_months months ($first_month … $last_month), $n_years 12-month windows of them;" \
  "rows per response: month ${rows[month]}, handler ${rows[handler]}, ranking ${rows[ranking]}"
echo "bg% = background load before the run (busy % of all cores while this benchmark was idle);"
echo "cpu µs/req = server + PostgreSQL CPU per request; pgbench runs the request's transaction"
echo "(BEGIN, the statements, COMMIT) without the auth step (one session lookup per request)"
echo
echo "SQL of the pgbench scripts vs the statements the service ran (PostgreSQL's log):"
echo "$sql_check"

echo
echo "Reports at $conns connections vs pgbench on the same transaction (aim: month p99 < 50 ms)"
printf '%-34s %9s %8s %8s %6s %5s %5s %6s %10s %4s %8s %8s %8s %4s %7s\n' request 'svc req/s' \
  'p50 ms' 'p99 ms' non2xx 'srv%' 'pg%' 'rest%' 'cpu µs/req' 'bg%' 'pgb tps' 'pgb p50' \
  'pgb p99' 'bg%' 'svc/pgb'
local key name
for key in month year ranking handler; do
  [ -n "${svc[$key]:-}" ] || continue
  case $key in
    month) name="summary by unit, a month (office)" ;;
    year) name="summary by unit, 12 months (office)" ;;
    ranking) name="ranking, a month" ;;
    handler) name="summary by unit, a month (handler)" ;;
  esac
  read -r r p50 p99 _ err non2xx cs cp _ cr _ cu bg <<<"${svc[$key]}"
  read -r t _ bp50 bp99 pbg <<<"${pgb[$key]}"
  printf '%-34s %9.0f %8.2f %8.2f %6s %5s %5s %6s %10s %4s %8.0f %8.2f %8.2f %4s %7s%s\n' \
    "$name" "$r" "$p50" "$p99" "$non2xx" "$cs" "$cp" "$cr" "$cu" "$bg" "$t" "$bp50" "$bp99" \
    "$pbg" "$(ratio "$r" "$t")" "$([ "$err" = 0 ] || echo "  (socket errors $err)")"
done
if [ -n "${svc[month]:-}" ]; then
  read -r _ _ p99 _ <<<"${svc[month]}"
  if [ "$(echo "$p99 < 50" | bc)" = 1 ]; then aim='under the 50 ms aim'; else aim='OVER the 50 ms aim'; fi
  echo "  month p99 $p99 ms: $aim"
fi
echo "pgbench's average per statement (ms, -r; BEGIN/COMMIT and the client's wait not included):"
for key in month year ranking handler; do
  [ -n "${stm[$key]:-}" ] && printf '  %-8s %s\n' "$key" "${stm[$key]}"
done

if [ -n "${single[trend]:-}" ]; then
  echo
  echo "Dashboard, one client: first request, then median and max of $nsingle more (ms)"
  read -r f m x size bg <<<"${single[trend]}"
  printf '  trend: summary?group_by=day %s..%s (%s rows, %s bytes): first %.1f, median %.1f, max %.1f (bg %s%%)\n' \
    "$trend_from" "$today" "$trend_rows" "$size" "$f" "$m" "$x" "$bg"
  read -r f m x size bg <<<"${single[map]}"
  printf '  map: reports/map (%s; %s bytes): first %.1f, median %.1f, max %.1f (bg %s%%)\n' \
    "$map_info" "$size" "$f" "$m" "$x" "$bg"
fi

if has_part explain; then
  echo
  echo "Plans (serial; office: no unit): the aggregate for $mid_from..$mid_to and for $year_from..$year_to,"
  echo "the overdue-at-end count at the end of $mid_to; the handler's (unit $handler_unit) facts for $mid_from..$mid_to"
  local f
  for f in month year overdue handler; do
    for mode in force_custom_plan force_generic_plan; do
      echo
      echo "--- $f, $mode"
      sed 's/^/  /' "$work/plan-$f-$mode.txt"
    done
  done
fi
}
if [ -n "${BENCH_REPORT:-}" ]; then
  echo
  report | tee "$BENCH_REPORT"
else
  echo
  report
fi
