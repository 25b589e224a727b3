-- GET MadeBookings page N of a random client (every client has the same number of bookings).
-- args: clients page per_page [seed]
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  clients, page, per_page = tonumber(args[1]), args[2], args[3]
  nthreads = tonumber(args[5] or 1)
  math.randomseed(tonumber(args[4] or 1) + index)
end

function request()
  local client = math.random(1, clients)
  return wrk.format("GET", "/v1/PhoneChat/MadeBookings?PageNumber=" .. page ..
                    "&BookingsPerPage=" .. per_page,
                    {["Authorization"] = "bearer bench-" .. client, ["Accept"] = "application/json"})
end
