#!/usr/bin/env bash
# Benchmarks `leadq trade` end to end on synthetic customs records: leadq_bench_trade_gen writes
# 5,000,000 bill-of-lading rows with about 200,000 consignee spellings (US, BR, MX and PL among
# its 40 countries; 8708.30, .80 and .99 among its 20 HS codes, the example model's products),
# then `leadq init`, `leadq trade import` and `leadq trade shortlist --model
# examples/models/export-auto-parts.toml --as-of 2026-11-01 --top 40` are timed one by one
# (wall time and peak RSS from /usr/bin/time). Also runs leadq_bench_trade_entities (entity
# resolution alone, 200,000 skewed spellings). The target: under one minute end to end on 2 cores.
#
#   bench/trade.sh           5,000,000 rows, 200,000 spellings
#   bench/trade.sh --quick   500,000 rows, 20,000 spellings
#
# Environment: SKIP_BUILD=1 (use build/release as it is). The data and the workspace go to
# bench/out/trade-<size>/ (git-ignored; the data is kept and reused, the workspace is removed).
# The output is saved in bench/out/trade-<time>.log.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build="$root/build/release"
out="$root/bench/out"
as_of=2026-11-01
bench_args trade.sh "$@"
mkdir -p "$out"
bench_log "$out/trade-$(date -u +%Y%m%dT%H%M%SZ).log"

cd "$root"
bench_build leadq leadq_bench_trade_gen leadq_bench_trade_entities
leadq="$build/apps/leadq/leadq"
gen="$build/bench/leadq_bench_trade_gen"
entities="$build/bench/leadq_bench_trade_entities"

bench_machine
echo "disk:     $(df -h "$out" | awk 'NR == 2 { print $1 " " $2 }')"

rows=5000000 spellings=200000 name=5m
if [[ $quick == 1 ]]; then rows=500000 spellings=20000 name=500k; fi
dir="$out/trade-$name"
ws="$dir/ws"
data="$dir/shipments.csv"
mkdir -p "$dir"

# step NAME ROWS cmd...: runs the command once, prints wall time, rows per second and max RSS.
total=0
step() {
  local name=$1 n=$2
  shift 2
  /usr/bin/time -o "$dir/time" -f "%e %U %S %M" "$@" >"$dir/step.out" 2>&1 ||
    { cat "$dir/step.out"; return 1; }
  read -r wall user sys rss <"$dir/time"
  total=$(awk -v t="$total" -v w="$wall" 'BEGIN { print t + w }')
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$n" -v m="$rss" 'BEGIN {
    printf "%-18s %8.2f s  (%.2f s CPU)  %12s rows/s  %6d MB max RSS\n", n, w, u + s,
      (r > 0 && w > 0) ? sprintf("%\047d", r / w) : "-", m / 1024 }'
}

echo
echo "== data: $rows rows, about $spellings consignee spellings"
if [[ ! -s "$data" || ! -e "$data.done-$rows-$spellings" ]]; then
  "$gen" --rows "$rows" --spellings "$spellings" --out "$data"
  touch "$data.done-$rows-$spellings"
fi
echo "file:               $(du -h "$data" | cut -f1)"
cat "$data" >/dev/null # into the page cache

echo
echo "== leadq trade, end to end"
rm -rf "$ws"
step "init" 0 "$leadq" init "$ws"
step "trade import" "$rows" "$leadq" trade import "$data" -w "$ws"
grep -E '^(leadq|imported|warning)' "$dir/step.out" | head -5 | sed 's/^/                   /' || true
step "trade shortlist" "$rows" "$leadq" trade shortlist \
  --model examples/models/export-auto-parts.toml --as-of "$as_of" --top 40 -w "$ws"
head -3 "$dir/step.out" | sed 's/^/                   /'
echo "shortlist output:   $(grep -c . "$dir/step.out") lines"
printf "end to end:         %8.2f s  (target: under 60 s on 2 cores)\n" "$total"
echo "database:           $(du -sh "$ws" | cut -f1)"
rm -rf "$ws"

echo
echo "== entity resolution alone (leadq_bench_trade_entities --spellings $spellings)"
"$entities" --spellings "$spellings"
