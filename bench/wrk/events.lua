-- wrk script: POST /api/v1/events with new events, one per request, or a batch of `batch`
-- events per request. Every event has an id no other request uses (thread, run nonce, counter),
-- so the server does the full work: store, rescore the lead, transitions.
-- Arguments (after --): TOKEN LEADS_FILE NONCE BATCH TIME
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token, leads_file, nonce, batch, at = args[1], args[2], args[3], tonumber(args[4]), args[5]
  leads = {}
  for line in io.lines(leads_file) do
    if #line > 0 then table.insert(leads, line) end
  end
  counter = 0
  headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
end

local function event()
  counter = counter + 1
  local lead = leads[(counter * 7919 + tid) % #leads + 1]
  return string.format(
    '{"event_id":"wrk-%s-%d-%d","lead_id":"%s","type":"page_view","occurred_at":"%s","props":{"page":"/pricing"}}',
    nonce, tid, counter, lead, at)
end

function request()
  if batch <= 1 then
    return wrk.format("POST", "/api/v1/events", headers, event())
  end
  local parts = {}
  for i = 1, batch do parts[i] = event() end
  return wrk.format("POST", "/api/v1/events", headers, '{"events":[' .. table.concat(parts, ",") .. ']}')
end

function done(summary, latency, requests)
  io.write(string.format("wrk-summary requests=%d errors_status=%d errors_other=%d p50_ms=%.3f p99_ms=%.3f duration_s=%.3f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
