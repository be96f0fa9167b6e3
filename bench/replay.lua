-- wrk script for bench/perf.py: replay the requests listed in a file, spread over threads.
--
--   wrk -t2 -c20 -d5s --latency -s bench/replay.lua URL -- FILE ONCE THREADS STATUS
--
-- FILE has one request a line, tab-separated:
--   METHOD  PATH  COOKIE  CSRF-TOKEN  CONTENT-TYPE  ACCEPT  BODY
-- (empty fields are left out). With ONCE = 1 each line is sent at most once (thread i takes
-- lines i, i + THREADS, ...) and a thread stops when its share is used up (quiz submits,
-- which need a fresh open attempt each); with ONCE = 0 every thread cycles through all the
-- lines, each from a different starting line.
--
-- A response whose status is not STATUS counts as an error (so a session that was refused,
-- and redirected to sign-in, is never measured as a fast page).
-- done() prints one line, "BENCH {json}", that bench/perf.py reads.

local threads = {}
local count = 0

function setup(thread)
  thread:set("index", count)
  count = count + 1
  table.insert(threads, thread)
end

local requests = {}
local position = 0
local once = false
local expected = 200
unexpected = 0
leftover = 0
shares = 0

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local file, nthreads = args[1], tonumber(args[3])
  once = args[2] == "1"
  expected = tonumber(args[4])
  local all = {}
  for line in io.lines(file) do
    table.insert(all, line)
  end
  for n, line in ipairs(all) do
    -- ONCE: a share of the lines each. Cycled: every line, from a different start.
    if not once or (n - 1) % nthreads == index then
      local f = split(line)
      local headers = {}
      if f[3] ~= "" then headers["Cookie"] = f[3] end
      if f[4] ~= "" then headers["X-CSRFToken"] = f[4] end
      if f[5] ~= "" then headers["Content-Type"] = f[5] end
      if f[6] ~= "" then headers["Accept"] = f[6] end
      local body = nil
      if f[7] ~= "" then body = f[7] end
      table.insert(requests, wrk.format(f[1], f[2], headers, body))
    end
  end
  if not once then
    position = math.floor(index * #requests / nthreads)
  end
  shares = #requests
  fallback = wrk.format("GET", "/bench/hello")
end

function request()
  position = position + 1
  if position > #requests then
    if once then
      -- Used up: send the baseline until the thread stops (counted, then left out).
      leftover = leftover + 1
      return fallback
    end
    position = 1
  end
  return requests[position]
end

function response(status, headers, body)
  if not (once and status == 200 and body == "hello") and status ~= expected then
    unexpected = unexpected + 1
  end
  if once and position >= #requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad, spare, lines = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
    spare = spare + (thread:get("leftover") or 0)
    lines = lines + (thread:get("shares") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, ' ..
    '"unexpected": %d, "leftover": %d, "lines": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    bad, spare, lines,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
