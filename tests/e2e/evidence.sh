#!/usr/bin/env bash
# Evidence end to end: a learned model used by the qualification model ([predictive]), in batch
# scoring and in a workspace, agreeing with `leadq predict`; suggest-weights and model backtest
# on the demo's leads, events and deals.
source "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../.." && pwd)/../shared/data/leads/xeducation/Leads.csv"
mkdir -p "$T/p"

# --- [predictive] --------------------------------------------------------------------------
# 1,500 X Education leads with a lead_id, learned on, then scored through the model.
python3 - "$DATA" "$T/p/x.csv" <<'PY'
import csv, sys
rows = csv.reader(open(sys.argv[1], newline='', encoding='utf-8'))
out = csv.writer(open(sys.argv[2], 'w', newline=''))
out.writerow(['lead_id'] + next(rows))
for i, row in enumerate(rows):
    if i >= 1500: break
    out.writerow(['X%05d' % i] + row)
PY
expect_ok "learn" "$LEADQ" learn --data "$T/p/x.csv" --target Converted --id lead_id \
  --drop "Tags,Lead Quality,Prospect ID,Lead Number" --missing Select --method logistic \
  --folds 3 --out "$T/p/p.json"
cat > "$T/p/q.toml" <<'TOML'
[predictive]
model = "p.json"

[fit]
[[fit.rule]]
name = "Likely to convert"
when = { field = "lead.p_convert", gte = 0.5 }
points = 60

[[fit.rule]]
name = "Very likely"
when = { field = "lead.p_convert", gte = 0.8 }
points = 40

[grades.fit]
A = 60
B = 0

[grades.intent]
1 = 0

[actions]
default = "nurture"
mql = ["A1"]
TOML
expect_ok "model check with [predictive]" "$LEADQ" model check "$T/p/q.toml"
expect_in "check describes it" "predictive: lead.p_convert from p.json: logistic"
expect_ok "score" "$LEADQ" score --model "$T/p/q.toml" --leads "$T/p/x.csv" --as-of 2026-01-01 \
  --out "$T/p/s.csv"
expect_ok "predict" "$LEADQ" predict --model "$T/p/p.json" --data "$T/p/x.csv" --id lead_id \
  --out "$T/p/pr.csv"
agree=$(python3 - "$T/p/pr.csv" "$T/p/s.csv" <<'PY'
import csv, sys
p = {r['lead_id']: float(r['probability']) for r in csv.DictReader(open(sys.argv[1]))}
s = {r['lead_id']: r for r in csv.DictReader(open(sys.argv[2]))}
bad = sum(1 for k, v in p.items()
          if abs(float(s[k]['fit']) - ((60 if v >= 0.5 else 0) + (40 if v >= 0.8 else 0))) > 1e-9)
print(len(p), bad, sum(1 for r in s.values() if r['action'] == 'mql') > 100)
PY
)
expect_eq "the score's fit follows the predicted probability" "$agree" "1500 0 True"
expect_ok "explain shows the probability" "$LEADQ" explain --model "$T/p/q.toml" \
  --leads "$T/p/x.csv" --as-of 2026-01-01 X00002
expect_in "explain" "lead.p_convert = \""

# The same in a workspace: the learned model is stored with the version.
expect_ok "init" "$LEADQ" init "$T/wx"
expect_ok "import" "$LEADQ" import leads "$T/p/x.csv" -w "$T/wx"
expect_ok "apply" "$LEADQ" model apply "$T/p/q.toml" -m "predictive" -w "$T/wx"
mv "$T/p/p.json" "$T/p/p.json.away"  # the stored version must not need the file any more
expect_ok "rescore" "$LEADQ" rescore --as-of 2026-01-01 -w "$T/wx"
batch_mqls=$(awk -F, 'NR > 1 && $8 == "mql"' "$T/p/s.csv" | wc -l | tr -d ' ')
expect_in "rescore sends the same leads to mql" "mql $(printf "%'d" "$batch_mqls")"
expect_fail "a model whose learned model is gone" "$LEADQ" model check "$T/p/q.toml"
expect_in "names the file and position" "q.toml:2:9: cannot read the predictive model"
echo '{"not": "a model"}' > "$T/p/p.json"
expect_fail "a file that is not a learned model" "$LEADQ" model check "$T/p/q.toml"
expect_in "says where" "q.toml:2:9: [predictive] model:"
expect_fail "apply refuses it too" "$LEADQ" model apply "$T/p/q.toml" -m "broken" -w "$T/wx"

