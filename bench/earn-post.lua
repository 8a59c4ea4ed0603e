-- wrk script: POST a valid earn body with a unique requestId per request (a per-thread counter),
-- so the mock does real work (parse, validate, commit) rather than answering 809.
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end
function init(args)
    thread_id = tid
end
request = function()
    counter = counter + 1
    local body = string.format(
        '{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":%d,"requestId":"wrk-%d-%d",' ..
        '"earnEventDate":"2025-03-01T10:00:00.000Z","triggeredBy":{"ownerType":"Historical_Import","referenceId":"wrk"}}',
        thread_id * 100000000 + counter, thread_id, counter)
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
