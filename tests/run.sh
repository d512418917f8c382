#!/usr/bin/env bash
# Builds Lantian with sanitizers and runs every test suite against a throwaway PostgreSQL cluster.
#
#   tests/run.sh                 from any directory: every suite
#   tests/run.sh SUITE...        those suites only (as LANTIAN_TEST_SUITES), e.g. tests/run.sh unit
#
# Suites, in the order they run:
#   format       tests/support/check-format.sh: clang-format 14 on every tracked C++ file (or on
#                those changed since LANTIAN_FORMAT_BASE, e.g. origin/main); no build
#   release      `lantian` built with -DCMAKE_BUILD_TYPE=Release and warnings as errors in a second
#                tree (LANTIAN_TEST_RELEASE_DIR), so that warnings only the optimiser finds fail
#   headers      the checkheaders target (cmake/CheckHeaders.cmake) in that tree: each header
#                under services/ compiles alone
#   unit         the GoogleTest unit tests (CTest label unit)
#   integration  the GoogleTest integration tests against the throwaway cluster (label integration)
#   e2e          tests/e2e/*.test.mjs against `lantian serve` on that cluster (label e2e)
# unit, integration and e2e test the sanitizer build in LANTIAN_TEST_BUILD_DIR; `ctest -L LAYER`
# in that tree runs one of them too (tests/CMakeLists.txt).
#
# Environment:
#   LANTIAN_TEST_BUILD_DIR   build tree (default: <repo>/build-test)
#   LANTIAN_TEST_RELEASE_DIR the Release tree of release and headers (default: <build tree>-release)
#   LANTIAN_SANITIZE=OFF     build without ASan/UBSan (faster); default ON
#   LANTIAN_WERROR=OFF       do not treat warnings as errors; default ON
#   LANTIAN_TEST_NO_BUILD=1  skip configure and build of the test tree, test the binaries already
#                            in it (headers and release still build: building is what they test)
#   LANTIAN_TEST_SUITES      suites to run, space-separated
#                            (default: "format release headers unit integration e2e")
#   LANTIAN_FORMAT_BASE      git ref: the format suite checks only files changed since it
#   LANTIAN_TEST_TIMEOUT     seconds one suite may take before it is killed (default: 1500)
#
# Every suite runs even when an earlier one failed (a failed build of the test tree fails unit,
# integration and e2e only); a suite whose binary or test files do not exist counts as failed
# ("missing"). format counts the files checked as test cases, headers the headers compiled,
# release its one build. Full logs go to <build>/test-logs/; the output of a failing
# suite is printed. The last lines are a per-suite summary and an "N passed, N failed" count of
# test cases; the exit status is non-zero when anything failed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/support/pg.sh
. "$repo/tests/support/pg.sh"

build=${LANTIAN_TEST_BUILD_DIR:-$repo/build-test}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
logs=$build/test-logs
release=${LANTIAN_TEST_RELEASE_DIR:-$build-release}
case $release in /*) ;; *) release=$(pwd)/$release ;; esac
all_suites='format release headers unit integration e2e'
if [ "$#" -gt 0 ]; then
  suites="$*"
else
  suites=${LANTIAN_TEST_SUITES:-$all_suites}
fi
suite_timeout=${LANTIAN_TEST_TIMEOUT:-1500}

# LeakSanitizer works here (root, ptrace allowed: checked with a deliberate leak), so leaks fail
# the tests. abort_on_error makes a sanitizer report end the process with SIGABRT, which no test
# harness can mistake for success. Callers may override either variable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Third-party leaks only (see the file); inherited by the servers the e2e tests start.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$repo/tests/support/lsan.supp:print_suppressions=0}

declare -A status=() note=()
total_pass=0
total_fail=0

say() { printf 'tests/run.sh: %s\n' "$*"; }

summary() {
  local line='' s
  for s in $suites; do
    line+="${line:+, }$s ${status[$s]:-FAIL}${note[$s]:+ (${note[$s]})}"
  done
  say "$line"
  # A plain closing line of test cases; a suite that failed without running (build, missing,
  # crash before any result) counts as one failure so the total never reads as all green.
  echo "tests: $total_pass passed, $total_fail failed"
}

wants() { [[ " $suites " == *" $1 "* ]]; }

# --- build -----------------------------------------------------------------------------------
mkdir -p "$logs"
built=1
if [ "${LANTIAN_TEST_NO_BUILD:-0}" != 1 ] && { wants unit || wants integration || wants e2e; }; then
  say "building into $build (sanitizers ${LANTIAN_SANITIZE:-ON}, werror ${LANTIAN_WERROR:-ON}); log: $logs/build.log"
  if ! {
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DLANTIAN_SANITIZE="${LANTIAN_SANITIZE:-ON}" -DLANTIAN_WERROR="${LANTIAN_WERROR:-ON}" &&
      cmake --build "$build" -j2
  } >"$logs/build.log" 2>&1; then
    # Compiler errors are at the end of the log, after the lines of the targets that built.
    grep -v '^\[[0-9]*/[0-9]*\] ' "$logs/build.log" | tail -n 150 || true
    say "build FAILED (full log: $logs/build.log)"
    built=0
  fi
