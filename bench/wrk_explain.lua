-- wrk against the explain endpoint: the CS231n neuron with its SVG, the same request every time
-- (a class opening one permalink: answered from the response cache after the first).
--   wrk -t2 -c64 -d20s -s bench/wrk_explain.lua http://127.0.0.1:8080/api/explain
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"source": "1/(1+exp(-(w0*x0+w1*x1+w2)))", "values": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}'
