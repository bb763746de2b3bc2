-- wrk script for bench/collect.sh: each request posts one Notion event (as Notion's webhook
-- does), with an id unique per thread and request, about 800 bytes like a real event.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  n = 0
  token = os.getenv("COLLECT_TOKEN")
  padding = string.rep("x", 420)
end

request = function()
  n = n + 1
  local body = string.format('{"event":{"id":"bench-%d-%d","timestamp":"%s","workspace_id":"3f1c2b8e-0000-4000-8000-000000000001",'
    .. '"actor":{"id":"a1b2c3d4-0000-4000-8000-000000000002","object":"user","type":"person","person":{"email":"anna.schmidt@example.com"}},'
    .. '"ip_address":"82.113.237.187","platform":"web","type":"page.viewed","details":{"page_name":"Quarterly plan %s",'
    .. '"page_audience":"shared_internally","target":{"type":"page_id","page_id":"9c0d1e2f-0000-4000-8000-000000000003"}}}}',
    tid, n, os.date("!%Y-%m-%dT%H:%M:%S.000Z"), padding)
  return wrk.format("POST", "/notion/events", {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
