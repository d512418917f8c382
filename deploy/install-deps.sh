#!/usr/bin/env bash
# Installs every Debian and npm package that building, testing and running Lantian need.
# Idempotent: when everything is present it only checks and returns in about a second.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

debs=(
  # build
  g++ cmake ninja-build ccache pkg-config clang-format
  libboost1.81-dev libpqxx-dev libpq-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libsodium-dev libhowardhinnant-date-dev libcli11-dev
  prometheus-cpp-dev libxlsxwriter-dev
  # database (an embedded cluster under ./var, and the tests' throwaway one)
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib
  # tests and benchmarks
  curl wrk chromium fonts-wqy-microhei procps util-linux
)
# Node.js: machines of this kind ship NodeSource's nodejs, which bundles npm and conflicts with
# Debian's npm package ("held broken packages"); take Debian's only where no node/npm is present.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  debs+=(nodejs npm)
fi

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Node.js 20 may come from another source than Debian (with its own npm): only ask Debian when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  # The embedded cluster is ours; do not let the package start a system service.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
    trap '"${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node packages, pinned by their package-lock.json: Apache ECharts for the dashboard the
# service serves (services/dashboard), and the end-to-end and browser tests' (tests/e2e).
for dir in "$here/services/dashboard" "$here/tests/e2e"; do
  [ -f "$dir/package.json" ] || continue
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
done
echo "install-deps: ok"
