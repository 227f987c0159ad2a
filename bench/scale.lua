-- wrk script for `bench/run --scale`: POST /generate-jwt for many distinct customers. Loads
-- load.lua (BENCH_LOAD_LUA: method, headers, status counts, the BENCH_RESULT summary) and sends
-- `{"email": "customer<i>@example.com"}` with i cycling through 0..BENCH_EMAILS-1; thread t of T
-- (BENCH_THREADS) takes i = t, t+T, t+2T, ... With BENCH_ONCE=1 each thread stops after its share,
-- so one pass sends every email once (fills the token cache).

dofile(os.getenv("BENCH_LOAD_LUA") or error("BENCH_LOAD_LUA is not set"))

local emails = tonumber(os.getenv("BENCH_EMAILS") or error("BENCH_EMAILS is not set"))
local nthreads = tonumber(os.getenv("BENCH_THREADS") or error("BENCH_THREADS is not set"))
local once = os.getenv("BENCH_ONCE") == "1"

local base_setup, base_init, base_response = setup, init, response
local created = 0

function setup(thread)
  base_setup(thread)
  thread:set("tid", created)
  created = created + 1
end

local next_i, sent, answered, share

function init(args)
  base_init(args)
  next_i = tid
  sent = 0
  answered = 0
  share = math.ceil((emails - tid) / nthreads)
end

function request()
  local i = next_i
  next_i = next_i + nthreads
  if next_i >= emails then
    next_i = tid
  end
  sent = sent + 1
  return wrk.format(nil, nil, nil, string.format('{"email": "customer%d@example.com"}', i))
end

function response(status, headers, body)
  base_response(status, headers, body)
  answered = answered + 1
  if once and answered >= share then
    wrk.thread:stop()
  end
end
