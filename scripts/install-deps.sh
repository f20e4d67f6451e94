#!/usr/bin/env bash
# Installs the Debian packages leadq builds and tests with (chromium for the dashboard's browser
# test, wrk for bench/serve.sh, node for the dashboard), then the dashboard's npm packages
# (chart.js, playwright-core) into web/node_modules with `npm ci` (`npm install` when there is
# no package-lock.json). Idempotent: when every package is already installed and web/node_modules
# is newer than the lock, it changes nothing and downloads nothing.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git python3
  libtomlplusplus-dev libcli11-dev libre2-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libssl-dev
  libcpp-httplib-dev libhowardhinnant-date-dev tzdata
  libeigen3-dev libxgboost-dev
  chromium wrk nodejs curl openssl
)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WEB=$ROOT/web

# The dashboard's npm packages: only when web/node_modules is missing or older than the lock.
install_web() {
  [ -f "$WEB/package.json" ] || return 0
  local stamp=$WEB/node_modules/.package-lock.json  # npm rewrites it on every install
  if [ -d "$WEB/node_modules" ] && [ -f "$stamp" ] &&
     { [ ! -f "$WEB/package-lock.json" ] || [ ! "$WEB/package-lock.json" -nt "$stamp" ]; }; then
    return 0
  fi
  command -v npm >/dev/null || { echo "install-deps: npm is missing (Debian package npm)" >&2; exit 1; }
  echo "installing the dashboard's npm packages in $WEB" >&2
  if [ -f "$WEB/package-lock.json" ]; then
    (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$WEB" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodesource's nodejs carries npm; Debian's nodejs needs the npm package as well.
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  install_web
  exit 0
fi

echo "installing: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_web
