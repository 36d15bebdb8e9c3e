-- wrk script: POST one small task per request, each with its own task_id (per-thread prefix).
-- The same script drives POST /v1/tasks and the yardstick POST /bench/noop.
local counter = 0
local threads = {}
prefix = "w"  -- global: setup() gives each thread its own

function setup(thread)
  thread:set("prefix", "w" .. #threads)
  table.insert(threads, thread)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = '{"task_id":"' .. prefix .. '-' .. counter ..
      '","model":"llama-2-7b","input":"Summarise the quarterly report in three bullet points.",' ..
      '"priority":' .. (counter % 10) .. ',"max_tokens":64,"tenant":"bench"}'
  return wrk.format(nil, nil, nil, body)
end
