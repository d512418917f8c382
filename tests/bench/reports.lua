-- wrk script for tests/bench/reports_bench.sh.
--   wrk ... -s reports.lua http://127.0.0.1:PORT -- summary TOKEN FROM:TO,FROM:TO,... [GROUP_BY]
--   wrk ... -s reports.lua http://127.0.0.1:PORT -- ranking TOKEN FROM:TO,FROM:TO,...
-- "summary": GET /api/v1/reports/summary?group_by=GROUP_BY [unit]&from=FROM&to=TO
-- "ranking": GET /api/v1/reports/ranking?from=FROM&to=TO
-- each request for one of the periods (days YYYY-MM-DD), at random (uniform, as pgbench's
-- random(1, n) picks them in pg_report_summary.sql and pg_report_ranking.sql).
-- done() prints one machine-readable line: BENCH rps=… p50_ms=… p99_ms=… requests=… errors=… non2xx=…

local mode, headers, periods, group_by

function init(args)
  mode = args[1]
  headers = { ["Authorization"] = "Bearer " .. args[2] }
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
  periods = {}
  for from, to in string.gmatch(args[3], "([%d-]+):([%d-]+)") do
    periods[#periods + 1] = { from, to }
  end
  group_by = args[4] or "unit"
end

function request()
  local p = periods[math.random(1, #periods)]
  if mode == "ranking" then
    return wrk.format("GET", "/api/v1/reports/ranking?from=" .. p[1] .. "&to=" .. p[2], headers)
  end
  return wrk.format("GET", "/api/v1/reports/summary?group_by=" .. group_by .. "&from=" .. p[1] ..
    "&to=" .. p[2], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
