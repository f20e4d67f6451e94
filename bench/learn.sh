#!/usr/bin/env bash
# Benchmarks `leadq learn` and `leadq predict` on generated leads with a known outcome: 50
# feature columns (42 numeric, 6 categorical, a yes/no and a date; bench/gen_learn.cc), at
# 100k and 1M rows. Logistic learning is timed at both sizes, boosted trees at 100k only;
# prediction with the 1M logistic model over the 1M file, end to end (`leadq predict`, CSV in and
# out) and the predictor alone (leadq_bench_predict). BENCHMARKS.md records the results.
#
#   bench/learn.sh           100k and 1M rows
#   bench/learn.sh --quick   100k rows only
#
# Environment: SKIP_BUILD=1 (use build/release as it is); BUILD=dir to use another build
# directory. Data goes to bench/out/learn (git-ignored); the output is saved in
# bench/out/learn-<time>.log.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build="${BUILD:-$root/build/release}"
out="$root/bench/out/learn"
bench_args learn.sh "$@"
mkdir -p "$out"
bench_log "$root/bench/out/learn-$(date -u +%Y%m%dT%H%M%SZ).log"

cd "$root"
bench_build leadq leadq_bench_learn_gen leadq_bench_predict
leadq="$build/apps/leadq/leadq"
gen="$build/bench/leadq_bench_learn_gen"
predict_bench="$build/bench/leadq_bench_predict"

bench_machine

# step NAME ROWS cmd...: runs the command once, prints wall time, rows per second and max RSS,
# then the command's own summary lines.
step() {
  local name=$1 rows=$2
  shift 2
  /usr/bin/time -o "$out/step.time" -f "%e %M" "$@" >"$out/step.out" 2>&1 || {
    cat "$out/step.out"
    return 1
  }
  read -r wall rss <"$out/step.time"
  awk -v n="$name" -v w="$wall" -v r="$rows" -v m="$rss" 'BEGIN {
    printf "%-26s %8.2f s  %12s rows/s  %6d MB max RSS\n", n, w,
      (r > 0 && w > 0) ? sprintf("%\047d", r / w) : "-", m / 1024 }'
  grep -E '^(cross-validation|  logistic|  gbdt|cross-validated|columns|leadq predict)' \
    "$out/step.out" | sed 's/^/      /' || true
}

sizes=("100k 100000")
if [[ $quick == 0 ]]; then sizes+=("1m 1000000"); fi
for size in "${sizes[@]}"; do
  read -r name rows <<<"$size"
  data="$out/leads-$name.csv"
  echo
  echo "== $rows rows, 50 feature columns"
  [[ -f "$data" ]] || "$gen" --rows "$rows" --out "$data"
  cat "$data" >/dev/null # into the page cache
  step "learn logistic ($name)" "$rows" "$leadq" learn --data "$data" --target converted \
    --id lead_id --method logistic --out "$out/logistic-$name.json"
  if [[ $name == 100k ]]; then
    step "learn gbdt ($name)" "$rows" "$leadq" learn --data "$data" --target converted \
      --id lead_id --method gbdt --out "$out/gbdt-$name.json"
    step "predict gbdt ($name)" "$rows" "$leadq" predict --model "$out/gbdt-$name.json" \
      --data "$data" --out "$out/predictions-gbdt-$name.csv"
  fi
  step "predict logistic ($name)" "$rows" "$leadq" predict --model "$out/logistic-$name.json" \
    --data "$data" --out "$out/predictions-$name.csv"
  # The predictor alone: cells already in memory, no file read or written.
  "$predict_bench" --model "$out/logistic-$name.json" --data "$data" | sed 's/^/      /'
done
