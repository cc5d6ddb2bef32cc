-- wrk script of `cargo xtask bench http` (xtask/src/bench.rs writes it to its temp folder).
--   wrk -tT ... -s bench-http.lua http://127.0.0.1:PORT -- <me|search> <cookie file> T
-- Each request carries one of the signed-in agents' session cookies (one a line in the file):
-- wrk thread t of T uses cookies t, t+T, t+2T, ... in turn, so that each agent has about one
-- request in flight (the middleware lets an agent have 3 searches in flight; a 4th gets 429).
-- `me` requests GET /asm/agents/me; `search` rotates a typical agent query mix over the store
-- (many matches, a surname, no match, an id-like query, an e-mail fragment; pages of 20).
-- At the end one line is printed:
--   RESULT <requests/s> <p50 ms> <p99 ms> <non-2xx> <socket errors> <requests>
-- non-2xx is wrk's status error count (status > 399); socket errors are connect + read + write +
-- timeout.

local counter = 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end

local queries = { "anna", "schmidt", "smith", "c000123", "sofia.rossi" }
local mode = "me"
local mine = {}
local n = 0

function init(args)
  mode = args[1] or "me"
  local threads = tonumber(args[3] or "1")
  local all = {}
  for line in io.lines(args[2]) do
    if line ~= "" then
      table.insert(all, line)
    end
  end
  for i, c in ipairs(all) do
    if (i - 1) % threads == index then
      table.insert(mine, c)
    end
  end
  if #mine == 0 then -- fewer cookies than threads
    mine = all
  end
end

function request()
  n = n + 1
  local headers = { ["Cookie"] = "asm_session=" .. mine[(n % #mine) + 1] }
  if mode == "search" then
    local q = queries[(n % #queries) + 1]
    return wrk.format("GET", "/asm/customers/search?baseSite=electronics&query=" .. q, headers)
  end
  return wrk.format("GET", "/asm/agents/me", headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d %d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end
