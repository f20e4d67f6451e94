#!/usr/bin/env bash
# learn and predict end to end: the real xeducation leads (CRLF line ends, a trailing unnamed
# column, "Select" for not answered), a small file with a date column and an outcome to skip,
# a prediction input that lacks a column, and the bad inputs a person makes.
source "$(dirname "$0")/lib.sh"
LEADS=../shared/data/leads/xeducation/Leads.csv

if [ -f "$LEADS" ]; then
  expect_ok "learn xeducation" "$LEADQ" learn --data "$LEADS" --target Converted \
    --id "Prospect ID" --drop "Tags,Lead Quality" --missing Select --method logistic \
    --out "$T/xedu.json"
  expect_in "learn reports the rows" "9,240 rows with an outcome (3,561 positive"
  expect_in "learn leaves out the id-like lead number" \
    "lead_number (id-like: every value a distinct whole number)"
  expect_in "learn reports the cross-validated measures" "cross-validated AUC 0.9"
  expect_in "learn lists top features" "top features:"
  expect_in "learn writes the model" "wrote $T/xedu.json"
  expect_ok "predict xeducation" "$LEADQ" predict --model "$T/xedu.json" --data "$LEADS" \
    --out "$T/xedu.csv"
  expect_in "predict counts rows" "9,240 rows -> $T/xedu.csv"
  expect_eq "one line per lead and a header" "$(wc -l < "$T/xedu.csv")" 9241
  expect_eq "header" "$(head -1 "$T/xedu.csv")" "prospect_id,probability"
  expect_eq "first lead in file order" "$(sed -n 2p "$T/xedu.csv" | cut -d, -f1)" \
    "7927b2df-8bba-4d29-b9a2-b6e0beafe620"
  expect_eq "six decimals" "$(sed -n 2p "$T/xedu.csv" | grep -cE ',0\.[0-9]{6}$')" 1
else
  echo "skipping the xeducation checks: $LEADS is not here"
fi

# A small file: a date column, a numeric id, an empty outcome.
{
  echo "lead_no,signed_up,visits,channel,outcome"
  for i in $(seq 1 300); do
    v=$((i * 7 % 23))
    ch=$([ $((i % 3)) -eq 0 ] && echo event || echo web)
    out=$([ $((v + (i % 3 == 0 ? 8 : 0))) -gt 14 ] && echo Won || echo lost)
    [ $((i % 5)) -eq 0 ] && [ $((v % 2)) -eq 0 ] && out=$([ "$out" = Won ] && echo lost || echo Won)
    [ "$i" -eq 300 ] && out=""
    printf '%d,2026-%02d-%02d,%d,%s,%s\n' $((5000 + i)) $((1 + i % 9)) $((1 + i % 27)) "$v" "$ch" "$out"
  done
} > "$T/small.csv"
expect_ok "learn auto" "$LEADQ" learn --data "$T/small.csv" --target outcome --folds 3 --seed 7 \
  --out "$T/small.json"
expect_in "skipped row counted" "299 rows with an outcome"
expect_in "skipped row counted" "1 skipped without one"
expect_in "date ages" "date ages as of 2026-09-27T00:00:00Z"
expect_in "numeric id left out" "lead_no (id-like"
expect_in "auto compares both" "(the better cross-validated AUC)"
grep -q '"reference_time": "2026-09-27T00:00:00Z"' "$T/small.json" && pass || fail "model records the reference time"

printf 'lead_no,visits,channel\n1,22,event\n2,0,web\n' > "$T/new.csv"
expect_ok "predict without a column" "$LEADQ" predict --model "$T/small.json" --data "$T/new.csv" \
  --id lead_no --as-of 2026-10-01
expect_in "absent column said once" "has no column signed_up: predicted as if the value were missing"
expect_eq "said once" "$(grep -c 'has no column' <<<"$LAST")" 1
expect_in "id and probability" "lead_no,probability"
expect_in "first row" $'\n1,0.'

# Bad input: exit 1 and a message that says where.
printf 'visits,outcome\n1,yes\n2,no\n3,maybe\n' > "$T/bad.csv"
expect_fail "bad outcome" "$LEADQ" learn --data "$T/bad.csv" --target outcome --out "$T/x.json"
expect_eq "bad outcome exit" "$code" 1
expect_in "bad outcome line" "$T/bad.csv:4: outcome \"maybe\" is not an outcome"
expect_fail "no such target" "$LEADQ" learn --data "$T/small.csv" --target won --out "$T/x.json"
expect_in "no such target" "no column \"won\" (--target)"
expect_fail "no such drop" "$LEADQ" learn --data "$T/small.csv" --target outcome --drop nope \
  --out "$T/x.json"
expect_in "no such drop" "no column \"nope\" (--drop)"
expect_fail "missing --target" "$LEADQ" learn --data "$T/small.csv" --out "$T/x.json"
expect_eq "usage exit" "$code" 2
echo '{"format": "something else"}' > "$T/notmodel.json"
expect_fail "not a model" "$LEADQ" predict --model "$T/notmodel.json" --data "$T/new.csv"
expect_in "not a model" "$T/notmodel.json: not a leadq learned model"
expect_fail "no model file" "$LEADQ" predict --model "$T/none.json" --data "$T/new.csv"
expect_in "no model file" "$T/none.json: cannot open the model file"
expect_fail "bad as-of" "$LEADQ" predict --model "$T/small.json" --data "$T/new.csv" --as-of soon
expect_in "bad as-of" "--as-of \"soon\" is not an ISO 8601 time"
expect_fail "no such id" "$LEADQ" predict --model "$T/small.json" --data "$T/new.csv" --id nope
expect_in "no such id" "no column \"nope\" (--id)"

finish