fi

# --- suite runner ----------------------------------------------------------------------------

# Print what matters of a failed GoogleTest log: the output of the failed (or crashed) tests and
# everything outside test bodies, without the passing tests' chatter.
gtest_failures() {
  awk '
    /^\[ RUN      \]/ { buf = $0 "\n"; inrun = 1; next }
    inrun && /^\[       OK \]/ { inrun = 0; buf = ""; next }
    inrun && (/^\[  FAILED  \]/ || /^\[  SKIPPED \]/) { printf "%s%s\n", buf, $0; inrun = 0; buf = ""; next }
    inrun { buf = buf $0 "\n"; next }
    /^\[----------\]/ { next }
    { print }
    END { if (inrun) printf "%s", buf }
  ' "$1" | tail -n 2000
}

node_failures() {
  # The spec reporter repeats every failure, with its error, under "failing tests:" at the end.
  if grep -q 'failing tests:' "$1"; then
    sed -n '/failing tests:/,$p' "$1" | tail -n 2000
  else
    tail -n 300 "$1"
  fi
}

# What matters of a failed build's log: the compiler's messages, without the progress lines.
build_failures() { grep -v '^\[[0-9]*/[0-9]*\] ' "$1" | tail -n 300; }

# record SUITE KIND LOG RC [PASS FAIL]: set the suite's status and add its test-case counts to
# the totals. KIND gtest and node read the counts from LOG; build and format take PASS FAIL.
record() {
  local s=$1 kind=$2 log=$3 rc=$4 pass=${5:-0} fail=${6:-0}
  if [ "$kind" = gtest ]; then
    # A log may hold several binaries' runs (unit): their counts add up.
    pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$log" | awk '{s += $1} END {if (NR) print s}')
    fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below.*/\1/p' "$log" | awk '{s += $1} END {if (NR) print s}')
  elif [ "$kind" = node ]; then
    pass=$(sed -n 's/^\(ℹ\|#\) pass \([0-9]*\)$/\2/p' "$log" | tail -n1)
    fail=$(sed -n 's/^\(ℹ\|#\) fail \([0-9]*\)$/\2/p' "$log" | tail -n1)
  fi
  pass=${pass:-0} fail=${fail:-0}
  if [ "$rc" -eq 0 ] && [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]; then
    status[$s]=PASS
  else
    status[$s]=FAIL
    if [ "$fail" -gt 0 ]; then
      note[$s]="$fail failed"
    elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      note[$s]="timed out after ${suite_timeout}s"
      fail=1
    elif [ "$rc" -ne 0 ]; then
      note[$s]="exit $rc"
      fail=1
    else
      note[$s]="no tests ran"
      fail=1
    fi
    say "$s FAILED (${note[$s]}); full log: $log"
    echo "----- $s output -----"
    case $kind in
      gtest) gtest_failures "$log" ;;
      node) node_failures "$log" ;;
      build) build_failures "$log" ;;
      *) tail -n 300 "$log" ;;
    esac
    echo "----- end of $s output -----"
  fi
  [ "${status[$s]}" = FAIL ] || say "$s PASS ($pass tests); log: $log"
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
}

# fail_suite SUITE NOTE [DETAIL] [LOG]: the suite failed without running its tests.
fail_suite() {
  status[$1]=FAIL note[$1]=$2
  total_fail=$((total_fail + 1))
  say "$1 FAILED ($2${3:+: $3})"
  if [ -n "${4:-}" ] && [ -s "$4" ]; then
    echo "----- $1 output -----"
    tail -n 100 "$4"
    echo "----- end of $1 output -----"
  fi
}

# run_logged LOG CMD...: run with a time limit, output to LOG; prints nothing, returns the exit code.
# The command runs in the background and is waited for, because bash runs a signal trap only once
# a foreground command has finished, and timeout puts the command in a process group of its own
# where a Ctrl-C at the terminal does not reach it: on_signal below forwards the signal instead.
child=
run_logged() {
  local log=$1 rc=0
  shift
  timeout --kill-after=30 "$suite_timeout" "$@" >"$log" 2>&1 </dev/null &
  child=$!
  wait "$child" || rc=$?
  child=
  return "$rc"
}

