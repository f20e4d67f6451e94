#!/usr/bin/env bash
# Handoff end to end: owners, assignment when leads become mqls (rules, account affinity,
# fallback), the handoff packet, response clocks in working hours across a weekend, a time zone
# and a daylight-saving change, escalation by tick, touches with limits and do-not-contact,
# cadences that stop on a reply or end in recycling, the queue, and the webhook outbox. Time is
# always given (--as-of, --at): nothing waits for a clock.
source "$(dirname "$0")/lib.sh"
W="$T/ws"
mkdir -p "$T/in"
cat > "$T/in/model.toml" <<'TOML'
[fit]
max = 100
[[fit.rule]]
name = "High fit"
when = { field = "lead.fit", eq = "high" }
points = 100
[intent]
max = 100
[[intent.event]]
type = "demo_request"
points = 100
[grades]
fit = { A = 50, B = 0 }
intent = { "1" = 50, "2" = 0 }
[actions]
mql = ["A1"]
[[channel]]
name = "outbound"
when = { field = "lead.channel", eq = "outbound" }
[channel.actions]
mql = ["A1"]
[handoff]
fallback = ["sam"]
limit = { touches = 3, days = 2 }
do_not_contact = { field = "lead.dnc", eq = "yes" }
[[handoff.assign]]
name = "emea"
when = { field = "account.region", eq = "EMEA" }
pool = ["mia", "max"]
[[handoff.assign]]
name = "us"
when = { field = "account.region", eq = "US" }
pool = ["ana"]
[[handoff.sla]]
name = "outbound"
channels = ["outbound"]
minutes = 240
working_hours = true
escalate = "notify"
[[handoff.sla]]
name = "hot"
cells = ["A1"]
minutes = 5
escalate = "reassign"
escalate_after_minutes = 10
[[handoff.cadence]]
name = "short"
touches = 3
days = 4
min_spacing_hours = 24
via = ["call", "email"]
reply_wait_days = 2
TOML
cat > "$T/in/accounts.csv" <<'CSV'
account_id,region
A1,EMEA
A2,US
A3,EMEA
CSV
cat > "$T/in/leads.csv" <<'CSV'
lead_id,account_id,fit,channel,dnc,first_name
L1,A1,high,inbound,,Ada
L2,A1,high,inbound,,Bo
L3,A2,high,outbound,,Cy
L4,A3,high,inbound,yes,Di
L5,A3,high,inbound,,Ed
L6,A2,low,inbound,,Fay
CSV
{
  echo "lead_id,type,occurred_at"
  for l in L1 L2 L3 L4 L5 L6; do echo "$l,demo_request,2026-03-06T12:00:00Z"; done
} > "$T/in/events.csv"

expect_ok "init" "$LEADQ" init "$W"
expect_ok "apply" "$LEADQ" model apply "$T/in/model.toml" -m "handoff" -w "$W"
for f in accounts leads events; do
  expect_ok "import $f" "$LEADQ" import "$f" "$T/in/$f.csv" -w "$W"
done

# Owners.
expect_fail "manager first" "$LEADQ" owner add mia --name "Mia M" --role SDR --capacity 10 \
  --hours "mon-fri 09:00-17:00" --tz Europe/Berlin --manager sam -w "$W"
expect_in "manager must exist" "no owner \"sam\""
expect_ok "owner sam" "$LEADQ" owner add sam --name "Sam S" --role AE --capacity 50 -w "$W"
expect_ok "owner mia" "$LEADQ" owner add mia --name "Mia M" --role SDR --capacity 10 \
  --hours "mon-fri 09:00-17:00" --tz Europe/Berlin --manager sam -w "$W"
expect_ok "owner max" "$LEADQ" owner add max --role SDR --capacity 10 --manager sam -w "$W"
expect_ok "owner ana" "$LEADQ" owner add ana --role SDR --capacity 10 \
  --hours "mon-fri 09:00-17:00" --tz America/New_York --manager sam -w "$W"
expect_fail "bad hours" "$LEADQ" owner add zed --hours "mon-fry 09:00-17:00" -w "$W"
expect_in "bad hours say what" 'unknown day "fry"'
expect_fail "bad zone" "$LEADQ" owner add zed --tz Europe/Berln -w "$W"
expect_in "bad zone says what" 'unknown time zone "Europe/Berln"'
expect_fail "owner twice" "$LEADQ" owner add ana -w "$W"
expect_ok "owner update" "$LEADQ" owner update max --role AE -w "$W"
expect_in "update changes only what is given" "max (AE), capacity 10/week"

# A webhook whose receiver is down: messages wait in the outbox.
expect_ok "webhook" "$LEADQ" webhook add http://127.0.0.1:9/crm --secret s3 -w "$W"
expect_fail "webhook bad url" "$LEADQ" webhook add ftp://x/y --secret s3 -w "$W"
expect_fail "webhook bad kind" "$LEADQ" webhook add http://x/y --secret s3 --kinds nope -w "$W"

