-- wrk script for tests/bench/auth_bench.sh.
--   wrk ... -s auth.lua http://127.0.0.1:PORT -- signin CREDENTIALS_FILE [USER,USER,...]
--   wrk ... -s auth.lua http://127.0.0.1:PORT -- get PATH
--   wrk ... -s auth.lua http://127.0.0.1:PORT -- site MAX_ID
-- "signin": POST /api/v1/sessions with the valid credentials of a random user of the file
--           (seed-demo's: username TAB password TAB ...), all of them or the listed ones;
-- "get":    GET PATH (headers such as Authorization come from wrk -H);
-- "site":   GET /api/v1/sites/{random id in 1..MAX_ID}.
-- done() prints one machine-readable line: BENCH rps=… p50_ms=… p99_ms=… requests=… errors=… non2xx=…

local mode = "get"
local path = "/healthz"
local max_id = 100000
local bodies = {}

function init(args)
  mode = args[1] or "get"
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
  if mode == "signin" then
    local only = {}
    if args[3] then
      for u in string.gmatch(args[3], "[^,]+") do only[u] = true end
    end
    for line in io.lines(args[2]) do
      local user, password = line:match("^([^\t]+)\t([^\t]+)")
      if user and (not args[3] or only[user]) then
        bodies[#bodies + 1] = string.format('{"username":"%s","password":"%s"}', user, password)
      end
    end
    assert(#bodies > 0, "no credentials read from " .. args[2])
  elseif mode == "site" then
    max_id = tonumber(args[2])
  else
    path = args[2] or path
  end
end

function request()
  if mode == "signin" then
    return wrk.format("POST", "/api/v1/sessions", { ["Content-Type"] = "application/json" },
      bodies[math.random(1, #bodies)])
  elseif mode == "site" then
    return wrk.format("GET", "/api/v1/sites/" .. math.random(1, max_id))
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