# --- throwaway database ----------------------------------------------------------------------
pgdir=
cleanup() {
  if [ -n "$pgdir" ]; then
    pg_destroy "$pgdir" >/dev/null 2>&1 || pg_destroy "$pgdir" || true
  fi
}
on_signal() {
  trap - INT TERM
  if [ -n "$child" ]; then
    # timeout passes the TERM on to the test process and exits when it has.
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  say "interrupted"
  exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

start_db() {
  local port=56000 tries
  pgdir=$(mktemp -d /tmp/lantian-test-XXXXXX)
  # Another run (or anything else) may take the port between the probe and the start: retry on
  # the next free one.
  for tries in 1 2 3 4 5; do
    port=$(pg_free_port "$port" 200) || return 1
    if pg_init_and_start "$pgdir" "$port" 2>"$logs/postgres-start.log"; then
      PGPORT_TEST=$port
      return 0
    fi
    say "could not start PostgreSQL on port $port (try $tries)"
    port=$((port + 1))
  done
  return 1
}

# --- suites ----------------------------------------------------------------------------------
cd "$repo"

for s in $suites; do
  [[ " $all_suites " == *" $s "* ]] || fail_suite "$s" unknown "the suites are: $all_suites"
done

if wants format; then
  rc=0
  run_logged "$logs/format.log" "$repo/tests/support/check-format.sh" ${LANTIAN_FORMAT_BASE:+"$LANTIAN_FORMAT_BASE"} || rc=$?
  checked='' unformatted=''
  read -r checked unformatted < <(sed -n 's/^check-format: \([0-9]*\) files checked, \([0-9]*\) not formatted.*/\1 \2/p' "$logs/format.log") || true
  if [ -z "${checked:-}" ]; then
    fail_suite format "exit $rc" "tests/support/check-format.sh" "$logs/format.log"
  else
    # A change that touches no C++ file checks none: that passes, as one case.
    if [ "$checked" -eq 0 ] && [ "$rc" -eq 0 ]; then checked=1 note[format]="no C++ file changed"; fi
    record format format "$logs/format.log" "$rc" $((checked - unformatted)) "$unformatted"
  fi
fi

# The Release tree, configured once for headers and release. Tests off: only the service.
release_ok=
configure_release() {
  if [ -z "$release_ok" ]; then
    release_ok=0
    say "configuring the Release tree $release; log: $logs/release-configure.log"
    run_logged "$logs/release-configure.log" cmake -S "$repo" -B "$release" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DLANTIAN_BUILD_TESTS=OFF -DLANTIAN_SANITIZE=OFF \
      -DLANTIAN_WERROR="${LANTIAN_WERROR:-ON}" && release_ok=1
  fi
  [ "$release_ok" = 1 ]
}

if wants release; then
  if ! configure_release; then
    fail_suite release "configure failed" "$release" "$logs/release-configure.log"
  else
    rc=0
    run_logged "$logs/release.log" cmake --build "$release" -j2 --target lantian || rc=$?
    # One build: one case, passed or failed.
    record release build "$logs/release.log" "$rc" $((rc == 0)) $((rc != 0))
  fi
fi

if wants headers; then
  if ! configure_release; then
    fail_suite headers "configure failed" "$release" "$logs/release-configure.log"
  else
    rc=0
    # -k 0: every header that does not compile alone, not only the first.
    run_logged "$logs/headers.log" cmake --build "$release" -j2 --target checkheaders -- -k 0 || rc=$?
    nheaders=$(find "$release/checkheaders" -name '*.cpp' 2>/dev/null | wc -l) || nheaders=0
    nbad=$(grep -c '^FAILED: ' "$logs/headers.log" || true)
    [ "$rc" -eq 0 ] || [ "$nbad" -gt 0 ] || nbad=1
    record headers build "$logs/headers.log" "$rc" $((nheaders - nbad)) "$nbad"
  fi
fi

if wants unit; then
  # The domain rules' binary and the rest (tests/unit/CMakeLists.txt); one log, counts added.
  bins=("$build/tests/unit/lantian_rule_tests" "$build/tests/unit/lantian_unit_tests")
  missing_bin=
  for bin in "${bins[@]}"; do [ -x "$bin" ] || missing_bin=$bin; done
  if [ "$built" = 0 ]; then
    fail_suite unit "not built"
  elif [ -n "$missing_bin" ]; then
    fail_suite unit missing "$missing_bin"
  else
    rc=0
    : >"$logs/unit.log"
    for bin in "${bins[@]}"; do
      brc=0
      run_logged "$logs/unit.part.log" "$bin" || brc=$?
      cat "$logs/unit.part.log" >>"$logs/unit.log"
      [ "$brc" -eq 0 ] || rc=$brc
    done
    rm -f "$logs/unit.part.log"
    record unit gtest "$logs/unit.log" "$rc"
  fi
fi

db_ok=0
PGPORT_TEST=
if { wants integration || wants e2e; } && [ "$built" = 1 ]; then
  if start_db; then
    db_ok=1
    say "PostgreSQL running in $pgdir on port $PGPORT_TEST"
  else
    cat "$logs/postgres-start.log" >&2 || true
  fi
fi
admin_url=$(pg_uri "${PGPORT_TEST:-0}" postgres)

# migrate_db NAME LOG: create database NAME in the throwaway cluster and migrate it.
migrate_db() {
  local rc=0
  pg_create_db "$PGPORT_TEST" "$1" >"$2" 2>&1 || return 1
  LANTIAN_DATABASE_URL=$(pg_uri "$PGPORT_TEST" "$1") \
    run_logged "$2.tmp" "$build/lantian" migrate || rc=$?
  cat "$2.tmp" >>"$2"
  rm -f "$2.tmp"
  return "$rc"
}

if wants integration; then
  bin=$build/tests/integration/lantian_integration_tests
  if [ "$built" = 0 ]; then
    fail_suite integration "not built"
  elif [ ! -x "$bin" ]; then
    fail_suite integration missing "$bin"
  elif [ ! -x "$build/lantian" ]; then
    fail_suite integration missing "$build/lantian"
  elif [ "$db_ok" != 1 ]; then
    fail_suite integration "no database" "PostgreSQL did not start"
  elif ! migrate_db lantian_template "$logs/integration-migrate.log"; then
    fail_suite integration "migrate failed" "lantian_template" "$logs/integration-migrate.log"
  else
    rc=0
    LANTIAN_TEST_ADMIN_URL=$admin_url LANTIAN_TEST_TEMPLATE_DB=lantian_template \
      run_logged "$logs/integration.log" "$bin" || rc=$?
    record integration gtest "$logs/integration.log" "$rc"
  fi
fi

if wants e2e; then
  mapfile -t e2e_files < <(find "$repo/tests/e2e" -name node_modules -prune -o -type f -name '*.test.mjs' -print 2>/dev/null | sort)
  if [ "${#e2e_files[@]}" -eq 0 ]; then
    fail_suite e2e missing "no tests/e2e/*.test.mjs"
  elif [ "$built" = 0 ]; then
    fail_suite e2e "not built"
  elif [ ! -x "$build/lantian" ]; then
    fail_suite e2e missing "$build/lantian"
  elif [ ! -d "$repo/tests/e2e/node_modules" ] && [ -f "$repo/tests/e2e/package.json" ]; then
    fail_suite e2e missing "tests/e2e/node_modules (run deploy/install-deps.sh)"
  elif [ "$db_ok" != 1 ]; then
    fail_suite e2e "no database" "PostgreSQL did not start"
  elif ! migrate_db lantian_e2e "$logs/e2e-migrate.log"; then
    fail_suite e2e "migrate failed" "lantian_e2e" "$logs/e2e-migrate.log"
  else
    # Complete shell commands (for sh -c) that stop and start this cluster, for the tests of
    # behaviour while the database is down (or frozen: stopped with SIGSTOP, then continued).
    pg_cmd() { printf 'bash -c %q' "$(printf '. %q && %s %q' "$repo/tests/support/pg.sh" "$1" "$pgdir")"; }
    rc=0
    LANTIAN_BIN=$build/lantian \
      LANTIAN_TEST_DATABASE_URL=$(pg_uri "$PGPORT_TEST" lantian_e2e) \
      LANTIAN_TEST_ADMIN_URL=$admin_url \
      LANTIAN_TEST_PG_STOP=$(pg_cmd pg_stop) \
      LANTIAN_TEST_PG_START=$(pg_cmd pg_start) \
      LANTIAN_TEST_PG_FREEZE=$(pg_cmd pg_freeze) \
      LANTIAN_TEST_PG_THAW=$(pg_cmd pg_thaw) \
      LANTIAN_REPO=$repo \
      LANTIAN_TEST_OUTPUT_DIR=$logs/e2e-output \
      run_logged "$logs/e2e.log" node --test --test-reporter=spec "${e2e_files[@]}" || rc=$?
    record e2e node "$logs/e2e.log" "$rc"
  fi
fi

summary
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
