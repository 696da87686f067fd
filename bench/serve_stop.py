#!/usr/bin/env python3
"""How long `gradtrace serve` takes to stop on SIGTERM or SIGINT with work in flight, and whether
its drawing processes are gone after it. Loopback only; bounded: a few requests, a few seconds.

    python3 bench/serve_stop.py .build/release/gradtrace [--runs 5]
"""
import argparse, json, os, signal, socket, subprocess, sys, threading, time

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def request(port, body, out):
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(10)
    s.sendall(b"POST /api/explain HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (port, len(body)) + body)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b: break
            data += b
    except OSError as e:
        data += b"<" + str(e).encode() + b">"
    out.append(data.split(b"\r\n")[0].decode(errors="replace") or "(connection closed, no answer)")

def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f: return [int(x) for x in f.read().split()]
    except OSError: return []

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f: return f.read().split()[2] != "Z"
    except OSError: return False

def run(binary, sig, busy):
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--port", str(port)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    line = server.stderr.readline()
    assert b"serving" in line, line
    # A first diagram starts the drawing processes.
    warm = []; request(port, json.dumps({"source": "x*y", "values": {"x": 1, "y": 2}}).encode(), warm)
    kids = children_of(server.pid)
    answers, threads = [], []
    for k in range(busy):
        # A value feeding 32 gates: a layout of a few hundred ms, in flight when the signal comes.
        body = json.dumps({"source": " + ".join(["x"] * 32), "values": {"x": 3 + k}}).encode()
        t = threading.Thread(target=request, args=(port, body, answers)); t.start(); threads.append(t)
    time.sleep(0.05)
    start = time.monotonic()
    server.send_signal(sig)
    server.wait(timeout=30)
    took = time.monotonic() - start
    for t in threads: t.join(15)
    time.sleep(0.2)
    left = [k for k in kids if alive(k)]
    return took, server.returncode, answers, len(kids), left

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--busy", type=int, default=2)
    a = ap.parse_args()
    worst = 0
    for sig in (signal.SIGTERM, signal.SIGINT):
        for _ in range(a.runs):
            took, rc, answers, kids, left = run(a.binary, sig, a.busy)
            worst = max(worst, took)
            print(f"{signal.Signals(sig).name}: exited in {took * 1000:.0f} ms, status {rc}, answers {answers}, drawing processes {kids}, left {len(left)}")
    print(f"slowest exit: {worst * 1000:.0f} ms")

main()
