-- wrk script: rotate over the paths listed one per line in the file named after `--`, and print the results
-- as one JSON line. The number after the file is wrk's thread count: each thread starts at its own evenly
-- spaced point of the list, so no thread requests a path another has requested unless the list wraps.
-- The result counts the requests sent and the distinct paths they went to.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- Globals, not locals: done() reads them from each thread with thread:get().
function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  path_count = #paths
  first = math.floor(id * path_count / (tonumber(args[2]) or 1)) % path_count
  -- wrk calls thread 0's request() once before the run to check the request it builds, without sending it.
  sent = id == 0 and -1 or 0
end

function request()
  local path = paths[(first + sent) % path_count + 1]
  sent = sent + 1
  return wrk.format("GET", path)
end

-- Requests sent and distinct paths over all threads: thread i went through `sent` paths from `first` on.
local function coverage()
  local seen, distinct, total = {}, 0, 0
  for _, thread in ipairs(threads) do
    local count, start, thread_sent = thread:get("path_count"), thread:get("first"), thread:get("sent")
    total = total + thread_sent
    for offset = 0, math.min(thread_sent, count) - 1 do
      local index = (start + offset) % count
      if not seen[index] then
        seen[index] = true
        distinct = distinct + 1
      end
    end
  end
  return total, distinct
end

function done(summary, latency, requests)
  local errors = summary.errors
  local total, distinct = coverage()
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "bytes": %d, "errors": %d, "non_2xx_3xx": %d, ' ..
    '"mean_ms": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "sent": %d, "distinct_paths": %d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    errors.connect + errors.read + errors.write + errors.timeout + errors.status, errors.status,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    total, distinct))
end
