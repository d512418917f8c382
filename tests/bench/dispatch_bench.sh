#!/usr/bin/env bash
# Daily dispatch benchmark on a city's worth of data: one `lantian dispatch` run beside the time
# PostgreSQL takes for the same set-based SQL run directly with psql. Not part of CI; prints a
# table and leaves nothing running.
#
#   tests/bench/dispatch_bench.sh        from any directory; ~5 minutes with the defaults, half
#                                        of it generating the data
#
# What it does:
#   1. a PostgreSQL 15 cluster (tests/support/pg.sh; default settings), `lantian migrate`,
#      `seed-demo`, then ledger_gen.sql (BENCH_SITES sites, BENCH_ISSUES issues: ~6 % assigned of
#      which ~10 % overdue, ~1 % confirmed; see that file) and `lantian reports rebuild`. With
#      BENCH_DISPATCH_DIR the cluster lives there and keeps a pristine copy of the generated data
#      (database lantian_gen) that later runs start from instead of generating again;
#   2. the day D: the district (Asia/Shanghai) day of the latest time in the generated data
#      (the day it was generated); now = D 08:00+08:00;
#   3. the steady state of a district that runs the dispatch every morning: the run for D-1
#      (`lantian dispatch --date D-1 --now D-1T08:00:00+08:00`) assigns the generator's confirmed
#      issues and escalates every issue overdue by then, all at once. It is timed and reported
#      too: the worst case, a first run over a ledger nobody dispatched before;
#   4. the day's new issues: BENCH_NEW [2000] confirmed issues received between D-1 08:00 and
#      D 07:00 (one INSERT; site, category, severity, source and reporter copied from random
#      generated issues, so they follow the generator's distributions); VACUUM ANALYZE. That is
#      lantian_bench, the state before the day's run; every measured run gets its own copy
#      (CREATE DATABASE … TEMPLATE lantian_bench);
#   5. BENCH_REPS [3] times, alternating which goes first:
#      (a) `lantian dispatch --date D --now D 08:00+08:00` on a copy: the wall time of the
#          process and, from the server log (log_min_duration_statement = 0 and
#          log_statement_stats = on for the copies only), the transaction (end of BEGIN to end
#          of COMMIT), each statement's execution and the backend's CPU time;
#      (b) on another copy, psql with \timing runs the statements the service runs, in the same
#          order inside BEGIN … COMMIT: kClaimDay, kLockConfirmed, kLockCandidates,
#          kAssignConfirmed (the locked ids as $2) and its events (system_events.cpp kAppend),
#          kRaiseEscalations ($1 now, $2 day, $3 the locked ids) and its events (kAppend),
#          kBulletin, kCompleteRun and kFind (read from services/dispatch/*.cpp at run time, $n
#          replaced by literals; results round-trip through psql variables as they do through
#          the service); the same log figures. The bulletin's ranking is computed in C++
#          (bulletin_ranking.cpp), so psql stores the bulletin without it;
#      asserted each time: both assigned and escalated the same issues and froze the same
#      bulletin (compared without the ranking and the units' on_time_rate, which only the service
#      adds); the first time also: assigned = the confirmed count before the run, none left
#      confirmed, one open assignment and one audit event per assigned issue, escalations as the
#      run row counts; then a second run for D prints "already ran", changes nothing, timed;
#   6. on one more copy, EXPLAIN (ANALYZE, BUFFERS) of the three stages (then ROLLBACK; the
#      assignment and the escalation each with its kAppend of the events, the statement the audit
#      chain trigger fires in): their execution and audit-chain trigger times in the table, the plans with BENCH_PLANS=1;
#   7. prints the table (every run, the medians) and the ratio. Aim (issue 5): the run within 2x
#      of the SQL and under 10 s.
#   Every psql session and the service's own connections plan serially
#   (max_parallel_workers_per_gather = 0, set by db/pool.cpp) in TimeZone Asia/Shanghai.
#   Before each measured run the machine's background load is sampled (bg%; bench_lib.sh waits
#   up to BENCH_QUIET_WAIT s for it to fall under BENCH_QUIET_MAX %); the backend's CPU time is
#   printed beside the transaction's (cpu/txn well under 1 = it waited for a core or the disk).
#
# Environment (defaults in brackets):
#   LANTIAN_BIN          binary to test [<repo>/build/lantian]; copied first
#   BENCH_SITES [100000] BENCH_ISSUES [1000000]   passed to ledger_gen.sql
#   BENCH_NEW            the day's new confirmed issues [2000]
#   BENCH_REPS           measured runs of each [3]
#   BENCH_DISPATCH_DIR   keep the cluster (and the generated data) there and reuse it
#   BENCH_PLANS=1        print the EXPLAIN ANALYZE plans of the three stages
#   BENCH_KEEP=1         keep the scratch directory (logs, plans, the SQL run by psql)
# Requires: bc, perl, PostgreSQL 15 with PostGIS (psql), a built lantian.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/support/pg.sh
. "$repo/tests/support/pg.sh"
# shellcheck source=tests/bench/bench_lib.sh
. "$here/bench_lib.sh"

