#!/usr/bin/env bash
# The workspace end to end: init, model versions, imports (idempotent, all-or-nothing, rejects,
# mappings), rescore with automatic transitions, people's moves with gates and reasons,
# framework answers, show, list.
source "$(dirname "$0")/lib.sh"
W="$T/ws"
D="$T/demo"

expect_ok "demo data" "$LEADQ" demo --leads 300 --seed 7 --out "$D" --as-of 2026-11-01
expect_ok "init" "$LEADQ" init "$W"
expect_fail "init twice" "$LEADQ" init "$W"
expect_in "init twice says why" "already holds a workspace"
expect_fail "no workspace" "$LEADQ" list -w "$T/nowhere"
expect_in "no workspace says what to do" "leadq init"

# Models.
expect_fail "rescore without a model" "$LEADQ" rescore -w "$W" --as-of 2026-11-01
expect_in "rescore without a model says what to do" "model apply"
expect_ok "apply" "$LEADQ" model apply "$D/model.toml" -m "first model" -w "$W"
expect_in "apply v1" "version 1 is active"
expect_ok "apply the same" "$LEADQ" model apply "$D/model.toml" -m "again" -w "$W"
expect_in "unchanged" "unchanged"
sed 's/^points = 20$/points = 25/' "$D/model.toml" > "$D/model2.toml"
grep -q "points = 25" "$D/model2.toml" || fail "test setup: model2 has no change"
cp "$D/free-mail.txt" "$T/free-mail.txt" 2>/dev/null || true
expect_ok "apply v2" "$LEADQ" model apply "$D/model2.toml" -m "more points" -w "$W"
expect_in "v2 diff in words" "points: 20 -> 25"
expect_ok "history" "$LEADQ" model history -w "$W"
expect_in "history lists v2 active" "v2 (active)"
expect_ok "diff" "$LEADQ" model diff 1 2 -w "$W"
expect_in "diff" "points: 20 -> 25"
expect_ok "rollback" "$LEADQ" model rollback 1 -w "$W"
expect_in "rollback is v3" "version 3"
expect_ok "show model" "$LEADQ" model show 3 --summary -w "$W"
expect_in "show model summary" "rollback to version 1"
printf '[fit]\nmaxx = 1\n' > "$T/bad.toml"
expect_fail "apply a bad model" "$LEADQ" model apply "$T/bad.toml" -m "bad" -w "$W"
expect_in "bad model position" "bad.toml:2:1"

# Imports.
expect_ok "import accounts" "$LEADQ" import accounts "$D/accounts.csv" -w "$W"
expect_ok "import leads" "$LEADQ" import leads "$D/leads.csv" -w "$W"
expect_in "leads new" "300 new"
expect_ok "import events" "$LEADQ" import events "$D/events.csv" -w "$W"
first="$LAST"
expect_ok "import events again" "$LEADQ" import events "$D/events.csv" -w "$W"
expect_in "events again: nothing new" " 0 new"
expect_ok "import leads again" "$LEADQ" import leads "$D/leads.csv" -w "$W"
expect_in "leads again unchanged" "300 unchanged"

# All or nothing, rejects file, --partial.
{ echo "event_id,lead_id,type,occurred_at"
  echo "X1,L000001,page_view,2026-10-01"
  echo "X2,NOPE,page_view,2026-10-01"
  echo "X3,L000002,page_view,yesterday"; } > "$T/bad-events.csv"
expect_fail "import with bad rows" "$LEADQ" import events "$T/bad-events.csv" -w "$W"
expect_in "nothing imported" "nothing was imported"
expect_in "line of the unknown lead" "bad-events.csv:3"
[ -f "$W/rejects/bad-events.csv.rejects.csv" ] && pass || fail "rejects file written"
grep -q '^4,' "$W/rejects/bad-events.csv.rejects.csv" && pass || fail "rejects file has line 4"
expect_ok "import --partial" "$LEADQ" import events "$T/bad-events.csv" --partial -w "$W"
expect_in "partial imports one" "1 new"

# Mapping presets and files.
{ echo "Record ID,First Name,Last Name,Email,Job Title,Associated Company ID,Create Date"
  echo "H1,Ana,Silva,ana@example.com,VP Engineering,A00001,2026-01-05"; } > "$T/hubspot.csv"
