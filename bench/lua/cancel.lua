-- POST CancelMadeBooking, each request on a distinct Pending booking (ids 5, 10, 15, ...
-- are Pending in bench/seed.sql), as its client. args: clients start threads
-- The runner passes a start index past every booking an earlier run used.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  clients, start = tonumber(args[1]), tonumber(args[2])
  nthreads = tonumber(args[3])
end

function request()
  local g = 5 * (start + next_index())
  local client = ((g - 1) % clients) + 1
  return wrk.format("POST", "/v1/PhoneChat/CancelMadeBooking",
                    {["Authorization"] = "bearer bench-" .. client,
                     ["Content-Type"] = "application/json", ["Accept"] = "application/json"},
                    '{"BookingID":' .. g .. ',"Reason":"bench"}')
end
