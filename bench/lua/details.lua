-- GET MadeBookingDetails of a random booking, as the booking's client.
-- args: bookings clients accept [seed]
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  bookings, clients = tonumber(args[1]), tonumber(args[2])
  accept = args[3]
  nthreads = tonumber(args[5] or 1)
  math.randomseed(tonumber(args[4] or 1) + index)
end

function request()
  local g = math.random(1, bookings)
  local client = ((g - 1) % clients) + 1
  return wrk.format("GET", "/v1/PhoneChat/MadeBookingDetails?BookingID=" .. g,
                    {["Authorization"] = "bearer bench-" .. client, ["Accept"] = accept})
end
