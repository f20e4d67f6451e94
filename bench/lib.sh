# What the benchmark scripts share. Source it after `set -euo pipefail`; it sets $root.
#
#   bench_args NAME "$@"     --quick (sets quick=1), --help (prints the calling script's header)
#   bench_log FILE           from here on, everything printed also goes to FILE (sets $log)
#   bench_build TARGET...    builds them with the release preset, unless SKIP_BUILD=1
#   bench_machine            date, CPU, memory, commit and load, for the record
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quick=0

bench_args() {
  local name=$1
  shift
  for arg in "$@"; do
    case "$arg" in
      --quick) quick=1 ;;
      -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d'
        exit 0
        ;;
      *)
        echo "$name: unknown argument $arg" >&2
        exit 2
        ;;
    esac
  done
}

bench_log() {
  mkdir -p "$(dirname "$1")"
  log=$1
  exec > >(tee "$1") 2>&1
}

bench_build() {
  [[ "${SKIP_BUILD:-0}" == 1 ]] && return 0
  # The preset's own flags only (an empty CMAKE_CXX_FLAGS clears what an older cache held).
  (cd "$root" && cmake --preset release -DCMAKE_CXX_FLAGS= >/dev/null &&
    cmake --build --preset release --target "$@")
}

bench_machine() {
  echo "== machine"
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu:      $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "memory:   $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
  echo "compiler: $(c++ --version | head -1)"
  echo "commit:   $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg)"
}
