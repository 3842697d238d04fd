-- wrk script: rotate over the paths listed one per line in the file named after `--`,
-- each thread starting at a different path, and print the results as one JSON line.
local paths = {}
local next_index = 0
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  next_index = (id * 7919) % #paths
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "bytes": %d, "errors": %d, "non_2xx_3xx": %d, ' ..
    '"mean_ms": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status, errors.status,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
