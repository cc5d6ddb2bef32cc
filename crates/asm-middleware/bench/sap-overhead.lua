-- wrk script for bench/sap-overhead.sh: `sim` asks the simulator's ASM search, `middleware`
-- the middleware's, `me` the middleware's /asm/agents/me. Prints one line:
--   RESULT <requests/s> <p50 ms> <p99 ms> <non-2xx> <socket errors> <requests>
local mode = "sim"
function init(args) mode = args[1] or "sim" end
function request()
  if mode == "sim" then
    return wrk.format("GET", "/assistedservicewebservices/customers/search?baseSite=electronics-spa&query=linda&pageSize=20&currentPage=0&sort=byNameAsc")
  elseif mode == "me" then
    return wrk.format("GET", "/asm/agents/me")
  end
  return wrk.format("GET", "/asm/customers/search?baseSite=electronics&query=linda")
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end
