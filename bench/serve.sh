#!/usr/bin/env bash
# Measures leadq serve on loopback with wrk (Debian's wrk, installed by scripts/install-deps.sh):
#   1. single events per second over HTTP, and their p99 latency (one event per request);
#   2. events per second in batches of 1,000;
#   3. the dashboard's API answers (pipeline, lead list, lead page, queue, reports, model,
#      shortlist) on a demo workspace of LEADS leads: the median of 5 requests each.
# Usage: [SERVE_ARGS=--no-background] bench/serve.sh [LEADS] [SECONDS] [CONNECTIONS]   (defaults 100000 20 8)
# Needs a release build: cmake --preset release && cmake --build --preset release
set -euo pipefail
cd "$(dirname "$0")/.."
LEADS=${1:-100000}
SECONDS_PER_RUN=${2:-20}
CONNS=${3:-8}
LEADQ=build/release/apps/leadq/leadq
[ -x "$LEADQ" ] || { echo "bench/serve.sh: build the release preset first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench/serve.sh: wrk is missing (scripts/install-deps.sh)" >&2; exit 1; }
T=$(mktemp -d /tmp/leadq-bench-serve.XXXXXX)
SERVER=
trap 'if [ -n "$SERVER" ]; then kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; fi; rm -rf "$T"' EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "seeding a demo workspace of $LEADS leads..."
start=$(date +%s.%N)
"$LEADQ" serve --demo --demo-leads "$LEADS" -w "$T/ws" --listen 127.0.0.1:0 --threads 16 ${SERVE_ARGS:-} \
  >"$T/out" 2>"$T/err" &
SERVER=$!
for _ in $(seq 3000); do grep -q " on http" "$T/out" 2>/dev/null && break; sleep 0.2; done
grep -q " on http" "$T/out" || { cat "$T/out" "$T/err"; exit 1; }
echo "seeded and serving in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s: $(head -1 "$T/out")"
BASE=$(sed -n 's/.* on \(http:\/\/127.0.0.1:[0-9]*\)\/.*/\1/p' "$T/out" | head -1)
ADMIN=$(sed -n 's/.*(shown once): \(lq_[A-Za-z0-9_-]*\).*/\1/p' "$T/out")
INGEST=$("$LEADQ" token create --name bench-feed --role ingest -w "$T/ws" | grep -o 'lq_[A-Za-z0-9_-]*' | head -1)
# Events go to every lead of the workspace in turn (the ids read from the database file).
python3 -c 'import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print("\n".join(r[0] for r in db.execute("SELECT lead_id FROM leads ORDER BY lead_id")))' \
  "$T/ws/leadq.db" >"$T/leads.txt"
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)

run() {  # run NAME BATCH THREADS CONNECTIONS
  local out
  out=$(wrk -t"$3" -c"$4" -d"${SECONDS_PER_RUN}s" --latency -s bench/wrk/events.lua "$BASE/api/v1/events" \
        -- "$INGEST" "$T/leads.txt" "$1-$RANDOM" "$2" "$NOW" | grep wrk-summary)
  python3 - "$1" "$2" "$out" <<'PY'
import sys
name, batch, line = sys.argv[1], int(sys.argv[2]), sys.argv[3]
f = dict(kv.split("=") for kv in line.split()[1:])
req, dur = int(f["requests"]), float(f["duration_s"])
print(f"{name}: {req * batch / dur:,.0f} events/s ({req / dur:,.0f} requests/s), "
      f"p50 {float(f['p50_ms']):.2f} ms, p99 {float(f['p99_ms']):.2f} ms, "
      f"non-2xx {f['errors_status']}, socket errors {f['errors_other']}")
PY
}
echo "--- ingestion over HTTP, $SECONDS_PER_RUN s each, wrk on the same 2 cores"
run "single events, 1 connection" 1 1 1
run "single events, $CONNS connections" 1 2 "$CONNS"
run "batches of 1,000, 4 connections" 1000 2 4

echo "--- the dashboard's API answers (median of 5, ms)"
LEAD=$(head -1 "$T/leads.txt")
OWNER=$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/leads?stage=mql&limit=1" |
  python3 -c 'import json,sys; i=json.load(sys.stdin)["items"]; print(i[0]["owner"] if i else "sam")')
for path in "/api/v1/pipeline" "/api/v1/leads?limit=50" "/api/v1/leads?stage=mql&limit=50" \
            "/api/v1/leads/$LEAD" "/api/v1/queue?owner=$OWNER" "/api/v1/reports/funnel" \
            "/api/v1/reports/calibration" "/api/v1/reports/thresholds?capacity=50" \
            "/api/v1/models" "/api/v1/trade/shortlist?top=40" "/"; do
  times=()
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $ADMIN" "$BASE$path")")
  done
  printf '%s\n' "${times[@]}" | python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
codes = {r[0] for r in rows}
print(f"  {sys.argv[1]:<45} {statistics.median(float(r[1]) for r in rows) * 1000:8.1f}   HTTP {chr(44).join(sorted(codes))}")' "$path"
done
