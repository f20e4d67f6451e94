#!/usr/bin/env bash
# Export pre-qualification end to end (`leadq trade`, ../shared/spec/SHIPMENTS.md): the demo's
# designed buyers land in the tiers their stories say, twice over; the shortlist in its three
# formats; importing customs records with bad rows; buyers, merge and split; access and promote
# (a contact with a decision role is the access evidence); landed cost; a bad tariff rate.
source "$(dirname "$0")/lib.sh"
MODEL="$(cd "$(dirname "$0")/../.." && pwd)/examples/models/export-auto-parts.toml"
AS_OF=2026-11-23

# count_json FILE-OR-TEXT: the length of the JSON array on standard input.
json_len() { python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }

# --- the demo -------------------------------------------------------------------------------
expect_ok "trade demo" "$LEADQ" trade demo --out "$T/d" --as-of "$AS_OF"
expect_in "says the data is synthetic" "SYNTHETIC"
expect_in "ten qualified" "10 qualified,"
W="$T/d/workspace"
"$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" --top 0 --format csv >"$T/s1.csv"
"$LEADQ" trade buyers -w "$W" --format json >"$T/b1.json"
story=$(python3 - "$T/s1.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
def one(prefix):
    found = [r for r in rows if r['name'].startswith(prefix)]
    assert len(found) == 1, prefix
    return found[0]
print(sum(r['tier'] == 'qualified' for r in rows))
h = one('GRUPO REFACCIONARIO HIDALGO')            # the designed "no access" buyer
print(h['country'], h['access'], h['tier'])
c = one('CASCADE BRAKE & CLUTCH')                 # the designed "access unknown" buyer
print(c['country'], c['tier'], c['access'], c['met'], c['unknown'])
for name in ('COMERCIAL PAULISTA DE AUTOPE', 'FREIOS NORDESTE'):  # margin-negative, BR
    r = one(name)
    print(r['country'], r['economics'], float(r['margin']) < 0.08)
PY
)
expect_eq "the demo's stories" "$story" "10
MX failed developing
US developing unknown 4 1
BR failed True
BR failed True"

# Again into the same directory: the same rows (upserted, nothing new), the same shortlist.
expect_ok "trade demo again" "$LEADQ" trade demo --out "$T/d" --as-of "$AS_OF"
expect_in "still ten qualified" "10 qualified,"
"$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" --top 0 --format csv >"$T/s2.csv"
"$LEADQ" trade buyers -w "$W" --format json >"$T/b2.json"
if cmp -s "$T/s1.csv" "$T/s2.csv"; then pass; else fail "the second demo changes the shortlist"; fi
if cmp -s "$T/b1.json" "$T/b2.json"; then pass; else fail "the second demo changes the buyers"; fi
shipments=$(grep -c . "$T/d/shipments.csv")
expect_ok "the demo's rows re-imported" "$LEADQ" trade import "$T/d/shipments.csv" -w "$W"
expect_in "nothing new" "0 new, 0 updated, $(python3 -c "print(f'{$shipments - 1:,}')") unchanged"

