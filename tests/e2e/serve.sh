#!/usr/bin/env bash
# leadq serve end to end: the real binary seeds a demo workspace and serves it on a free
# loopback port; curl drives the API with tokens made by `leadq token create`; a local CRM
# receiver (python3) takes the webhooks; the dashboard's browser test (playwright-core with
# Debian's chromium) signs in as a seller, records BANT answers and moves a lead to SQL; the
# transition reaches the receiver; SIGTERM stops the server cleanly.
# Screenshots go to $LEADQ_ARTIFACTS (default: build/artifacts/dashboard under the source tree).
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ART=${LEADQ_ARTIFACTS:-$ROOT/build/artifacts/dashboard}
mkdir -p "$ART"
W=$T/ws

# The CRM: appends each POST body as one line to $T/crm.log and answers 204.
python3 - "$T/crm.port" "$T/crm.log" <<'PY' &
import http.server, sys
port_file, log = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(log, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
CRM_PID=$!
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  kill "$CRM_PID" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -s "$T/crm.port" ] && break; sleep 0.1; done
CRM_PORT=$(cat "$T/crm.port")

"$LEADQ" serve --demo --demo-leads 400 -w "$W" --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" &
SERVER_PID=$!
for _ in $(seq 600); do grep -q "^leadq serve: .* on http" "$T/serve.out" 2>/dev/null && break; sleep 0.2; done
LAST=$(cat "$T/serve.out" "$T/serve.err")
expect_in "server started" "on http://127.0.0.1:"
expect_in "demo seeded" "seeded the demo workspace"
expect_in "synthetic" "synthetic data"
BASE=$(sed -n 's/.* on \(http:\/\/127.0.0.1:[0-9]*\)\/.*/\1/p' "$T/serve.out" | head -1)
ADMIN=$(sed -n 's/.*admin token (shown once): \(lq_[A-Za-z0-9_-]*\).*/\1/p' "$T/serve.out")
expect_eq "admin token printed" "${ADMIN:0:3}" "lq_"
# Its heap is on huge pages: leadq started itself again with glibc's tunable (core/memory.h).
LAST=$(tr '\0' '\n' <"/proc/$SERVER_PID/environ")
expect_in "huge heap pages asked for" "glibc.malloc.hugetlb=1"

