-- wrk script: POST a view count for one story as a new reader each time (a User-Agent of its own), with the
-- page's token given after `--` as "token=…"; prints one JSON line (bench/scale_figures.py).
local body
local counter = 0
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  body = args[1]
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = "Mozilla/5.0 reader-" .. id .. "-" .. counter,
  }
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local non_2xx = summary.errors.status
  io.write(string.format('{"requests": %d, "duration_s": %.3f, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, non_2xx))
end
