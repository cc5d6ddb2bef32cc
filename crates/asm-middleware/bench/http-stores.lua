-- wrk script for bench/http-stores.sh.
--   wrk ... http://127.0.0.1:PORT -s http-stores.lua -- me
--   wrk ... http://127.0.0.1:PORT -s http-stores.lua -- search
-- `me` requests GET /asm/agents/me; `search` rotates customer searches at 1M customers over a
-- few realistic queries (many matches, a surname, no match, an id-like query, an e-mail
-- fragment). The session cookie comes from wrk's -H. At the end one line is printed:
--   RESULT <requests/s> <p50 ms> <p99 ms> <non-2xx> <socket errors> <requests>
-- where non-2xx is wrk's status error count (status > 399; these GETs never redirect) and
-- socket errors are connect + read + write + timeout.

local queries = { "anna", "schmidt", "smith", "c000123", "sofia.rossi" }
local paths = {}
local mode = "me"
local n = 0

function init(args)
  mode = args[1] or "me"
  for i, q in ipairs(queries) do
    paths[i] = "/asm/customers/search?baseSite=electronics&query=" .. q
  end
end

function request()
  if mode == "search" then
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1])
  end
  return wrk.format("GET", "/asm/agents/me")
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d %d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end
