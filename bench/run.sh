#!/usr/bin/env bash
# Benchmarks `leadq score`: builds the release preset, writes the data sets once, times the whole
# command and runs the Google Benchmark suite. The figures in BENCHMARKS.md come from here.
#
#   bench/run.sh             100k leads / 1M events and 1M leads / 10M events
#   bench/run.sh --quick     the 100k size only, and a shorter benchmark run
#
# Environment: RUNS (timed runs of the command per size, default 3), SKIP_BUILD=1 (use the
# binaries in build/release as they are), QUIET_WAIT (seconds to wait, before each measurement,
# for the machine to be idle: other processes using under 10% of the CPUs; default 300).
#
# Data goes to bench/out/<size>/ (git-ignored) and is reused while bench/out/<size>/params.txt
# shows the same generator version and parameters. The whole output is also saved in
# bench/out/run-<time>.log. Timings are with the input files in the page cache.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build="$root/build/release"
out="$root/bench/out"
as_of=2026-11-01
runs=${RUNS:-3}
bench_args run.sh "$@"

mkdir -p "$out"
bench_log "$out/run-$(date -u +%Y%m%dT%H%M%SZ).log"

cd "$root"
bench_build leadq leadq_bench_gen leadq_score_bench
leadq="$build/apps/leadq/leadq"
gen="$build/bench/leadq_bench_gen"
bench="$build/bench/leadq_score_bench"

bench_machine

# cpu_busy: the share of all CPUs busy over the next second (0.00 to 1.00), from /proc/stat.
cpu_busy() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.2f", busy / (busy + idle + 1e-9) }'
}

# quiet: waits (up to QUIET_WAIT seconds) until other processes leave the CPUs idle, and says
# how busy they were, so that a figure taken on a shared machine is flagged as such.
quiet() {
  local waited=0 busy
  busy=$(cpu_busy)
  while awk -v b="$busy" 'BEGIN { exit !(b > 0.10) }' && ((waited < ${QUIET_WAIT:-300})); do
    sleep 4
    waited=$((waited + 5))
    busy=$(cpu_busy)
  done
  if awk -v b="$busy" 'BEGIN { exit !(b > 0.10) }'; then
    echo "warning:  the CPUs are $(awk -v b="$busy" 'BEGIN { printf "%d", b * 100 }')% busy with other work; the next figures are disturbed"
  fi
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# cpu_jiffies: CPU time used so far by everything on the machine, in clock ticks.
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# time_score DIR: runs `leadq score` on DIR $runs times, printing wall time, CPU time, max RSS
# and the CPU time other processes took meanwhile (more than a few tenths of a second means the
# run shared the machine and its wall time is pessimistic).
time_score() {
  local dir=$1
  local cmd=("$leadq" score --model "$dir/model.toml" --leads "$dir/leads.csv"
    --accounts "$dir/accounts.csv" --events "$dir/events.csv" --as-of "$as_of"
    --out "$dir/scores.csv")
  local tick
  tick=$(getconf CLK_TCK)
  echo "command:  ${cmd[*]#"$root"/}"
  for ((i = 1; i <= runs; i++)); do
    quiet
    local before after start end
    before=$(cpu_jiffies)
    if [[ -x /usr/bin/time ]]; then
      /usr/bin/time -o "$dir/time.txt" -f "%e %U %S %M" "${cmd[@]}" 2>"$dir/score.stderr" ||
        { cat "$dir/score.stderr"; return 1; }
    else
      start=$(date +%s.%N)
      "${cmd[@]}" 2>"$dir/score.stderr"
      end=$(date +%s.%N)
      awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f 0 0 0\n", e - s }' >"$dir/time.txt"
    fi
    after=$(cpu_jiffies)
    read -r wall user sys rss <"$dir/time.txt"
    awk -v i="$i" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v b="$before" -v a="$after" \
      -v t="$tick" 'BEGIN { o = (a - b) / t - u - s; if (o < 0) o = 0;
        printf "run %d:    %.2f s wall, %.2f s user, %.2f s sys, %d MB max RSS; other processes %.1f CPU s\n",
          i, w, u, s, m / 1024, o }'
  done
  grep '^leadq score:' "$dir/score.stderr" | sed 's/^/output:   /'
  echo "scores:   $(($(wc -l <"$dir/scores.csv") - 1)) rows, $(mb "$(stat -c %s "$dir/scores.csv")")"
}

sizes=("100k 100000 1000000")
if [[ $quick == 0 ]]; then sizes+=("1m 1000000 10000000"); fi

for size in "${sizes[@]}"; do
  read -r name leads events <<<"$size"
  dir="$out/$name"
  echo
  echo "== leadq score, $leads leads, $events events"
  "$gen" --leads "$leads" --events "$events" --as-of "$as_of" --out "$dir" --reuse
  for f in leads accounts events; do
    printf '%-13s %10d rows, %s\n' "$f.csv:" "$(($(wc -l <"$dir/$f.csv") - 1))" \
      "$(mb "$(stat -c %s "$dir/$f.csv")")"
  done
  cat "$dir"/{leads,accounts,events}.csv >/dev/null # into the page cache
  time_score "$dir"
done

echo
echo "== leadq_score_bench (default size: 200,000 leads, 2,000,000 events)"
quiet
if [[ $quick == 1 ]]; then
  "$bench" --benchmark_min_time=0.2
else
  "$bench"
  echo
  echo "== leadq_score_bench on bench/out/1m (scoring and writing only)"
  quiet
  "$bench" --data="$out/1m" --benchmark_filter='BM_(ScoreLeads|WriteScoresCsv|CompileModel)' \
    --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
fi
echo
echo "log: ${log#"$root"/}"
