#!/usr/bin/env python3
"""A bounded soak of `gradtrace serve` on loopback: clients come and go, memory is sampled.

    python3 bench/serve_soak.py GRADTRACE_BINARY [--seconds 600] [--clients 16] [--mode distinct]

Starts `GRADTRACE_BINARY serve --port 0` on 127.0.0.1 (nothing else is contacted), runs
CLIENTS threads for SECONDS; each client opens a connection, makes 1 to 20 requests and
leaves, again and again. Every 10 s it prints the resident memory (RSS) of the server and of
its drawing processes (`graphviz-worker`), summed, and the replies counted by status. At the
end the server is stopped with SIGTERM and must exit 0.

Modes: `cached` asks for the same CS231n neuron every time (a class on one permalink);
`distinct` gives w0 a new value every request, so every reply is a new Graphviz layout;
`mixed` is 70% neurons (a quarter of them new), 10% errors, 10% step-through frames, 10% a
`def` with expand. Bounded: it stops after SECONDS or REQUESTS replies, whichever comes first.
"""
import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def memory(pid):
    kids = children(pid)
    return rss_mib(pid), sum(rss_mib(k) for k in kids), len(kids)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--requests", type=int, default=5_000_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--mode", choices=["cached", "distinct", "mixed"], default="distinct")
    args = parser.parse_args()

    server = subprocess.Popen([args.binary, "serve", "--host", "127.0.0.1", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = server.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        print("the server did not start:", line, file=sys.stderr)
        server.kill()
        return 1
    port = int(found.group(1))
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()

    stop = time.time() + args.seconds
    counts = {}
    lock = threading.Lock()
    serial = [0]

    def next_w0(rnd):
        with lock:
            serial[0] += 1
            return round(-3 + (serial[0] * 0.000137) % 6, 6)

    def body(rnd):
        if args.mode == "cached":
            return "/api/explain", {"source": NEURON, "values": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}
        if args.mode == "distinct":
            return "/api/explain", {"source": NEURON, "values": {"w0": next_w0(rnd), "x0": -1, "w1": -3, "x1": -2, "w2": -3}}
        kind = rnd.random()
        w0 = next_w0(rnd) if rnd.random() < 0.25 else 2
        if kind < 0.7:
            return "/api/explain", {"source": NEURON, "values": {"w0": w0, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}
        if kind < 0.8:
            return "/api/explain", {"source": "sigmod(x" + "+x" * rnd.randint(0, 5)}
        if kind < 0.9:
            return "/api/frame", {"source": "(x + y) * z", "values": {"x": w0, "y": 5, "z": -4}, "step": rnd.randint(1, 3)}
        return "/api/explain", {"source": "def sp(x) = log(1 + exp(x))\nsp(a*b) + tanh(c)", "values": {"a": w0},
                                "expand": rnd.random() < 0.5}

    def total():
        with lock:
            return sum(counts.values())

    def client(k):
        rnd = random.Random(k)
        while time.time() < stop and total() < args.requests:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                for _ in range(rnd.randint(1, 20)):  # a client makes a few requests, then leaves
                    path, payload = body(rnd)
                    conn.request("POST", path, json.dumps(payload), {"Content-Type": "application/json"})
                    reply = conn.getresponse()
                    reply.read()
                    with lock:
                        counts[reply.status] = counts.get(reply.status, 0) + 1
            except Exception as error:  # noqa: BLE001 - counted, the soak goes on
                with lock:
                    counts[type(error).__name__] = counts.get(type(error).__name__, 0) + 1
            finally:
                conn.close()

    start_server, start_children, _ = memory(server.pid)
    print(f"mode {args.mode}, {args.clients} clients, up to {args.seconds:.0f} s; start: server {start_server:.1f} MiB, "
          f"drawing processes {start_children:.1f} MiB", flush=True)
    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    began = time.time()
    for t in threads:
        t.start()
    peak = 0.0
    while time.time() < stop and total() < args.requests:
        time.sleep(min(10, max(0.1, stop - time.time())))
        s, c, n = memory(server.pid)
        peak = max(peak, s + c)
        print(f"t={time.time() - began:5.0f}s server {s:6.1f} MiB + {n} drawing processes {c:6.1f} MiB = {s + c:6.1f} MiB  "
              f"replies {dict(sorted(counts.items(), key=str))}", flush=True)
    for t in threads:
        t.join()
    s, c, n = memory(server.pid)
    elapsed = time.time() - began
    print(f"end: server {s:.1f} MiB + drawing processes {c:.1f} MiB = {s + c:.1f} MiB (peak {peak:.1f}); "
          f"{total()} replies in {elapsed:.0f} s ({total() / elapsed:.0f}/s): {dict(sorted(counts.items(), key=str))}", flush=True)
    server.send_signal(signal.SIGTERM)
    status = server.wait(timeout=30)
    print(f"server stopped by SIGTERM: exit {status}", flush=True)
    failures = sum(v for k, v in counts.items() if k not in (200, 400, 422))  # 400, 422: the errors asked for
    return 0 if status == 0 and failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