# --- the shortlist's formats ----------------------------------------------------------------
"$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" --format json --top 0 >"$T/s1.json"
same=$(python3 - "$T/s1.csv" "$T/s1.json" <<'PY'
import csv, json, sys
c = [r['buyer_id'] for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8'))]
j = json.load(open(sys.argv[2], encoding='utf-8'))
print(len(c) > 100, c == [b['id'] for b in j['buyers']], j['counts']['qualified'] if isinstance(j['counts'], dict) else '?')
PY
)
expect_eq "csv and json list the same buyers in the same order" "$same" "True True 10"
top=$("$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" --format csv --tier qualified --top 3 |
  python3 -c 'import csv, sys; r = list(csv.DictReader(sys.stdin)); print(len(r), {x["tier"] for x in r})')
expect_eq "--tier qualified --top 3" "$top" "3 {'qualified'}"
expect_ok "text shortlist" "$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" --top 0
expect_in "met" "[met]     activity"
expect_in "failed" "[failed]  access"
expect_in "unknown" "[unknown] access"

# --- import: bad rows ------------------------------------------------------------------------
expect_ok "init" "$LEADQ" init "$T/w"
cat >"$T/ship.csv" <<'CSV'
bol_number,arrival_date,consignee_name,hs_code,shipper_name,consignee_country,shipper_country,notify_party,weight_kg
B1,2026-05-01,Acme Brakes Inc,8708.30,Robert Bosch GmbH,US,DE,Kuehne Nagel,1200
B2,2026-05-02,ACME BRAKES INC.,8708.30,Robert Bosch GmbH,US,DE,,900
B3,not-a-date,Acme Brakes,8708.30,Robert Bosch GmbH,US,DE,,900
B4,2026-05-04,Acme Brakes,8708.30,Robert Bosch GmbH,US,DE,,heavy
B5,2026-05-05,,8708.30,Robert Bosch GmbH,US,DE,,100
B6,2026-05-06,Acme Brakes,87X,Robert Bosch GmbH,US,DE,,100
B7,2026-05-07,Zenith Parts LLC,7799.10,Hanil Brake,US,KR,,300
CSV
expect_fail "bad rows refuse the import" "$LEADQ" trade import "$T/ship.csv" -w "$T/w"
expect_in "names the line of the date" 'ship.csv:4: arrival_date "not-a-date" is not a date'
expect_in "the weight" 'ship.csv:5: weight_kg "heavy" is not a number'
expect_in "the consignee" "ship.csv:6: missing consignee_name"
expect_in "nothing imported" "nothing was imported"
rejects="$T/w/rejects/ship.csv.rejects.csv"
reasons=$(python3 -c '
import csv, sys
print(" ".join(r["line"] for r in csv.DictReader(open(sys.argv[1], newline=""))))' "$rejects")
expect_eq "the rejects file has the four bad lines" "$reasons" "4 5 6 7"
grep -qF 'hs_code ""87X"" must be 4 to 10 digits' "$rejects" && pass ||
  fail "the rejects file names the bad hs code"
n=$("$LEADQ" trade buyers -w "$T/w" --format json | json_len)
expect_eq "no buyers yet" "$n" "0"
expect_ok "--partial" "$LEADQ" trade import "$T/ship.csv" -w "$T/w" --partial
expect_in "the good rows go in" "7 rows: 3 new, 0 updated, 0 unchanged, 4 rejected"
expect_in "an HS code outside the nomenclature warns" "unknown to the HS 2022 nomenclature, kept: 7799.10 (line 8)"
n=$("$LEADQ" trade buyers -w "$T/w" --format json | json_len)
expect_eq "two buyers (ACME's two spellings joined)" "$n" "2"
expect_ok "HS 7799.10 kept" "$LEADQ" trade buyers -w "$T/w" --hs 7799.10
expect_in "its buyer" "ZENITH PARTS LLC"
expect_ok "re-import" "$LEADQ" trade import "$T/ship.csv" -w "$T/w" --partial
expect_in "adds nothing" "0 new, 0 updated, 3 unchanged, 4 rejected"

# --- import: many batches (read on one thread, written on another) ----------------------------
python3 - "$T/many.csv" "$T/many-broken.csv" <<'PY'
import sys
head = "bol_number,arrival_date,consignee_name,hs_code,shipper_name,consignee_country\n"
rows = [f"M{i},2026-0{1 + i % 9}-1{i % 10},Buyer {i % 997} Inc,8708.30,Bosch GmbH,US\n"
        for i in range(120000)]
open(sys.argv[1], "w").write(head + "".join(rows))
open(sys.argv[2], "w").write(head + "".join(rows) + 'M-last,2026-05-01,"never closed,8708.30\n')
PY
expect_ok "init" "$LEADQ" init "$T/many"
expect_fail "a broken quote after two full batches" "$LEADQ" trade import "$T/many-broken.csv" -w "$T/many"
expect_in "names the line" "many-broken.csv: line 120002: a quoted field is never closed"
n=$("$LEADQ" trade buyers -w "$T/many" --format json | json_len)
expect_eq "nothing written" "$n" "0"
expect_ok "120,000 rows in three batches" "$LEADQ" trade import "$T/many.csv" -w "$T/many"
expect_in "all of them" "120,000 rows: 120,000 new, 0 updated, 0 unchanged"
expect_ok "again" "$LEADQ" trade import "$T/many.csv" -w "$T/many"
expect_in "unchanged" "120,000 rows: 0 new, 0 updated, 120,000 unchanged"

# --- buyers, merge, split -------------------------------------------------------------------
expect_ok "buyers --country US" "$LEADQ" trade buyers -w "$T/w" --country US
expect_in "lists the spellings" "spellings: ACME BRAKES INC (1), ACME BRAKES INC. (1)"
expect_in "says why they were joined" "ACME BRAKES INC. joined ACME BRAKES INC"
expect_ok "split" "$LEADQ" trade split "ACME BRAKES INC" "ACME BRAKES INC." --country US \
  --note "two companies" -w "$T/w"
n=$("$LEADQ" trade buyers -w "$T/w" --format json | json_len)
expect_eq "split: three buyers" "$n" "3"
expect_ok "merge" "$LEADQ" trade merge "ZENITH PARTS LLC" "ACME BRAKES INC" --country US \
  --note "Zenith is Acme's trade name" -w "$T/w"
n=$("$LEADQ" trade buyers -w "$T/w" --format json | json_len)
expect_eq "merge: two buyers" "$n" "2"
expect_fail "merge of a spelling not in the records" "$LEADQ" trade merge "NO SUCH BUYER INC" \
  "ACME BRAKES INC" --country US -w "$T/w"
expect_in "names it" "NO SUCH BUYER INC"
n=$("$LEADQ" trade buyers -w "$T/w" --format json | json_len)
expect_eq "the failed merge changes nothing" "$n" "2"
expect_ok "demo buyers --country US" "$LEADQ" trade buyers -w "$W" --country US
expect_in "a demo buyer's spellings" "spellings: LONE STAR UNDERCAR SUPPLY LLC"

# --- access and promote ---------------------------------------------------------------------
# access_of NAME: criterion 5 and the tier of the buyer whose name starts with NAME.
access_of() {
  "$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" --top 0 --format csv |
    python3 -c '
import csv, sys
r = [r for r in csv.DictReader(sys.stdin) if r["name"].startswith(sys.argv[1])][0]
print(r["access"], r["tier"])' "$1"
}
expect_ok "access --yes" "$LEADQ" trade access "GRUPO REFACCIONARIO HIDALGO S.A. DE C.V." --yes \
  --note "met the owner at a fair" -w "$W"
expect_eq "criterion 5 met: qualified" "$(access_of 'GRUPO REFACCIONARIO HIDALGO')" "met qualified"
expect_ok "access --no" "$LEADQ" trade access "GRUPO REFACCIONARIO HIDALGO S.A. DE C.V." --no \
  --note "the owner will not meet" -w "$W"
expect_eq "criterion 5 failed again" "$(access_of 'GRUPO REFACCIONARIO HIDALGO')" "failed developing"
expect_ok "promote" "$LEADQ" trade promote "CASCADE BRAKE & CLUTCH DISTRIBUTORS INC." -w "$W"
expect_in "names the account" "account us-cascade-brake-and-clutch-distributors"
cat >"$T/contacts.csv" <<'CSV'
lead_id,account_id,email,first_name,last_name,title,decision_role
C1,us-cascade-brake-and-clutch-distributors,jane@cascade.example,Jane,Doe,Purchasing Director,decision maker
C2,us-cascade-brake-and-clutch-distributors,bob@cascade.example,Bob,Roe,Buyer,influencer
CSV
expect_ok "import the contacts" "$LEADQ" import leads "$T/contacts.csv" -w "$W"
expect_eq "a decision maker: access met" "$(access_of 'CASCADE BRAKE & CLUTCH')" "met qualified"
expect_ok "text shortlist" "$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" --top 0
expect_in "the evidence names the contact" \
  "account us-cascade-brake-and-clutch-distributors: Jane Doe, Purchasing Director (decision maker)"

# --- landed cost ----------------------------------------------------------------------------
expect_ok "landed-cost" "$LEADQ" trade landed-cost --hs 8708.30 --to US --model "$MODEL"
for line in FOB freight insurance duty "merchandise processing fee" "harbor maintenance fee" \
  landed; do
  grep -qE "^$line +[0-9]" <<<"$LAST" && pass || fail "landed-cost prints the $line line"$'\n'"$LAST"
done
lc=$("$LEADQ" trade landed-cost --hs 8708.30 --to US --model "$MODEL" --json |
  python3 -c 'import json, sys; j = json.load(sys.stdin); print(j["landed_usd"] > j["fob"] > 0)')
expect_eq "landed above FOB" "$lc" "True"
expect_fail "a country the model has no rule for" "$LEADQ" trade landed-cost --hs 8708.30 \
  --to XX --model "$MODEL"
expect_in "names the model's countries" "it has US, BR, MX, PL"

# --- a bad rate in a tariff file ------------------------------------------------------------
mkdir -p "$T/m"
cp -r "$MODEL" "$(dirname "$MODEL")/tariffs" "$T/m/"
sed -i '4s/,2\.5%,/,"5,5 %",/' "$T/m/tariffs/us-hts-8708.csv"
expect_fail "model check" "$LEADQ" model check "$T/m/export-auto-parts.toml"
expect_in "names the file, line and string" 'tariffs/us-hts-8708.csv:4: cannot read the rate "5,5 %"'
expect_fail "shortlist --model" "$LEADQ" trade shortlist -w "$W" --as-of "$AS_OF" \
  --model "$T/m/export-auto-parts.toml"
expect_in "the same message" 'tariffs/us-hts-8708.csv:4: cannot read the rate "5,5 %"'

finish
