-- Hostile load: the corpus of tests/integration/hostile_corpus.rs (depth, fragment
-- fan-out, floods, huge variables, batching, wrong content types, …), written to
-- bench/out/hostile by `cargo run --release --example hostile -- --write DIR ID`, sent
-- round-robin; every fourth request is a normal full-archive `person` look-up, so that the
-- server does real work while it refuses. Non-200 answers are expected here.
dofile("bench/common.lua")
local dir = os.getenv("HOSTILE_DIR") or "bench/out/hostile"
bodies = {}
for line in io.lines(dir .. "/index.txt") do
  local file, ct = line:match("^(%S+)%s+(.+)$")
  local f = assert(io.open(dir .. "/" .. file, "rb"))
  bodies[#bodies + 1] = { f:read("*a"), ct }
  f:close()
end
-- wrk.format replaces wrk.headers when given headers: carry the key and purpose over.
local function with_type(ct)
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = ct
  return h
end
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then
    local id = ids[math.random(#ids)]
    local body = '{"query":"query($id:IdNumber!){person(idNumber:$id){' .. ARCHIVE .. '}}","variables":{"id":"' .. id .. '"}}'
    return wrk.format(nil, nil, with_type("application/json"), body)
  end
  local b = bodies[(n % #bodies) + 1]
  return wrk.format(nil, nil, with_type(b[2]), b[1])
end
-- Refusals are the point of this load: count only server errors and dropped answers.
function response(status, headers, body)
  if status >= 500 then failed = failed + 1 end
end