# --- suggest-weights and backtest on the demo ---------------------------------------------
expect_ok "demo" "$LEADQ" demo --out "$T/d" --leads 3000 --as-of 2026-06-01
expect_ok "init" "$LEADQ" init "$T/ws"
for kind in accounts leads events; do
  expect_ok "import $kind" "$LEADQ" import "$kind" "$T/d/$kind.csv" -w "$T/ws"
done
expect_fail "suggest-weights without a model" "$LEADQ" suggest-weights -w "$T/ws" --out "$T/s.toml"
expect_in "says so" "no model yet"
expect_ok "apply" "$LEADQ" model apply "$T/d/model.toml" -m "demo" -w "$T/ws"
expect_ok "rescore" "$LEADQ" rescore --as-of 2026-06-01 -w "$T/ws"
expect_fail "suggest-weights without outcomes" "$LEADQ" suggest-weights -w "$T/ws" --out "$T/s.toml"
expect_in "says why" "too few outcomes to suggest weights: 0 leads with a known outcome"
expect_ok "import deals" "$LEADQ" import outcomes "$T/d/deals.csv" -w "$T/ws"
expect_ok "suggest-weights" "$LEADQ" suggest-weights -w "$T/ws" --out "$T/d/suggested.toml"
expect_in "reports the current ranking" "the current score ranks them: AUC"
expect_in "writes the model" "written: $T/d/suggested.toml"
expect_in "points to the backtest" "leadq model backtest"
expect_ok "the suggestion is a valid model" "$LEADQ" model check "$T/d/suggested.toml"
# Only points change: every other line of the model is as it was.
changed=$(diff "$T/d/model.toml" "$T/d/suggested.toml" | grep '^>' | grep -vc '^> *points = ' || true)
expect_eq "only points lines differ" "$changed" "0"
json=$("$LEADQ" suggest-weights -w "$T/ws" --out "$T/d/s2.toml" --json 2>/dev/null)
json_ok=$(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["leads"] > 50 and len(j["rules"]) > 10)' <<<"$json")
expect_eq "json has the rules" "$json_ok" "True"

expect_ok "backtest the suggestion" "$LEADQ" model backtest "$T/d/suggested.toml" -w "$T/ws"
expect_in "compares with the active version" "against the active model, version 1"
expect_in "counts changes" "leads whose action changes:"
expect_in "history row" "history (the log)"
expect_in "proposed row" "proposed model"
json=$("$LEADQ" model backtest "$T/d/model.toml" -w "$T/ws" --json 2>/dev/null)
same=$(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["changed_leads"], j["active_mqls"]["leads"] == j["proposed_mqls"]["leads"] == j["history"]["leads"])' <<<"$json")
expect_eq "the active model changes nothing and re-scores as the log says" "$same" "0 True"
json=$("$LEADQ" model backtest "$T/d/model.toml" -w "$T/ws" --from 2026-05-01 --to 2026-06-01 \
  --json 2>/dev/null)
in_window=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["leads"])' <<<"$json")
expected_window=$(python3 -c '
import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1]))
          if "2026-05-01" <= r["created_at"] < "2026-06-01"))' "$T/d/leads.csv")
expect_eq "the window holds the leads created in it" "$in_window" "$expected_window"
expect_fail "a bad --from" "$LEADQ" model backtest "$T/d/model.toml" -w "$T/ws" --from yesterday
expect_in "says what is wrong" "--from \"yesterday\" is not an ISO 8601 date or time"

finish
