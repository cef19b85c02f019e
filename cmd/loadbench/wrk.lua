-- cmd/loadbench's wrk script. The paths to request come after "--" on wrk's command line; each
-- thread walks them in turn from its own starting point, so a mix holds at any moment. done
-- writes the run's totals as one JSON object to the file LOADBENCH_OUT names, so that nothing
-- reads wrk's text report.
local started = 0
function setup(thread)
  thread:set("first", started)
  started = started + 1
end

local requests, i = {}, 0
function init(args)
  for k, path in ipairs(args) do
    requests[k] = wrk.format("GET", path) -- built once: wrk is the load, not the subject
  end
  i = first % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end

function done(summary, latency)
  local e = summary.errors
  local f = assert(io.open(os.getenv("LOADBENCH_OUT"), "w"))
  f:write(string.format(
    '{"duration":%d,"requests":%d,"bytes":%d,"p50":%d,"p99":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.duration, summary.requests, summary.bytes, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
  f:close()
end
