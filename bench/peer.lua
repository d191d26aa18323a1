-- PostGraphile v5's `person`: the fields of bench/common.lua's ARCHIVE (identity aside,
-- which the peer cannot derive), one root field per department table, random seeded ID.
dofile("bench/common.lua")
wrk.headers["Authorization"] = nil
wrk.headers["X-Purpose"] = nil
local C = "(condition:{idNumber:$id})"
PEER = "eduSchoolings" .. C .. "{nodes{schoolName schoolType enrolledOn graduatedOn}} " ..
  "civAssistances" .. C .. "{nodes{kind validFrom validTo}} " ..
  "vetVeterans" .. C .. "{nodes{category dischargedOn}} " ..
  "povHouseholdMembers" .. C .. "{nodes{status registeredOn exitYear}} " ..
  "uniRecords" .. C .. "{nodes{kind category validFrom}} " ..
  "siRecords" .. C .. "{nodes{kind employerName validFrom validTo}} " ..
  "trnEnrolments" .. C .. "{nodes{rowId result class{occupationCode level trainingType startDate endDate " ..
  "institution{uscc name inDirectory}}}} " ..
  "trnCertificates" .. C .. "{nodes{kind level certificateNo}} " ..
  "trnSubsidies" .. C .. "{nodes{kind amountFen paidOn payingCounty}}"
request = function()
  local id = ids[math.random(#ids)]
  local body = '{"query":"query($id:String!){' .. PEER .. '}","variables":{"id":"' .. id .. '"}}'
  return wrk.format(nil, nil, nil, body)
end
