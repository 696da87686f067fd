-- wrk against the explain endpoint with a new w0 in every request (no two alike over all
-- threads), so every reply is parsed, traced and laid out by Graphviz anew.
--   wrk -t2 -c64 -d20s -s bench/wrk_explain_distinct.lua http://127.0.0.1:8080/api/explain
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"source": "1/(1+exp(-(w0*x0+w1*x1+w2)))", "values": {"w0": %d.%06d, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}', id, counter)
  return wrk.format("POST", "/api/explain", {["Content-Type"] = "application/json"}, body)
end
