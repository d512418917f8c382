-- wrk script for tests/bench/ledger_bench.sh.
--   wrk ... -s ledger.lua http://127.0.0.1:PORT -- create TOKEN MAX_SITE_ID
--   wrk ... -s ledger.lua http://127.0.0.1:PORT -- list TOKEN UNIT_ID,UNIT_ID,... [STATUS]
-- "create": POST /api/v1/issues, a new finding with a fresh client_id (UUID v4) at a random site
--           (1..MAX_SITE_ID), random category and severity, a point in the demo district, no
--           photos, no Idempotency-Key;
-- "list":   GET /api/v1/issues?unit_id=<one of the units, at random>&status=STATUS [assigned]
--           (the first page: the default limit, 50).
-- done() prints one machine-readable line: BENCH rps=… p50_ms=… p99_ms=… requests=… errors=… non2xx=…

local CATEGORIES = {
  "fume_direct_emission", "purifier_not_running", "open_air_bbq", "dust_uncovered",
  "no_dust_suppression", "muddy_vehicles", "muck_truck_uncovered", "open_burning",
  "emission_exceeded", "fugitive_emission", "shop_front_duty", "garbage_accumulation", "other" }
local LON0, LON_SPAN = 113.1668, 0.1049
local LAT0, LAT_SPAN = 35.1956, 0.0882

local mode, headers, max_site, units, status

function init(args)
  mode = args[1]
  headers = { ["Authorization"] = "Bearer " .. args[2], ["Content-Type"] = "application/json" }
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
  if mode == "create" then
    max_site = tonumber(args[3])
  else
    units = {}
    for u in string.gmatch(args[3], "[^,]+") do units[#units + 1] = u end
    status = args[4] or "assigned"
  end
end

local function uuid4()
  return string.format("%08x-%04x-4%03x-%04x-%04x%08x",
    math.random(0, 0xffffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff), math.random(0, 0xffff), math.random(0, 0xffffffff))
end

function request()
  if mode == "create" then
    local body = string.format(
      '{"client_id":"%s","site_id":%d,"category":"%s","severity":%d,' ..
      '"description":"压测：现场发现问题，已拍照取证","location":{"lat":%.6f,"lon":%.6f},' ..
      '"source":"patrol"}',
      uuid4(), math.random(1, max_site), CATEGORIES[math.random(1, #CATEGORIES)],
      math.random(1, 3), LAT0 + math.random() * LAT_SPAN, LON0 + math.random() * LON_SPAN)
    return wrk.format("POST", "/api/v1/issues", headers, body)
  end
  return wrk.format("GET", "/api/v1/issues?unit_id=" .. units[math.random(1, #units)] ..
    "&status=" .. status, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