expect_ok "hubspot preset" "$LEADQ" import leads "$T/hubspot.csv" --map hubspot -w "$W"
expect_in "hubspot lead new" "1 new"
{ echo "[columns]"; echo 'lead_id = "Contact"'; } > "$T/map.toml"
{ echo "Contact,Title"; echo "M1,CTO"; } > "$T/mapped.csv"
expect_ok "mapping file" "$LEADQ" import leads "$T/mapped.csv" --map "$T/map.toml" -w "$W"
expect_ok "show mapped lead" "$LEADQ" show M1 -w "$W"
expect_in "mapped field kept" "CTO"

# Outcomes.
{ echo "deal_id,account_id,lead_id,created_at,closed_at,status,value,lost_reason"
  echo "D1,A00001,L000001,2026-01-01,2026-03-01,Closed Won,12000,"
  echo "D2,A00002,,2026-01-01,2026-04-01,lost,,no_budget"; } > "$T/outcomes.csv"
expect_ok "outcomes" "$LEADQ" import outcomes "$T/outcomes.csv" -w "$W"
expect_in "two outcomes" "2 new"

# Rescore and automatic transitions.
expect_ok "rescore" "$LEADQ" rescore -w "$W" --as-of 2026-11-01
expect_in "moves to mql" "new -> mql"
expect_ok "list mql" "$LEADQ" list --stage mql --limit 0 --format csv -w "$W"
mqls=$(($(wc -l <<<"$LAST") - 1))
[ "$mqls" -gt 0 ] && pass || fail "some leads are mql after rescore"
lead=$(sed -n 2p <<<"$LAST" | cut -d, -f1)
expect_ok "rescore again" "$LEADQ" rescore -w "$W" --as-of 2026-11-01
expect_in "no new transitions" "transitions: 0"

# People's moves, gates and reasons.
expect_fail "forbidden move" "$LEADQ" stage "$lead" --to won --by ana -w "$W"
expect_in "forbidden says what is allowed" "accepted"
expect_fail "unknown stage" "$LEADQ" stage "$lead" --to promoted --by ana -w "$W"
expect_in "unknown stage lists stages" "disqualified"
expect_fail "unknown lead" "$LEADQ" stage NOPE --to accepted --by ana -w "$W"
expect_ok "accept" "$LEADQ" stage "$lead" --to accepted --by ana -w "$W"
expect_fail "sql gated by BANT" "$LEADQ" stage "$lead" --to sql --by ana -w "$W"
expect_in "gate says what is missing" "budget"
expect_fail "unknown criterion" "$LEADQ" qualify "$lead" --framework bant --set money=met --by ana -w "$W"
expect_ok "qualify" "$LEADQ" qualify "$lead" --framework bant --set budget=met --set authority=met \
  --set need=met --set timing=met --evidence "Budget approved for Q3 by CFO" --source call --by ana -w "$W"
expect_in "4 of 4" "4 of 4 met"
expect_ok "sql" "$LEADQ" stage "$lead" --to sql --by ana -w "$W"
expect_fail "lost needs a reason" "$LEADQ" stage "$lead" --to lost --by ana -w "$W"
expect_in "reason needed" "--reason"
expect_fail "unknown reason" "$LEADQ" stage "$lead" --to lost --reason whatever --by ana -w "$W"
expect_ok "lost with reason" "$LEADQ" stage "$lead" --to lost --reason no_budget --by ana -w "$W"
expect_ok "recycle" "$LEADQ" stage "$lead" --to recycled --by ana --at 2026-11-02 -w "$W"
expect_in "recycle return date" "returns on 2027-03-02"
expect_ok "rescore after the return date" "$LEADQ" rescore -w "$W" --as-of 2027-03-03
expect_in "recycled returns" "recycled -> nurture"
expect_ok "show" "$LEADQ" show "$lead" -w "$W" --as-of 2027-03-03
for section in "Fields" "Frameworks" "History" "BANT 4 of 4 met" "recycled 1x" "rule:recycle-return"; do
  expect_in "show has $section" "$section"
done
expect_ok "list json" "$LEADQ" list --format json --limit 3 -w "$W"
expect_in "json list" '"lead_id"'

finish
