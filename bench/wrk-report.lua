-- wrk script: optional If-None-Match, a count of every status, one JSON line at the end.
-- Environment: BENCH_IF_NONE_MATCH (an ETag), BENCH_ACCEPT_ENCODING (e.g. gzip),
-- BENCH_CACHE_CONTROL (no-cache: past defcoop's response cache).
local inm = os.getenv("BENCH_IF_NONE_MATCH")
if inm and inm ~= "" then
  wrk.headers["If-None-Match"] = inm
end
local encoding = os.getenv("BENCH_ACCEPT_ENCODING")
if encoding and encoding ~= "" then
  wrk.headers["Accept-Encoding"] = encoding
end

local cache_control = os.getenv("BENCH_CACHE_CONTROL")
if cache_control and cache_control ~= "" then
  wrk.headers["Cache-Control"] = cache_control
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  body_bytes = 0
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if body then
    body_bytes = body_bytes + #body
  end
end

function done(summary, latency, requests)
  local merged, bytes = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + n
    end
    bytes = bytes + thread:get("body_bytes")
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "body_bytes": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, bytes, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout))
end
