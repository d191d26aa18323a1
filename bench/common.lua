-- Shared by the wrk scripts: loads the seeded ID numbers and counts failed responses.
ids = {}
for line in io.lines(os.getenv("BENCH_IDS") or "bench/out/ids.txt") do
  ids[#ids + 1] = line
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("BENCH_KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
  wrk.headers["X-Purpose"] = "statistics"
end

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0 end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end
function done(summary, latency, requests)
  local f = 0
  for _, t in ipairs(threads) do f = f + t:get("failed") end
  io.write(string.format("failed responses (non-200 or GraphQL errors): %d\n", f))
end

ARCHIVE = "idNumber identity{age region{fullName}} education{schooling{schoolName schoolType enrolledOn graduatedOn}} " ..
  "civilAffairs{assistance{kind validFrom validTo}} veterans{records{category dischargedOn}} " ..
  "poverty{households{status registeredOn exitYear}} union{records{kind category validFrom}} " ..
  "socialInsurance{records{kind employerName validFrom validTo}} " ..
  "trainings{enrolmentId result class{occupationCode level trainingType startDate endDate institution{uscc name inDirectory}}} " ..
  "certificates{kind level certificateNo} subsidies{kind amountFen paidOn payingCounty}"
