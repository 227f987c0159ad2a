-- wrk script for bench/run: the same POST for every service, non-2xx counted as errors, and a
-- one-line JSON summary printed by done() (marked BENCH_RESULT so the driver can find it).
-- Input from the environment: BENCH_BODY (the JSON body), BENCH_API_KEY (sent as a Bearer token;
-- the Flask anchors ignore it).

local body = os.getenv("BENCH_BODY") or error("BENCH_BODY is not set")
local api_key = os.getenv("BENCH_API_KEY")

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
if api_key and api_key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. api_key
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  non2xx = 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  local merged = {}
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    local s = t:get("statuses") or {}
    for code, n in pairs(s) do
      merged[code] = (merged[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"duration_us": %d, "requests": %d, "bytes": %d, "non2xx": %d, ' ..
    '"statuses": {%s}, "socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "mean": %.1f, "max": %d}}\n',
    summary.duration, summary.requests, summary.bytes, bad, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
