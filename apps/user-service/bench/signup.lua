-- wrk script: POST /users with a unique email per request (per thread, per run).
-- thread_id is a global on purpose: setup() sets it in each thread's own Lua state.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  run_id = args[1] or tostring(os.time())
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"email":"bench-%s-%d-%d@bench.example.com","name":"Bench User","password":"Bench-Password-1"}',
    run_id, thread_id, counter)
  return wrk.format("POST", "/users", { ["Content-Type"] = "application/json" }, body)
end
