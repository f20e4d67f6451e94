#!/usr/bin/env bash
# A process killed in the middle of an import or a rescore leaves the workspace as it was
# before that command: kill -9 at random moments, then check the counts are all-before or
# all-after, and that the workspace still works.
source "$(dirname "$0")/lib.sh"
D="$T/demo"
BASE="$T/base"
expect_ok "demo data" "$LEADQ" demo --leads 20000 --seed 11 --out "$D" --as-of 2026-11-01
expect_ok "init" "$LEADQ" init "$BASE"
expect_ok "apply" "$LEADQ" model apply "$D/model.toml" -m "kill test" -w "$BASE"
expect_ok "accounts" "$LEADQ" import accounts "$D/accounts.csv" -w "$BASE"
expect_ok "leads" "$LEADQ" import leads "$D/leads.csv" -w "$BASE"

count_of() {  # count_of DIR WORD: the number after WORD in `leadq status`
  "$LEADQ" status -w "$1" | grep -oE "(^| )$2 [0-9,]+" | head -1 | awk '{print $2}' | tr -d ','
}

# The full result, for comparison.
cp -r "$BASE" "$T/full"
expect_ok "full import" "$LEADQ" import events "$D/events.csv" -w "$T/full"
all_events=$(count_of "$T/full" events)
[ "${all_events:-0}" -gt 100000 ] && pass || fail "the full import stored $all_events events"

RANDOM=42
for i in $(seq 1 8); do
  W="$T/k$i"
  rm -rf "$W"; cp -r "$BASE" "$W"
  delay_ms=$((RANDOM % 2500 + 20))
  "$LEADQ" import events "$D/events.csv" -w "$W" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((delay_ms % 1000)))"; [ $delay_ms -ge 1000 ] && sleep $((delay_ms / 1000))
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  n=$(count_of "$W" events)
  if [ "$n" == "0" ] || [ "$n" == "$all_events" ]; then pass; else fail "import killed after ${delay_ms} ms left $n events (expected 0 or $all_events)"; fi
  expect_ok "import after the kill" "$LEADQ" import events "$D/events.csv" -w "$W"
  expect_eq "events after the kill and a new import" "$(count_of "$W" events)" "$all_events"
done

# Rescore: scores and stages are all-before or all-after.
expect_ok "rescore full" "$LEADQ" rescore -w "$T/full" --as-of 2026-11-01
scored_all=$(count_of "$T/full" scored)
for i in $(seq 1 6); do
  W="$T/r$i"
  rm -rf "$W"; cp -r "$T/k1" "$W"
  delay_ms=$((RANDOM % 3000 + 20))
  "$LEADQ" rescore -w "$W" --as-of 2026-11-01 >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((delay_ms % 1000)))"; [ $delay_ms -ge 1000 ] && sleep $((delay_ms / 1000))
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  status=$("$LEADQ" status -w "$W")
  scored=$(count_of "$W" scored)
  if [ "$scored" == "0" ]; then
    grep -q "stages: new 20,000$" <<<"$status" && pass || fail "rescore killed: no scores but stages moved: $status"
  elif [ "$scored" == "$scored_all" ]; then
    pass
  else
    fail "rescore killed after ${delay_ms} ms left $scored scores (expected 0 or $scored_all)"
  fi
  expect_ok "rescore after the kill" "$LEADQ" rescore -w "$W" --as-of 2026-11-01
done
finish
