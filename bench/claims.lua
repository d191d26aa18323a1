-- The claim pre-check against the same person's look-up, at concurrency 1 (latency):
-- CLAIM=1 sends `checkClaim` for a TRAINING subsidy on one of the person's enrolments,
-- otherwise the person's full archive. Pairs come from bench/out/claims.txt
-- ("<id number> <enrolment id>" per line, written by bench/run.sh).
dofile("bench/common.lua")
local pairs_ = {}
for line in io.lines(os.getenv("BENCH_CLAIMS") or "bench/out/claims.txt") do
  local id, enrolment = line:match("^(%S+)%s+(%d+)$")
  pairs_[#pairs_ + 1] = { id, enrolment }
end
local claim = os.getenv("CLAIM") == "1"
request = function()
  local p = pairs_[math.random(#pairs_)]
  local body
  if claim then
    body = '{"query":"query($c:ClaimInput!){checkClaim(claim:$c){allowed violations{rule evidence{record id}} unjudged{rule} withheld{rule}}}",' ..
      '"variables":{"c":{"idNumber":"' .. p[1] .. '","kind":"TRAINING","amountFen":80000,"paidOn":"2026-06-01","payingCounty":"371502","enrolmentId":' .. p[2] .. '}}}'
  else
    body = '{"query":"query($id:IdNumber!){person(idNumber:$id){' .. ARCHIVE .. '}}","variables":{"id":"' .. p[1] .. '"}}'
  end
  return wrk.format(nil, nil, nil, body)
end