bin_src=${LANTIAN_BIN:-$repo/build/lantian}
nsites=${BENCH_SITES:-100000}
nissues=${BENCH_ISSUES:-1000000}
nnew=${BENCH_NEW:-2000}
zone=Asia/Shanghai
repo_cpp="$repo/services/dispatch/dispatch_run_repository.cpp $repo/services/dispatch/routing_rule_repository.cpp $repo/services/dispatch/escalation_repository.cpp $repo/services/dispatch/system_events.cpp"

command -v perl >/dev/null || die "perl is not installed"
command -v bc >/dev/null || die "bc is not installed"
[ -x "$bin_src" ] || die "no binary at $bin_src (build it: cmake --build build --target lantian)"

work=$(mktemp -d /tmp/lantian-dispatchbench.XXXXXX)
chmod 755 "$work"
bin=$work/lantian
cp "$bin_src" "$bin"
bin_time=$(stat -c %y "$bin_src" | cut -d. -f1)
if [ -n "${BENCH_DISPATCH_DIR:-}" ]; then
  mkdir -p "$BENCH_DISPATCH_DIR"
  datadir=$(cd "$BENCH_DISPATCH_DIR" && pwd)/pg
else
  datadir=$work/pg
fi

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${pg_port_:-}" ] && pg_is_running "$datadir"; then
    # Leave the kept cluster as the next run expects it: the pristine data and nothing else.
    for d in lantian_svc lantian_sql lantian_explain; do
      pg_psql "$pg_port_" postgres -c "drop database if exists $d" >/dev/null 2>&1 || true
    done
    pg_psql "$pg_port_" postgres -c "alter database lantian_bench reset all" >/dev/null 2>&1 || true
  fi
  if [ -n "${BENCH_DISPATCH_DIR:-}" ]; then
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

# Sessions as the service's: serial plans, district time zone.
export PGOPTIONS="-c max_parallel_workers_per_gather=0 -c TimeZone=$zone"
psql_() { pg_psql "$pg_port_" lantian_bench "$@"; }
psql_db() { local db=$1; shift; pg_psql "$pg_port_" "$db" "$@"; }
now_s() { date +%s.%N; }
secs() { printf '%.3f' "$(echo "$2 - $1" | bc)"; }

# 1. Database --------------------------------------------------------------------------------------
bench_db_up "$datadir"
realdir=$(_pg_realdir "$datadir")
marker=$realdir/dispatch_gen.done
if [ -f "$marker" ] && [ -f "$realdir/credentials.txt" ]; then
  say "reusing the generated data in $datadir ($(cat "$marker"))"
  for d in lantian_bench lantian_svc lantian_sql lantian_explain; do
    psql_db postgres -c "drop database if exists $d" >/dev/null 2>&1
  done
  psql_db postgres -c "create database lantian_bench template lantian_gen strategy file_copy" >/dev/null
  cp "$realdir/credentials.txt" "$work/credentials.txt"
  "$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
  gen_report="reused: $(cat "$marker")"
else
  say "PostgreSQL on 127.0.0.1:$pg_port_; migrate, seed-demo, ledger_gen ($nsites sites, $nissues issues)"
  bench_migrate_seed
  t0=$(now_s)
  ledger_generate "$nsites" "$nissues" 0
  gen_secs=$(printf '%.0f' "$(echo "$(now_s) - $t0" | bc)")
  gen_end=$(psql_ -tA -c "select greatest(max(received_at), max(updated_at), max(closed_at))::text from issues")
  gen_report="ledger_gen.sql ($nsites sites, $nissues issues) took ${gen_secs} s; latest time in the data $gen_end"
  if [ -n "${BENCH_DISPATCH_DIR:-}" ]; then
    psql_db postgres -c "create database lantian_gen template lantian_bench strategy file_copy" >/dev/null
    cp "$work/credentials.txt" "$realdir/credentials.txt"
    echo "$gen_report; generated $(date -u +%FT%TZ)" >"$marker"
  fi
fi

# 2. The day -------------------------------------------------------------------------------------------
# The district day of the latest time in the generated data ("today" when it was generated).
# Its 08:00 may lie before some generated times (up to 16 hours of them): the run sees ~10 % of
# the assigned issues overdue, as generated; a later day would see every generated deadline that
# fell since as newly overdue (the generator sets deadlines relative to the time it ran).
read -r day prev_day <<<"$(psql_ -tA -F ' ' -c "
  with l as (select greatest(max(received_at), max(updated_at), max(closed_at)) as t from issues)
  select (t at time zone '$zone')::date::text, ((t at time zone '$zone')::date - 1)::text from l")"
