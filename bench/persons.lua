-- One `persons` batch of 1,000 random seeded IDs per request, full archive.
dofile("bench/common.lua")
request = function()
  local picked = {}
  for i = 1, 1000 do picked[i] = '"' .. ids[math.random(#ids)] .. '"' end
  local body = '{"query":"query($ids:[IdNumber!]!){persons(idNumbers:$ids){' .. ARCHIVE .. '}}","variables":{"ids":[' .. table.concat(picked, ",") .. ']}}'
  return wrk.format(nil, nil, nil, body)
end
