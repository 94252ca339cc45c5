-- wrk script of bench/load.py. Arguments after `--`: a path, and optionally a file of needs (one a line): with it
-- every request is GET <path>?q=<next need> (round-robin, URL-encoded), so /match is measured on varied input.
-- `done` prints one JSON line: counts, errors and latency percentiles in microseconds.
local needs, path, counter = {}, "/", 0

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  path = args[1] or path
  if args[2] then
    for line in io.lines(args[2]) do
      if #line > 0 then needs[#needs + 1] = encode(line) end
    end
  end
end

function request()
  if #needs == 0 then return wrk.format("GET", path) end
  counter = counter + 1
  return wrk.format("GET", path .. "?q=" .. needs[(counter % #needs) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