now_iso="${day}T08:00:00+08:00"
prev_now_iso="${prev_day}T08:00:00+08:00"
now_ts="'$now_iso'"  # the statements cast it: $n::timestamptz

# 3. Measuring helpers --------------------------------------------------------------------------------
pglog=$realdir/log
log_on() {  # DB: log every statement of DB with its duration and the backend's CPU (new sessions)
  psql_db postgres -q >/dev/null <<SQL
alter database $1 set log_min_duration_statement = 0;
alter database $1 set log_parameter_max_length = 0;
alter database $1 set log_statement_stats = on;
SQL
}
copy_db() {  # NAME: a copy of lantian_bench (the state before the day's run), logging
  psql_db postgres -c "set client_min_messages = warning" -c "drop database if exists $1" \
    -c "create database $1 template lantian_bench strategy file_copy" >/dev/null
  log_on "$1"
}
# The server log between two offsets, statement by statement, as
#   S|<time>|<pid>|<ms>|<parse/bind/execute/statement>|<first line of the SQL>
#   C|<pid>|<the backend's CPU seconds so far (user + system)>   (after each statement's S)
log_rows() {  # FROM_OFFSET OUT
  tail -c +"$(($1 + 1))" "$pglog" | awk '
    /^[0-9]+-[0-9]+-[0-9]+ [0-9:.]+ [A-Za-z0-9+-]+ \[[0-9]+\] / {
      pending = ""; stats = ""
      pid = $4; gsub(/[\[\]]/, "", pid)
      if ($5 == "LOG:" && $6 == "duration:") {
        kind = $9; sub(/:$/, "", kind); rest = $0; sub(/^.* ms  [a-z]+( [^ ]+)?: ?/, "", rest); gsub(/^[ \t]+/, "", rest)
        head_ = "S|" $1 " " $2 " " $3 "|" pid "|" $7 "|" kind "|"
        if (rest != "") print head_ rest; else pending = head_
      } else if ($5 == "DETAIL:" && $0 ~ /system usage stats/) stats = pid
      next
    }
    pending != "" && NF > 0 { line = $0; gsub(/^[ \t]+/, "", line); print pending line; pending = ""; next }
    stats != "" && /s system total\]/ {
      line = $0; gsub(/[\[\]!\t]/, " ", line); split(line, f, " ")
      printf "C|%s|%.6f\n", stats, f[1] + f[4]; stats = ""
    }' >"$2"
}
# From log rows: the transaction that claimed the day. Sets L_TXN L_CPU (s) and L_MS[stage] (ms):
# claim assign escalate bulletin complete find (server-side execution of each statement).
declare -A L_MS=()
log_txn() {  # ROWS_FILE
  local rows=$1 pid out
  pid=$(awk -F'|' '$1 == "S" && ($5 == "execute" || $5 == "statement") && tolower($6) ~ /^insert into dispatch_runs/ { print $3; exit }' "$rows")
  [ -n "$pid" ] || { tail -n 20 "$rows" >&2; die "no dispatch transaction in the server log"; }
  out=$(awk -F'|' -v p="$pid" '
    function epoch(ts,   d, t) {  # "YYYY-MM-DD HH:MM:SS.mmm TZ": seconds into the day
      split(ts, d, " "); split(d[2], t, ":")
      return t[1] * 3600 + t[2] * 60 + t[3]
    }
    $1 == "S" && $3 != p { next }
    $1 == "C" && $2 != p { next }
    $1 == "S" { cur = tolower($6); kind = $5 }
    $1 == "S" && cur ~ /^begin/ && !done { t0 = epoch($2); c0 = -1; inside = 1; nwith = 0; nlock = 0; nev = 0; delete ms; next }
    $1 == "C" && inside && c0 < 0 { c0 = $3; next }
    $1 == "S" && inside && (kind == "execute" || kind == "statement") {
      st = ""
      if (cur ~ /^insert into dispatch_runs/) st = "claim"
      else if (cur ~ /^select coalesce\(array_to_string\(array_agg\(/) st = (nlock++ == 0) ? "assign" : "escalate"
      else if (cur ~ /^with now_ts as/) st = (nwith++ == 0) ? "assign" : "escalate"
      else if (cur ~ /^insert into issue_events/) st = (nev++ == 0) ? "assign" : "escalate"
      else if (cur ~ /^with params as/) st = "bulletin"
      else if (cur ~ /^update dispatch_runs set assigned_count/) st = "complete"
      else if (cur ~ /^select day::text/) st = "find"
      else if (cur ~ /^commit/) { t1 = epoch($2); done = 1; inside = 0; want_c = 1 }
      if (st != "") ms[st] += $4
      next
    }
    $1 == "C" && want_c { c1 = $3; want_c = 0 }
    END {
      if (t1 < t0) t1 += 86400  # past midnight
      printf "%.3f %.3f", t1 - t0, c1 - c0
      n = split("claim assign escalate bulletin complete find", k, " ")
      for (i = 1; i <= n; i++) printf " %s=%.3f", k[i], ms[k[i]] + 0
      print ""
    }' "$rows")
  read -r L_TXN L_CPU rest_ <<<"$out"
  L_MS=()
  local kv
  for kv in $rest_; do L_MS[${kv%%=*}]=${kv#*=}; done
}
sum_ms() { local t=0 v; for v in "$@"; do t=$(echo "$t + ${v:-0}" | bc); done; echo "$t"; }
ms_s() { printf '%.3f' "$(echo "${1:-0} / 1000" | bc -l)"; }

# The statements the service runs, with literals: for psql.
stmt() {  # NAME: the SQL text of a constant in the dispatch repositories
  local s
  # shellcheck disable=SC2086 # the list of files
  s=$(cat $repo_cpp | sed -n "/^constexpr const char\* $1 = R\"(/,/)\";\$/p" | sed '1d; $s/)";$//')
  [ -n "$s" ] || die "no $1 in $repo_cpp"
  printf '%s\n' "$s"
}
lit() {  # replace $1.. with the given literals
  perl -pe 'BEGIN { @v = @ARGV; @ARGV = () } s/\$(\d+)(?!\d)/$v[$1 - 1]/g' "$@"
}
rid="'cli:$day'"
# The locked ids as the service binds them (db::ToArrayLiteral): psql variables set by \set from
# the lock statements' results (\gset lc_ and lk_: the column is named coalesce).
stage_sql() {  # NAME
  case $1 in
    kClaimDay) stmt "$1" | lit "'$day'" "$now_ts" ;;
    kLockConfirmed) stmt "$1" ;;
    kLockCandidates) stmt "$1" | lit "$now_ts" ;;
    kAssignConfirmed) stmt "$1" | lit "$now_ts" ":'confirmed_ids'" ;;
    kRaiseEscalations) stmt "$1" | lit "$now_ts" "'$day'" ":'candidate_ids'" ;;
    kBulletin) stmt "$1" | lit "'$day'" "$now_ts" "'$zone'" ;;
    appendAssign) stmt kAppend | lit "$now_ts" "$rid" "'dispatch_assign'" ":'a_coalesce'" ;;
    appendEscalate) stmt kAppend | lit "$now_ts" "$rid" "'escalate'" ":'e_coalesce'" ;;
  esac
}
locks_sql() {  # the two lock statements and the variables the later stages read
  printf '%s\n' '\echo STAGE assign'
  stage_sql kLockConfirmed; printf '%s\n' '\gset lc_' '\set confirmed_ids {:lc_coalesce}'
  printf '%s\n' '\echo STAGE escalate'
  stage_sql kLockCandidates; printf '%s\n' '\gset lk_' '\set candidate_ids {:lk_coalesce}'
}
# \gset names the variables after the columns (coalesce, count, jsonb_build_object), prefixed;
# kAssignConfirmed's two columns are both named coalesce: a_coalesce holds the last, the changes
# (one {id, before} per assigned issue, in id order), from which kCompleteRun's ids come.
{
  printf '%s\n' '\set ON_ERROR_STOP 1' '\timing on' '\o /dev/null'
  printf '%s\n' '\echo STAGE begin' 'begin;' '\echo STAGE claim'
  stage_sql kClaimDay; echo ';'
  locks_sql
  printf '%s\n' '\echo STAGE assign'
  stage_sql kAssignConfirmed; printf '%s\n' '\gset a_'
  stage_sql appendAssign; echo ';'
  printf '%s\n' '\echo STAGE escalate'
  stage_sql kRaiseEscalations; printf '%s\n' '\gset e_'
  stage_sql appendEscalate; echo ';'
  printf '%s\n' '\echo STAGE bulletin'
  stage_sql kBulletin; printf '%s\n' '\gset b_'
  printf '%s\n' '\echo STAGE complete'
  # kCompleteRun with the values the client got back.
  stmt kCompleteRun | lit "'$day'" "jsonb_array_length(:'a_coalesce'::jsonb)" ":e_count" \
    "(select coalesce(array_agg((e ->> 'id')::bigint order by (e ->> 'id')::bigint), '{}') from jsonb_array_elements(:'a_coalesce'::jsonb) e)" \
    ":'b_jsonb_build_object'"
  echo ';'
  printf '%s\n' '\echo STAGE find'
  stmt kRunColumns | lit "null" "null::bigint"
  echo " where day = '$day'::date;"
  printf '%s\n' '\echo STAGE commit' 'commit;' '\echo STAGE end'
} >"$work/dispatch.sql"

