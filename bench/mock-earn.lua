-- wrk script for bench/mock-wrk.sh: POSTs earn requests, each with a unique requestId
-- (thread id + counter) so every request is a fresh earn, not a 809 duplicate.
-- Basic auth for store.server / server123 (the earn API docs' worked example).

local threads = {}
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("tid", thread_counter)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  wrk.method = "POST"
  wrk.path = "/api_gateway/v1/badges/customer/earn"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"
  statuses = {}
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2024-11-03T21:51:00.192Z",' ..
    '"customerId":%d,"requestId":"bench-%d-%d",' ..
    '"triggeredBy":{"ownerType":"Historical_Import","referenceId":"ref-%d"}}',
    62090000 + (counter % 1000), tid, counter, counter)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do merged[code] = (merged[code] or 0) + n end
  end
  for code, n in pairs(merged) do
    io.write(string.format("status %d: %d\n", code, n))
  end
end
