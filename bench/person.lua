-- One `person` look-up of the full archive per request, random seeded ID.
dofile("bench/common.lua")
request = function()
  local id = ids[math.random(#ids)]
  local body = '{"query":"query($id:IdNumber!){person(idNumber:$id){' .. ARCHIVE .. '}}","variables":{"id":"' .. id .. '"}}'
  return wrk.format(nil, nil, nil, body)
end
