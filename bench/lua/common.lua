-- Shared by every bench script: per-thread state, and a done() that prints one JSON line
-- the runner parses (requests, duration, non-2xx count, latency percentiles in us).
threads = {}
local counter = 0

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function next_index()
  -- 0, T, 2T, ... offset by this thread's index: every request of the run gets its own
  local i = counter * nthreads + index
  counter = counter + 1
  used = counter
  return i
end

function done(summary, latency, requests)
  local used_max = 0
  for _, t in ipairs(threads) do
    local u = t:get("used") or 0
    if u > used_max then used_max = u end
  end
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"used":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    used_max * #threads))
end