# Friday 2026-03-06 20:00Z: five leads become mqls and are assigned at once.
expect_ok "rescore" "$LEADQ" rescore --as-of 2026-03-06T20:00:00Z -w "$W"
expect_in "assigned" "new mqls assigned: ana 1 max 2 mia 2"
expect_ok "packet of L2" "$LEADQ" handoff L2 --json --as-of 2026-03-06T20:01:00Z -w "$W"
expect_in "affinity: L2 follows L1's owner" '"rule": "affinity"'
expect_in "packet owner" '"owner": "mia"'
expect_in "packet names the other contact" '"lead_id": "L1"'
expect_ok "packet text" "$LEADQ" handoff L1 --as-of 2026-03-06T20:01:00Z -w "$W"
expect_in "packet reasons" "High fit"
expect_in "packet event" "2026-03-06T12:00:00Z"
expect_in "packet missing" "find out: Budget, Authority, Need, Timing"
expect_in "packet due in owner's zone" "due 2026-03-06T20:05:00Z (2026-03-06 21:05 +01:00 for the owner)"
expect_ok "reassign by the rules" "$LEADQ" assign L5 --at 2026-03-06T20:00:30Z -w "$W"
expect_in "someone else" "L5 -> mia"
expect_ok "assign back by hand" "$LEADQ" assign L5 --to max --at 2026-03-06T20:00:40Z -w "$W"
expect_in "manual" "assigned by hand to max"
expect_fail "same owner" "$LEADQ" assign L5 --to max -w "$W"
expect_in "already" "already assigned to max"
expect_ok "list --owner" "$LEADQ" list --owner mia --format csv -w "$W"
expect_in "list L1" "L1,A1,mql,200.00,100.00,100.00,A1,mql,,2026-"
expect_in "list L2 with owner" ",mia"

# The outbound clock counts ana's working hours in New York: Friday 15:00-17:00, then Monday
# 09:00-11:00 EDT, after the change to daylight-saving time on Sunday 2026-03-08.
expect_ok "sla" "$LEADQ" sla --format csv --as-of 2026-03-06T20:03:00Z -w "$W"
expect_in "working-hours clock" "L3,ana,A1,outbound,2026-03-09T15:00:00Z"
expect_in "hot clock" "L1,mia,A1,hot,2026-03-06T20:05:00Z,2,false"

# First touch within the clock.
expect_ok "touch L1" "$LEADQ" touch L1 --channel call --outcome no_answer --by mia \
  --at 2026-03-06T20:04:00Z -w "$W"
expect_in "within the clock" "within response clock hot"
expect_in "next touch" "next: touch 2 of 3 by email"
expect_fail "do not contact" "$LEADQ" touch L4 --channel call --outcome no_answer --by max \
  --at 2026-03-06T20:06:00Z -w "$W"
expect_in "dnc says why" "do-not-contact"
expect_fail "bad outcome" "$LEADQ" touch L1 --channel call --outcome maybe --by mia -w "$W"

# 20:16: the other hot clocks ran out 11 minutes ago; the rule reassigns them.
expect_ok "tick" "$LEADQ" tick --as-of 2026-03-06T20:16:00Z -w "$W"
expect_in "breaches" "3 breached"
expect_in "reassigned" "3 reassigned"
expect_in "L2 leaves mia" "lead L2 taken from mia and given to max"
expect_ok "tick again" "$LEADQ" tick --as-of 2026-03-06T20:16:00Z -w "$W"
expect_in "tick is idempotent" "0 breached, 0 notified, 0 reassigned"
expect_ok "sla report" "$LEADQ" sla --as-of 2026-03-06T20:17:00Z -w "$W"
expect_in "time to first touch" "mia"
expect_ok "queue" "$LEADQ" queue --owner mia --format csv --as-of 2026-03-06T20:25:00Z -w "$W"
expect_in "breached first" "1,L4,mql,A1,200.00,2026-03-06T20:21:00Z,response clock breached"
expect_in "then the cadence" "3,L1,mql,A1,200.00"

# Limits: no more than 3 touches in 2 days.
for t in 10 11 12; do
  expect_ok "touch L5 $t" "$LEADQ" touch L5 --channel email --outcome sent --by mia \
    --at 2026-03-07T$t:00:00Z -w "$W"
done
expect_fail "limit" "$LEADQ" touch L5 --channel email --outcome sent --by mia \
  --at 2026-03-07T13:00:00Z -w "$W"
expect_in "limit says when" "the next one is allowed from 2026-03-09T10:00:00Z"

# A reply stops the cadence.
expect_ok "touch L3" "$LEADQ" touch L3 --channel email --outcome sent --by ana \
  --at 2026-03-09T14:00:00Z -w "$W"
expect_ok "reply L3" "$LEADQ" touch L3 --channel email --outcome replied --by ana \
  --at 2026-03-09T16:00:00Z -w "$W"
