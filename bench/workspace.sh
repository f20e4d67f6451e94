#!/usr/bin/env bash
# Benchmarks the workspace: a fresh workspace, `model apply`, `import accounts|leads|events` and
# `rescore` (twice: the first writes every score and transition, the second finds them in place),
# on the data sets that bench/run.sh writes (bench/out/<size>, generated here when missing).
#
#   bench/workspace.sh           100k leads / 1M events, then 1M leads / 10M events
#   bench/workspace.sh --quick   the 100k size only
#
# Environment: SKIP_BUILD=1 (use build/release as it is). The workspace goes to
# bench/out/<size>/ws (git-ignored) and is removed first. The output is saved in
# bench/out/workspace-<time>.log.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build="$root/build/release"
out="$root/bench/out"
as_of=2026-11-01
bench_args workspace.sh "$@"
mkdir -p "$out"
bench_log "$out/workspace-$(date -u +%Y%m%dT%H%M%SZ).log"

cd "$root"
bench_build leadq leadq_bench_gen
leadq="$build/apps/leadq/leadq"
gen="$build/bench/leadq_bench_gen"

bench_machine
echo "disk:     $(df -h "$out" | awk 'NR == 2 { print $1 " " $2 }')"

# step NAME ROWS cmd...: runs the command once, prints wall time, rows per second and max RSS.
step() {
  local name=$1 rows=$2
  shift 2
  /usr/bin/time -o "$ws.time" -f "%e %M" "$@" >"$ws.out" 2>&1 || { cat "$ws.out"; return 1; }
  read -r wall rss <"$ws.time"
  awk -v n="$name" -v w="$wall" -v r="$rows" -v m="$rss" 'BEGIN {
    printf "%-18s %8.2f s  %12s rows/s  %6d MB max RSS\n", n, w,
      (r > 0 && w > 0) ? sprintf("%\047d", r / w) : "-", m / 1024 }'
  grep -E '^leadq (import|rescore)' "$ws.out" | sed 's/^/                   /' || true
}

sizes=("100k 100000 1000000")
if [[ $quick == 0 ]]; then sizes+=("1m 1000000 10000000"); fi
for size in "${sizes[@]}"; do
  read -r name leads events <<<"$size"
  dir="$out/$name"
  ws="$dir/ws"
  echo
  echo "== workspace, $leads leads, $events events"
  "$gen" --leads "$leads" --events "$events" --as-of "$as_of" --out "$dir" --reuse
  accounts=$(($(wc -l <"$dir/accounts.csv") - 1))
  cat "$dir"/{leads,accounts,events}.csv >/dev/null # into the page cache
  rm -rf "$ws"
  "$leadq" init "$ws" >/dev/null
  step "model apply" 0 "$leadq" model apply "$dir/model.toml" -m bench -w "$ws"
  step "import accounts" "$accounts" "$leadq" import accounts "$dir/accounts.csv" -w "$ws"
  step "import leads" "$leads" "$leadq" import leads "$dir/leads.csv" -w "$ws"
  step "import events" "$events" "$leadq" import events "$dir/events.csv" -w "$ws"
  step "rescore (first)" "$leads" "$leadq" rescore --as-of "$as_of" -w "$ws"
  step "rescore (again)" "$leads" "$leadq" rescore --as-of "$as_of" -w "$ws"
  echo "database:           $(du -sh "$ws" | cut -f1)"
  rm -rf "$ws"
done