api() {  # api METHOD PATH TOKEN [BODY] -> prints "STATUS BODY"
  local method=$1 path=$2 token=$3 body=${4:-}
  local args=(-s -o "$T/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  local code
  code=$(curl "${args[@]}" "$BASE$path")
  echo "$code $(cat "$T/body")"
}
jq_py() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# Health is public; the rest needs a token.
LAST=$(curl -s "$BASE/api/v1/health"); expect_in "health" '"status":"ok"'
LAST=$(api GET /api/v1/leads nothing); expect_in "401 without a good token" "401 "
LAST=$(api GET /api/v1/me "$ADMIN"); expect_in "me" '"role":"admin"'

# Tokens from the CLI, on the same workspace while the server runs.
INGEST=$("$LEADQ" token create --name feed --role ingest -w "$W" | grep -o 'lq_[A-Za-z0-9_-]*' | head -1)
expect_eq "ingest token" "${INGEST:0:3}" "lq_"
LAST=$(api GET /api/v1/leads "$INGEST"); expect_in "ingest may not read leads" "403 "

# The CRM's webhook, then a lead handed to a seller, accepted by ops so the seller can qualify it.
LAST=$(api POST /api/v1/webhooks "$ADMIN" "{\"url\":\"http://127.0.0.1:$CRM_PORT/crm\",\"secret\":\"s3\"}")
expect_in "webhook added" "201 "
LAST=$(api GET "/api/v1/leads?stage=mql&limit=100" "$ADMIN")
read -r LEAD OWNER < <(sed 's/^[0-9]* //' <<<"$LAST" | jq_py '" ".join(next([l["lead_id"], l["owner"]] for l in j["items"] if l["owner"]))')
[ -n "$LEAD" ] && pass || fail "no MQL with an owner in the demo: $LAST"
SELLER=$("$LEADQ" token create --name "seller-$OWNER" --role seller --owner "$OWNER" -w "$W" | grep -o 'lq_[A-Za-z0-9_-]*' | head -1)
LAST=$(api POST "/api/v1/leads/$LEAD/stage" "$SELLER" '{"to":"accepted","note":"called back"}')
expect_in "seller accepts its lead" "200 "
expect_in "transition answered" '"to":"accepted"'
OTHER=$(api GET "/api/v1/leads?stage=new&limit=1" "$ADMIN" | sed 's/^[0-9]* //' | jq_py 'j["items"][0]["lead_id"]')
LAST=$(api GET "/api/v1/leads/$OTHER" "$SELLER"); expect_in "seller may not see another's lead" "403 "
# Free-text search: a lead by its e-mail in any case, and by its account's name.
EMAIL=$(awk -F, -v id="$OTHER" '$1 == id { print $5 }' "$W/demo-data/leads.csv")
LAST=$(api GET "/api/v1/leads?q=$(echo "$EMAIL" | tr a-z A-Z)" "$ADMIN")
expect_in "search by e-mail" "\"lead_id\":\"$OTHER\""
ACCOUNT=$(awk -F, -v id="$OTHER" '$1 == id { print $2 }' "$W/demo-data/leads.csv")
NAME=$(awk -F, -v id="$ACCOUNT" '$1 == id { print $2 }' "$W/demo-data/accounts.csv")
LAST=$(api GET "/api/v1/leads?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$NAME")&limit=500" "$ADMIN")
expect_in "search by account name" "\"lead_id\":\"$OTHER\""
LAST=$(api GET "/api/v1/leads?q=zz-no-such-lead-zz" "$ADMIN"); expect_in "search finds none" '"total":0'
# Reports are kept a minute: the second answer is the first one, with its Age.
curl -s -D "$T/h1" -o "$T/r1" -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/reports/funnel"
curl -s -D "$T/h2" -o "$T/r2" -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/reports/funnel"
LAST=$(cat "$T/h2"); expect_in "kept report has an Age" "Age: "
expect_eq "kept report is the same" "$(cmp -s "$T/r1" "$T/r2" && echo same)" "same"
curl -s -D "$T/h3" -o /dev/null -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/reports/funnel?by=channel"
LAST=$(cat "$T/h3"); expect_in "other parameters computed anew" "Age: 0"
LAST=$(api POST "/api/v1/leads/$LEAD/stage" "$SELLER" '{"to":"sql"}')
expect_in "sql gated by BANT" "409 "

# An event over HTTP, idempotent.
EV="{\"event_id\":\"e2e-1\",\"lead_id\":\"$OTHER\",\"type\":\"webinar_attended\",\"occurred_at\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"
LAST=$(api POST /api/v1/events "$INGEST" "$EV"); expect_in "event accepted" '"accepted":1'
LAST=$(api POST /api/v1/events "$INGEST" "$EV"); expect_in "event duplicate" '"duplicates":1'

# The dashboard in a real browser.
if [ -x /usr/bin/chromium ] && [ -d "$ROOT/web/node_modules/playwright-core" ]; then
  if LEADQ_URL=$BASE LEADQ_TOKEN=$ADMIN LEADQ_SELLER_TOKEN=$SELLER LEADQ_LEAD=$LEAD \
     LEADQ_ARTIFACTS=$ART node "$ROOT/tests/browser/dashboard.test.mjs" >"$T/browser.log" 2>&1; then
    pass
  else
    fail "browser test:"$'\n'"$(tail -40 "$T/browser.log")"
  fi
  LAST=$(api GET "/api/v1/leads/$LEAD" "$ADMIN")
  expect_in "lead in sql after the browser" '"stage":"sql"'
  # The background sender delivers the transition to the CRM within a few ticks.
  for _ in $(seq 50); do grep -q "\"to\":\"sql\"" "$T/crm.log" 2>/dev/null && break; sleep 0.2; done
  LAST=$(cat "$T/crm.log" 2>/dev/null || true)
  expect_in "sql transition delivered to the CRM" "\"lead_id\":\"$LEAD\""
  expect_in "sql transition delivered to the CRM" '"to":"sql"'
  for page in pipeline queue lead learning export model; do
    [ -s "$ART/$page.png" ] && pass || fail "no screenshot $ART/$page.png"
  done
else
  fail "the browser test needs /usr/bin/chromium and web/node_modules (scripts/install-deps.sh)"
fi

# Every write is in the audit trail with its token's name.
sleep 0.5
LAST=$(api GET "/api/v1/audit?limit=200" "$ADMIN")
expect_in "audit names the seller" "\"token\":\"seller-$OWNER\""
expect_in "audit names the feed" '"token":"feed"'

# Graceful stop: a batch of 3,000 events is in flight when SIGTERM arrives; it is answered and
# every event is stored.
python3 - "$OTHER" >"$T/batch.json" <<'PY'
import json, sys
print(json.dumps({"events": [{"event_id": f"inflight-{i}", "lead_id": sys.argv[1], "type": "page_view",
                              "occurred_at": "2026-01-05T10:00:00Z", "props": {"page": f"/docs/{i}"}}
                             for i in range(3000)]}))
PY
curl -s -o "$T/inflight.out" -w '%{http_code}' -H "Authorization: Bearer $INGEST"   -H 'Content-Type: application/json' --data-binary @"$T/batch.json" "$BASE/api/v1/events" >"$T/inflight.code" &
CURL_PID=$!
sleep 0.3
kill -TERM "$SERVER_PID"
set +e; wait "$CURL_PID"; curl_code=$?; wait "$SERVER_PID"; code=$?; set -e
SERVER_PID=
expect_eq "in-flight request finished" "$curl_code $(cat "$T/inflight.code")" "0 200"
LAST=$(cat "$T/inflight.out"); expect_in "in-flight events all stored" '"accepted":3000'
expect_eq "clean exit on SIGTERM" "$code" "0"
LAST=$(cat "$T/serve.err"); expect_in "says it stopped" "stopped"
if grep -q "Sanitizer" "$T/serve.err"; then fail "sanitizer report: $(cat "$T/serve.err")"; fi
LAST=$("$LEADQ" status -w "$W"); expect_in "workspace readable after the stop" "leads"

# TLS: the same server over HTTPS with a self-signed certificate.
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1     -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
  "$LEADQ" serve -w "$W" --listen 127.0.0.1:0 --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"     >"$T/tls.out" 2>"$T/tls.err" &
  SERVER_PID=$!
  for _ in $(seq 300); do grep -q " on https" "$T/tls.out" 2>/dev/null && break; sleep 0.2; done
  TLS_BASE=$(sed -n 's/.* on \(https:\/\/127.0.0.1:[0-9]*\)\/.*/\1/p' "$T/tls.out" | head -1)
  LAST=$(curl -s --cacert "$T/cert.pem" "$TLS_BASE/api/v1/health" || true)
  expect_in "health over TLS" '"status":"ok"'
  LAST=$(curl -s --cacert "$T/cert.pem" -H "Authorization: Bearer $ADMIN" "$TLS_BASE/api/v1/me" || true)
  expect_in "token over TLS" '"role":"admin"'
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=
  expect_fail "a key without its certificate" "$LEADQ" serve -w "$W" --listen 127.0.0.1:0 --tls-key "$T/key.pem"
  expect_in "says both" "--tls-cert and --tls-key"
else
  fail "openssl is needed for the TLS check (scripts/install-deps.sh installs it)"
fi

finish
