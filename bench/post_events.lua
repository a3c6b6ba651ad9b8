-- wrk script for the ingest bench: POSTs the make_batch.py body to /v1/events and prints a JSON summary.
--
-- Usage: wrk -t2 -c64 -d10s --latency -s post_events.lua http://127.0.0.1:PORT -- BODY.json [fixed|unique] [delay_ms]
-- (or set PG_BENCH_BODY instead of the first argument). "fixed" sends the file byte for byte;
-- by default each request gets its own event_ids, of the same length, so the size never changes.

-- Must match ID_MARKER in make_batch.py: "evt-" then 12 hex digits that we overwrite per request.
local MARKER = "evt-000000000000-"

local thread_counter = 0

-- setup() runs in the main Lua state once per wrk thread; each thread has its own state,
-- so the thread number goes into the id to keep ids unique across threads.
function setup(thread)
   thread:set("thread_no", thread_counter)
   thread_counter = thread_counter + 1
end

local parts = nil      -- body split at each marker, rejoined with a fresh prefix per request
local fixed_request = nil
local sent = 0

local function read_file(path)
   local file, err = io.open(path, "rb")
   if not file then
      error("post_events.lua: cannot open body file: " .. tostring(err))
   end
   local data = file:read("*a")
   file:close()
   return data
end

function init(args)
   local path = args[1] or os.getenv("PG_BENCH_BODY")
   if not path or path == "" then
      error("post_events.lua: pass the body file after '--' or set PG_BENCH_BODY")
   end
   local body = read_file(path)
   wrk.method = "POST"
   wrk.path = "/v1/events"
   -- Pistache 0.0.5 answers "Connection: Close" unless the client asks for keep-alive,
   -- and wrk then reconnects per request (toolchain.md §3.2).
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Connection"] = "keep-alive"
   wrk.body = body

   -- Optional third argument: milliseconds each connection waits after an answer before
   -- its next request, to hold a load below saturation (wrk calls delay() when it exists).
   local pause_ms = tonumber(args[3])
   if pause_ms and pause_ms > 0 then
      delay = function() return pause_ms end
   end

   local whole = wrk.format(nil, nil, nil, body)
   if args[2] == "fixed" then
      fixed_request = whole
      return
   end
   -- The whole formatted request (headers included) is split once at each marker, so a
   -- request costs one table.concat; Content-Length stays valid because the prefix is as long
   -- as the marker. Plain find (4th arg true) so the "-" in the marker is not a pattern.
   parts = {}
   local pos = 1
   while true do
      local s, e = string.find(whole, MARKER, pos, true)
      if not s then break end
      parts[#parts + 1] = string.sub(whole, pos, s - 1)
      pos = e + 1
   end
   parts[#parts + 1] = string.sub(whole, pos)
   if #parts == 1 then
      -- Body without markers (not from make_batch.py): send it unchanged.
      fixed_request = whole
      parts = nil
   end
end

function request()
   if fixed_request then
      return fixed_request
   end
   sent = sent + 1
   -- 4 hex digits of thread + 8 of counter = the marker's 12, so Content-Length never changes.
   local prefix = string.format("evt-%04x%08x-", thread_no % 0x10000, sent % 0x100000000)
   return table.concat(parts, prefix)
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   -- wrk counts only status >= 400 in errors.status; run_ingest_bench.sh checks for
   -- exactly 202 with one request before the run.
   io.write(string.format(
      '{"requests":%d,"duration_s":%.3f,"requests_per_s":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
      '"non_2xx":%d,"socket_errors":%d}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect + e.read + e.write + e.timeout))
end
