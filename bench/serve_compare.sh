#!/usr/bin/env bash
# The README's server figures, for this server and another build of gradtrace (the FlyingFox one,
# from an older commit) in one run, on loopback. Bounded: a few 20 s wrk runs and 20 s attacks.
#   bash bench/serve_compare.sh NEW_BINARY [OLD_BINARY]
set -euo pipefail
new=$1; old=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
start() {  # binary port -> pid
  "$1" serve --port "$2" >/dev/null 2>&1 & echo $!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$2/api/health" && return; sleep 0.1; done
}
run_wrk() {  # label binary port
  local pid; pid=$(start "$2" "$3"); sleep 0.5
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @<(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$here/wrk_explain.lua") "http://127.0.0.1:$3/api/explain"
  echo "== $1: wrk -t2 -c64 -d20s --latency (cached neuron explain with its SVG)"
  wrk -t2 -c64 -d20s --latency -s "$here/wrk_explain.lua" "http://127.0.0.1:$3/api/explain" | grep -E "Requests/sec|Non-2xx|Socket errors|50%|99%|requests in"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
for round in ${ROUNDS:-1 2}; do
  run_wrk "hummingbird (round $round)" "$new" 18101
  [ -n "$old" ] && run_wrk "flyingfox (round $round)" "$old" 18102
done
pid=$(start "$new" 18103)
echo "== hummingbird: 8 clients sending 1 MiB request lines for 20 s"
python3 "$here/serve_headers.py" --port 18103 --clients 8 --line-bytes $((1 << 20)) --seconds 20
echo "== hummingbird: WebSocket frames announcing 1 GiB"
python3 "$here/serve_ws_frame.py" --port 18103 --pid "$pid" --runs 50
python3 "$here/serve_ws_frame.py" --port 18103 --pid "$pid" --runs 5 --payload $((256 << 20))
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
if [ -n "$old" ]; then
  pid=$(start "$old" 18104)
  echo "== flyingfox: 8 clients sending 128 KiB request lines for 20 s (1 MiB would take minutes of CPU each)"
  python3 "$here/serve_headers.py" --port 18104 --clients 8 --line-bytes $((128 << 10)) --seconds 20 || true
  kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
  pid=$(start "$old" 18105)
  echo "== flyingfox: a frame announcing 1 GiB, then 256 MiB of it"
  timeout 120 python3 "$here/serve_ws_frame.py" --port 18105 --pid "$pid" --runs 1 --payload $((256 << 20)) || true
  kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
fi