checks=()
failed=0
check() {  # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then checks+=("ok    $what"); else checks+=("FAIL  $what"); failed=1; fi
}
run_row() {  # DB: what the day's run left: assigned count, escalations, md5 of the ids, of the bulletin
  psql_db "$1" -tA -F ' ' -c "
    select assigned_count, escalation_count, md5(array_to_string(assigned_ids, ',')),
           md5(((bulletin - 'ranking') || jsonb_build_object('units', coalesce(
               (select jsonb_agg(u - 'on_time_rate' order by n)
                from jsonb_array_elements(bulletin -> 'units') with ordinality x(u, n)),
               '[]'::jsonb)))::text)
    from dispatch_runs where day = '$day'"
}

# 4. The backlog run (yesterday) ----------------------------------------------------------------------
before_prev=$(psql_ -tA -F ' ' -c "
  select (select count(*) from issues where status = 'confirmed'),
         (select count(*) from issues where status = 'assigned' and due_at < timestamptz '$prev_now_iso')")
say "day $day (now $now_iso); first the run for $prev_day over the generated backlog ($before_prev: confirmed, overdue)"
log_on lantian_bench
bg_sample "backlog"
bg_backlog=$BG
off=$(stat -c %s "$pglog")
t0=$(now_s)
"$bin" dispatch --date "$prev_day" --now "$prev_now_iso" >"$work/dispatch-backlog.out" 2>&1 ||
  { cat "$work/dispatch-backlog.out" >&2; die "dispatch for $prev_day failed"; }
backlog_wall=$(secs "$t0" "$(now_s)")
backlog_out=$(tail -n1 "$work/dispatch-backlog.out")
sleep 0.3
log_rows "$off" "$work/log-backlog.txt"
log_txn "$work/log-backlog.txt"
backlog_row="$backlog_wall $L_TXN ${L_MS[assign]} ${L_MS[escalate]} ${L_MS[bulletin]} $(sum_ms "${L_MS[claim]}" "${L_MS[complete]}" "${L_MS[find]}") $L_CPU $bg_backlog"
psql_db postgres -c "alter database lantian_bench reset all" >/dev/null

# 5. The day's new confirmed issues ---------------------------------------------------------------------
psql_ -v n="$nnew" -v from="${prev_day} 08:00:00+08" -v to="${day} 07:00:00+08" >"$work/new.log" <<'SQL'
select setseed(0.0608);
select max(id) as maxid from issues \gset
insert into issues (client_id, site_id, subdistrict_id, site_kind, category, severity,
                    description, location, photo_ids, source, status, fixed_on_spot, reported_by,
                    reported_at, received_at, triaged_at, version, updated_at)
select gen_random_uuid(), s.site_id, s.subdistrict_id, s.site_kind, s.category, s.severity,
       '当日新问题（压测 ' || x.g || '）', s.location,
       array[encode(sha256(convert_to('day/' || x.g, 'UTF8')), 'hex')],
       s.source, 'confirmed', false, s.reported_by,
       x.t, x.t + interval '2 minutes', x.t + interval '3 minutes' + interval '55 minutes' * x.r,
       2, x.t + interval '3 minutes' + interval '55 minutes' * x.r
from (select g, :'from'::timestamptz + (:'to'::timestamptz - :'from'::timestamptz) * random() as t,
             random() as r, 1 + floor(random() * :maxid)::bigint as pick
      from generate_series(1, :n) as g) as x
join issues s on s.id = x.pick
order by x.t;
vacuum (analyze) issues;
vacuum (analyze) issue_assignments;
vacuum (analyze) issue_events;
vacuum (analyze) escalations;
vacuum (analyze) dispatch_runs;
vacuum (analyze) audit_chain_head;
SQL

facts() {  # DB: one line of the counts the run changes
  psql_db "$1" -tA -F ' ' -c "
    select (select count(*) from issues where status = 'confirmed'),
           (select count(*) from issues where status = 'assigned'),
           (select count(*) from issues where status = 'assigned' and due_at < timestamptz '$now_iso'),
           (select count(*) from issue_assignments), (select count(*) from escalations),
           (select count(*) from issue_events), (select coalesce(sum(version), 0) from issues),
           (select count(*) from dispatch_runs)"
}
read -r n_confirmed n_assigned n_overdue n_assign0 n_esc0 n_events0 _ _ <<<"$(facts lantian_bench)"
[ "$n_confirmed" -gt 0 ] || die "no confirmed issues to dispatch"
data_line=$(psql_ -tA -F ' ' -c "
  select (select count(*) from issues), (select count(*) from sites),
         replace(pg_size_pretty(pg_total_relation_size('issues')), ' ', ''),
         (select count(*) from issues where status = 'submitted' and return_count >= 2)")

# 6. The runs: (a) the service and (b) psql, each on its own copy, BENCH_REPS times --------------
# Alternating which goes first, so neither always finds the other's pages in the caches.
reps=${BENCH_REPS:-3}
declare -a svc_rows=() sql_rows=()
run_service() {  # DB REP: sets SV (a table row)
  local db=$1 off t0 wall
  bg_sample "service-$2"
  off=$(stat -c %s "$pglog")
  t0=$(now_s)
  LANTIAN_DATABASE_URL=$(pg_uri "$pg_port_" "$db") \
    "$bin" dispatch --date "$day" --now "$now_iso" >"$work/dispatch-$2.out" 2>&1 ||
    { cat "$work/dispatch-$2.out" >&2; die "dispatch for $day failed ($db)"; }
  wall=$(secs "$t0" "$(now_s)")
  sleep 0.3
  log_rows "$off" "$work/log-service-$2.txt"
  log_txn "$work/log-service-$2.txt"
  SV="$wall - $L_TXN ${L_MS[assign]} ${L_MS[escalate]} ${L_MS[bulletin]} $(sum_ms "${L_MS[claim]}" "${L_MS[complete]}" "${L_MS[find]}") $L_CPU $BG"
}
run_sql() {  # DB REP: sets SQ (a table row)
  local db=$1 off t0 wall st ms txn
  local -A t=()
  bg_sample "sql-$2"
  off=$(stat -c %s "$pglog")
  t0=$(now_s)
  psql_db "$db" -f "$work/dispatch.sql" >"$work/dispatch-sql-$2.out" 2>&1 ||
    { cat "$work/dispatch-sql-$2.out" >&2; die "the SQL run failed ($db)"; }
  wall=$(secs "$t0" "$(now_s)")
  sleep 0.3
  log_rows "$off" "$work/log-sql-$2.txt"
  log_txn "$work/log-sql-$2.txt"
  while read -r st ms; do t[$st]=$ms; done < <(awk '
    /^STAGE / { st = $2; next }
    /^Time: / { t[st] += $2 }
    END { for (s in t) printf "%s %.3f\n", s, t[s] }' "$work/dispatch-sql-$2.out")
  txn=$(sum_ms "${t[begin]}" "${t[claim]}" "${t[assign]}" "${t[escalate]}" "${t[bulletin]}" \
    "${t[complete]}" "${t[find]}" "${t[commit]}")
  SQ="$wall $(ms_s "$txn") $L_TXN ${t[assign]} ${t[escalate]} ${t[bulletin]} $(sum_ms "${t[begin]}" "${t[claim]}" "${t[complete]}" "${t[find]}" "${t[commit]}") $L_CPU $BG"
}

for ((r = 1; r <= reps; r++)); do
  say "run $r of $reps: copies, then (a) lantian dispatch --date $day and (b) psql, $( ((r % 2)) && echo 'service first' || echo 'psql first')"
  copy_db lantian_svc
  copy_db lantian_sql
  psql_db postgres -c checkpoint >/dev/null
  if ((r % 2)); then
    run_service lantian_svc "$r"; run_sql lantian_sql "$r"
  else
    run_sql lantian_sql "$r"; run_service lantian_svc "$r"
  fi
  svc_rows+=("$SV")
  sql_rows+=("$SQ")
  svc_out=$(tail -n1 "$work/dispatch-$r.out")
  read -r s_assigned s_esc s_ids s_bulletin <<<"$(run_row lantian_svc)"
  read -r q_assigned q_esc q_ids q_bulletin <<<"$(run_row lantian_sql)"
  check "run $r: psql assigned $q_assigned and escalated $q_esc, the same issues, counts and bulletin (md5, without the C++ ranking) as the service" \
    test "$q_assigned" = "$s_assigned" -a "$q_esc" = "$s_esc" -a "$q_ids" = "$s_ids" -a "$q_bulletin" = "$s_bulletin"
  if [ "$r" = 1 ]; then
    # The facts of the run, on the service's copy.
    read -r a_confirmed a_assigned _ a_assign a_esc a_events _ _ <<<"$(facts lantian_svc)"
    read -r r_assigned r_esc r_ids r_events_assign r_events_esc r_open_assign r_esc_day <<<"$(psql_db lantian_svc -tA -F ' ' -c "
      select r.assigned_count, r.escalation_count, cardinality(r.assigned_ids),
             (select count(*) from issue_events where request_id = 'cli:$day' and action = 'dispatch_assign'),
             (select count(*) from issue_events where request_id = 'cli:$day' and action = 'escalate'),
             (select count(*) from issue_assignments a where a.ended_at is null
                and a.assigned_at = timestamptz '$now_iso' and a.issue_id = any (r.assigned_ids)),
             (select count(*) from escalations where dispatch_day = r.day)
      from dispatch_runs r where r.day = '$day'")"
    check "assigned $r_assigned = the $n_confirmed confirmed before the run (CLI: \"$svc_out\")" \
      test "$r_assigned" = "$n_confirmed" -a "$r_ids" = "$n_confirmed"
    check "none left confirmed ($a_confirmed); assigned issues $n_assigned → $a_assigned (+$n_confirmed)" \
      test "$a_confirmed" = 0 -a "$a_assigned" = "$((n_assigned + n_confirmed))"
    check "one open assignment ($r_open_assign; +$((a_assign - n_assign0)) rows) and one dispatch_assign audit event ($r_events_assign) per assigned issue" \
      test "$r_open_assign" = "$n_confirmed" -a "$((a_assign - n_assign0))" = "$n_confirmed" -a "$r_events_assign" = "$n_confirmed"
    check "escalations: run row $r_esc = rows for the day $r_esc_day = +$((a_esc - n_esc0)); $r_events_esc escalate events; audit events +$((a_events - n_events0)) = assign + escalate" \
      test "$r_esc" = "$r_esc_day" -a "$r_esc" = "$((a_esc - n_esc0))" -a "$((a_events - n_events0))" = "$((r_events_assign + r_events_esc))"
    # The second run for the day: a no-op.
    state0=$(facts lantian_svc)
    bulletin0=$(psql_db lantian_svc -tA -c "select md5(bulletin::text) from dispatch_runs where day = '$day'")
    t0=$(now_s)
    LANTIAN_DATABASE_URL=$(pg_uri "$pg_port_" lantian_svc) \
      "$bin" dispatch --date "$day" --now "$now_iso" >"$work/dispatch-again.out" 2>&1 ||
      { cat "$work/dispatch-again.out" >&2; die "the second dispatch for $day failed"; }
    again_wall=$(secs "$t0" "$(now_s)")
    again_out=$(tail -n1 "$work/dispatch-again.out")
    state1=$(facts lantian_svc)
    bulletin1=$(psql_db lantian_svc -tA -c "select md5(bulletin::text) from dispatch_runs where day = '$day'")
    check "second run: \"$again_out\" in $again_wall s; nothing changed (counts, sum of versions, audit events, run row, bulletin)" \
      test "${again_out#already ran}" != "$again_out" -a "$state0" = "$state1" -a "$bulletin0" = "$bulletin1"
  fi
  psql_db postgres -c "drop database lantian_svc" -c "drop database lantian_sql" >/dev/null
done

# 7. Plans ------------------------------------------------------------------------------------------------
say "EXPLAIN ANALYZE of the three stages on another copy"
{
  printf '%s\n' '\set ON_ERROR_STOP 1' 'begin;'
  stage_sql kClaimDay; echo ';'
  locks_sql
  # Each write explained under a savepoint, then run for real so that the next statement (the
  # events, the chain trigger's) gets the changes it needs.
  for s in kAssignConfirmed:a_:appendAssign kRaiseEscalations:e_:appendEscalate; do
    IFS=: read -r st var ev <<<"$s"
    printf '%s\n' 'savepoint x;' "\\echo PLAN $st" 'explain (analyze, buffers)'
    stage_sql "$st"; echo ';'
    printf '%s\n' 'rollback to savepoint x;'
    stage_sql "$st"; printf '%s\n' "\\gset $var"
    printf '%s\n' "\\echo PLAN $ev" 'explain (analyze, buffers)'
    stage_sql "$ev"; echo ';'
  done
  printf '%s\n' '\echo PLAN kBulletin' 'explain (analyze, buffers)'
  stage_sql kBulletin; echo ';'
  echo 'rollback;'
} >"$work/explain.sql"
psql_db postgres -c "set client_min_messages = warning" -c "drop database if exists lantian_explain" \
  -c "create database lantian_explain template lantian_bench strategy file_copy" >/dev/null
psql_db lantian_explain -f "$work/explain.sql" >"$work/plans.txt" 2>&1 ||
  { cat "$work/plans.txt" >&2; die "EXPLAIN failed"; }
psql_db postgres -c "drop database lantian_explain" >/dev/null
plan_ms() {  # STAGE...: the sum of their Execution Times (ms)
  awk -v s=" $* " '/^PLAN / { cur = " " $2 " " } index(s, cur) && /Execution Time:/ { t += $3 } END { print t + 0 }' "$work/plans.txt"
}
chain_ms() {  # STAGE...: the time in the audit chain trigger (ms)
  awk -v s=" $* " '/^PLAN / { cur = " " $2 " " } index(s, cur) && /Trigger issue_events_chain( on|:)/ { sub(/.*time=/, ""); t += $1 } END { print t + 0 }' "$work/plans.txt"
}

# 8. Report ----------------------------------------------------------------------------------------------
read -r d_issues d_sites d_size d_returned <<<"$data_line"
read -r b_conf b_ovd <<<"$before_prev"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() {  # N ROWS...: the median of column N
  local n=$1 row
  shift
  median "$(for row in "$@"; do awk -v n="$n" '{ print $n }' <<<"$row"; done)"
}
fmt='%-34s %7s %7s %7s %8s %8s %8s %7s %7s %5s %4s\n'
row() {  # LABEL WALL TXN_CLIENT TXN_SERVER ASSIGN_MS ESC_MS BULL_MS REST_MS CPU BG
  local cpu=$9 ratio_=''
  [ "$4" != - ] && ratio_=$(ratio "$cpu" "$4")
  printf "$fmt" "$1" "$2" "$3" "$4" "$(ms_s "$5")" "$(ms_s "$6")" "$(ms_s "$7")" "$(ms_s "$8")" \
    "$(printf '%.2f' "$cpu")" "$ratio_" "${10}"
}
echo
echo "Lantian dispatch benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $ncpu cores ($(uname -m)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin_src ($bin_time); PostgreSQL $(psql_ -tA -c 'show server_version' | cut -d' ' -f1)," \
  "default settings (shared_buffers $(psql_ -tA -c 'show shared_buffers'), work_mem $(psql_ -tA -c 'show work_mem'), jit $(psql_ -tA -c 'show jit')), serial plans"
echo "data: $d_issues issues ($d_size with indexes), $d_sites sites; $gen_report"
echo "day $day, now $now_iso: $n_confirmed confirmed (the day's new), $n_assigned assigned of which $n_overdue overdue;" \
  "$d_returned submitted issues returned twice or more"
echo "backlog: the run for $prev_day over the generated data ($b_conf confirmed, $b_ovd overdue, nothing escalated yet): $backlog_out"
echo
echo "wall = the process (lantian dispatch | psql -f); txn = BEGIN…COMMIT as the client saw it (psql \\timing,"
echo "summed) and as the server logged it (end of BEGIN to end of COMMIT); stages in seconds: the service's"
echo "from the server log, psql's from \\timing; rest = claim + complete + find (+ begin, commit); cpu = the"
echo "backend's CPU in the transaction (log_statement_stats); cpu/txn well under 1 = it waited for a core;"
echo "bg% = busy % of all cores just before, while this benchmark ran nothing (others' load)"
echo
printf "$fmt" '' 'wall s' 'txn cl' 'txn srv' 'assign' 'escalate' 'bulletin' 'rest' 'cpu s' 'cpu/' 'bg%'
printf "$fmt" '' '' '' '' '' '' '' '' '' 'txn' ''
for ((r = 1; r <= reps; r++)); do
  read -r -a v <<<"${svc_rows[r - 1]}"
  row "(a) lantian dispatch, run $r" "${v[@]}"
  read -r -a v <<<"${sql_rows[r - 1]}"
  row "(b) psql, same SQL, run $r" "${v[@]}"
done
med_svc=() med_sql=()
for n in 1 2 3 4 5 6 7 8 9; do
  med_svc+=("$(col "$n" "${svc_rows[@]}")")
  med_sql+=("$(col "$n" "${sql_rows[@]}")")
done
med_svc[1]=-
row "(a) median" "${med_svc[@]}"
row "(b) median" "${med_sql[@]}"
printf "$fmt" "EXPLAIN ANALYZE (execution)" '' '' '' "$(ms_s "$(plan_ms kAssignConfirmed appendAssign)")" \
  "$(ms_s "$(plan_ms kRaiseEscalations appendEscalate)")" "$(ms_s "$(plan_ms kBulletin)")" '' '' '' ''
printf "$fmt" "  of which the events (kAppend)" '' '' '' "$(ms_s "$(plan_ms appendAssign)")" \
  "$(ms_s "$(plan_ms appendEscalate)")" '' '' '' '' ''
printf "$fmt" "  of which audit chain trigger" '' '' '' "$(ms_s "$(chain_ms kAssignConfirmed appendAssign)")" \
  "$(ms_s "$(chain_ms kRaiseEscalations appendEscalate)")" '' '' '' '' ''
read -r -a v <<<"$backlog_row"
row "backlog run for $prev_day" "${v[0]}" - "${v[@]:1}"
printf "$fmt" "second run for $day (no-op)" "$again_wall" '' '' '' '' '' '' '' '' ''
echo
svc_wall=${med_svc[0]}
sql_txn=${med_sql[1]}
echo "medians: service run ÷ SQL = $svc_wall ÷ $sql_txn = $(ratio "$svc_wall" "$sql_txn") (aim ≤ 2);" \
  "server-side transactions: $(ratio "${med_svc[2]}" "${med_sql[2]}"); run under 10 s:" \
  "$([ "$(echo "$svc_wall < 10" | bc)" = 1 ] && echo yes || echo NO)"
echo
echo "correctness:"
printf '  %s\n' "${checks[@]}"
if [ "${BENCH_PLANS:-0}" = 1 ]; then
  echo
  echo "plans (EXPLAIN (ANALYZE, BUFFERS) on a copy, rolled back):"
  sed 's/^/  /' "$work/plans.txt"
fi
[ "$failed" = 0 ] || die "a correctness check failed"
