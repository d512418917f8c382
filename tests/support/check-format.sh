#!/usr/bin/env bash
# Checks C++ files against the checked-in .clang-format with clang-format 14 (what the code is
# formatted with); changes nothing.
#
#   tests/support/check-format.sh            every tracked *.cpp, *.hpp, *.h, *.cc (about 4 s)
#   tests/support/check-format.sh BASE       only those changed since the merge base of BASE
#                                            and HEAD (committed, staged or not), e.g. origin/main
#   tests/support/check-format.sh --fix ...  reformat the same files in place instead
#
# Environment: CLANG_FORMAT  the binary [clang-format-14, else clang-format if it is version 14]
# Prints clang-format's complaints, then "check-format: N files checked, M not formatted";
# exits 1 when M > 0, 2 when it could not check.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

fix=0
if [ "${1:-}" = --fix ]; then
  fix=1
  shift
fi
base=${1:-}

cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
  if command -v clang-format-14 >/dev/null; then
    cf=clang-format-14
  elif command -v clang-format >/dev/null && clang-format --version | grep -q 'version 14\.'; then
    cf=clang-format
  else
    echo "check-format: clang-format 14 not found (deploy/install-deps.sh installs it)" >&2
    exit 2
  fi
fi

patterns=('*.cpp' '*.hpp' '*.h' '*.cc')
files=()
if [ -n "$base" ]; then
  mb=$(git merge-base "$base" HEAD) || { echo "check-format: no merge base with $base" >&2; exit 2; }
  # Changed since the merge base, in the work tree (so uncommitted edits count), still present.
  mapfile -t files < <(git diff --name-only --diff-filter=d "$mb" -- "${patterns[@]}" | sort -u)
else
  mapfile -t files < <(git ls-files -- "${patterns[@]}")
fi

bad=0
if [ "${#files[@]}" -gt 0 ]; then
  if [ "$fix" = 1 ]; then
    "$cf" -i --style=file "${files[@]}"
  else
    # One file at a time would be slow; clang-format names each file in its complaints.
    out=$(printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$cf" --style=file --dry-run -Werror 2>&1) ||
      true
    if [ -n "$out" ]; then
      printf '%s\n' "$out"
      bad=$(sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' <<<"$out" | sort -u | wc -l)
      # Complaints that name no file (a crash, an unreadable .clang-format): count one.
      [ "$bad" -gt 0 ] || bad=1
    fi
  fi
fi
echo "check-format: ${#files[@]} files checked, $bad not formatted${base:+ (changed since $base)}"
[ "$bad" -eq 0 ]