expect_in "cadence stops" "cadence short stops"

# L1's cadence: two more touches, then two days without a reply: recycled as unresponsive.
expect_ok "touch L1 2" "$LEADQ" touch L1 --channel email --outcome sent --by mia \
  --at 2026-03-07T20:05:00Z -w "$W"
expect_ok "touch L1 3" "$LEADQ" touch L1 --channel call --outcome voicemail --by mia \
  --at 2026-03-08T20:10:00Z -w "$W"
expect_in "last touch" "recycled as unresponsive"
# L5's three touches (the limit test) ended its cadence on 03-09 12:00; L1's ends 03-10 20:10.
expect_ok "tick before" "$LEADQ" tick --as-of 2026-03-10T20:09:00Z -w "$W"
expect_in "L5 recycled" "recycled: lead L5"
expect_in "not L1 yet" "1 recycled"
expect_ok "tick after" "$LEADQ" tick --as-of 2026-03-10T20:11:00Z -w "$W"
expect_in "recycled" "recycled: lead L1 (cadence short ended: 3 touches, no reply"
expect_ok "show L1" "$LEADQ" show L1 -w "$W"
expect_in "log" "mql -> recycled  by rule:cadence"
expect_in "reason" "reason unresponsive"

# The outbox kept every message while the receiver was down.
expect_ok "deliver" "$LEADQ" webhook deliver --as-of 2026-03-10T21:00:00Z --timeout 2 -w "$W"
expect_in "nothing delivered" "0 delivered"
expect_ok "webhook list" "$LEADQ" webhook list -w "$W"
expect_in "pending" "delivered 0, dead 0"
expect_ok "owner list" "$LEADQ" owner list --as-of 2026-03-07T00:00:00Z -w "$W"
expect_in "load" "mia"

# Fairness and capacity over thousands of leads: 3,000 mqls, a pool with capacities 1,000,
# 1,000 and 500: each owner gets exactly its capacity, the rest wait for next week.
W2="$T/ws2"
cat > "$T/in/fair.toml" <<'TOML'
[fit]
[[fit.rule]]
name = "Everyone"
when = { field = "lead.fit", exists = true }
points = 100
[intent]
[[intent.event]]
type = "visit"
points = 100
[grades]
fit = { A = 50, B = 0 }
intent = { "1" = 50, "2" = 0 }
[actions]
mql = ["A1"]
[handoff]
[[handoff.assign]]
name = "all"
pool = ["p1", "p2", "p3"]
TOML
awk 'BEGIN { print "lead_id,fit"; for (i = 1; i <= 3000; i++) printf "F%05d,x\n", i }' > "$T/in/fair-leads.csv"
awk 'BEGIN { print "lead_id,type,occurred_at"; for (i = 1; i <= 3000; i++) printf "F%05d,visit,2026-03-01\n", i }' > "$T/in/fair-events.csv"
expect_ok "fair init" "$LEADQ" init "$W2"
expect_ok "fair model" "$LEADQ" model apply "$T/in/fair.toml" -m fair -w "$W2"
expect_ok "fair leads" "$LEADQ" import leads "$T/in/fair-leads.csv" -w "$W2"
expect_ok "fair events" "$LEADQ" import events "$T/in/fair-events.csv" -w "$W2"
expect_ok "p1" "$LEADQ" owner add p1 --capacity 1000 -w "$W2"
expect_ok "p2" "$LEADQ" owner add p2 --capacity 1000 -w "$W2"
expect_ok "p3" "$LEADQ" owner add p3 --capacity 500 -w "$W2"
expect_ok "fair rescore" "$LEADQ" rescore --as-of 2026-03-02 -w "$W2"
expect_in "each to capacity" "new mqls assigned: p1 1,000 p2 1,000 p3 500; waiting for an owner 500"
# Proportional all along: among the first 500 assigned, shares follow capacity (2:2:1).
"$LEADQ" list --stage mql --sort lead --limit 0 --format csv -w "$W2" > "$T/fair-list.csv"
awk -F, 'NR > 1 && NR <= 501 { n[$NF]++ } END { printf "%d %d %d\n", n["p1"], n["p2"], n["p3"] }' \
  "$T/fair-list.csv" > "$T/share"
expect_eq "first 500 by capacity" "$(cat "$T/share")" "200 200 100"
# The same week nobody has room: a tick counts the 500 as waiting and assigns none.
expect_ok "full tick" "$LEADQ" tick --as-of 2026-03-03T01:00:00Z -w "$W2"
expect_in "all full" "0 assigned, 500 mqls waiting"
# A week later the capacity is free again: tick gives the waiting 500 an owner.
expect_ok "fair tick" "$LEADQ" tick --as-of 2026-03-09T01:00:00Z -w "$W2"
expect_in "waiting assigned" "500 assigned, 0 mqls waiting"
finish
