-- wrk script: POST one small task per request, each with its own task_id (per-thread prefix).
-- The same script drives POST /v1/tasks and the yardstick POST /bench/noop.
-- The prefix is new for every wrk run: ids a warm-up run already used would be answered as
-- idempotent resubmissions (200 and the task's report, nothing stored), not queued.
local counter = 0
local threads = {}
prefix = "w"  -- global: setup() gives each thread its own

local function run_id()
  local f = io.open("/proc/sys/kernel/random/uuid", "r")
  local id = f and f:read("*l") or tostring(os.time())
  if f then f:close() end
  return string.sub(string.gsub(id, "-", ""), 1, 12)
end
local run = run_id()

function setup(thread)
  thread:set("prefix", "w" .. run .. "-" .. #threads)
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
