-- wrk script for tests/bench/sites_bench.sh.
--   wrk ... -s sites.lua http://127.0.0.1:PORT -- id   MAX_ID
--   wrk ... -s sites.lua http://127.0.0.1:PORT -- near
-- "id":   GET /api/v1/sites/{random id in 1..MAX_ID}
-- "near": GET /api/v1/sites?near=<random point in the demo district's bbox>&radius_m=500&limit=20
-- done() prints one machine-readable line: BENCH rps=… p50_ms=… p99_ms=… requests=… errors=… non2xx=…

-- Demo district bbox (services/seed/demo_district.sql); the same numbers are in sites_bench.sh.
local LON0, LON_SPAN = 113.1668, 0.1049
local LAT0, LAT_SPAN = 35.1956, 0.0882

local mode = "id"
local max_id = 100000

function init(args)
  mode = args[1] or "id"
  max_id = tonumber(args[2] or max_id)
  -- One Lua state per wrk thread: seed each differently (table addresses differ per state).
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
end

function request()
  if mode == "near" then
    local lat = LAT0 + math.random() * LAT_SPAN
    local lon = LON0 + math.random() * LON_SPAN
    return wrk.format("GET",
      string.format("/api/v1/sites?near=%.6f,%.6f&radius_m=500&limit=20", lat, lon))
  end
  return wrk.format("GET", "/api/v1/sites/" .. math.random(1, max_id))
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
