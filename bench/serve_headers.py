#!/usr/bin/env python3
"""/api/health's latency while clients send huge header lines to `gradtrace serve` (loopback
only; bounded: --seconds of attack, then it stops by itself).

    python3 bench/serve_headers.py --port 8080 [--clients 8] [--line-bytes 1048576] [--seconds 20]

Each of --clients threads sends, again and again until time is up, one request whose request
line is --line-bytes long, from 127.0.0.2, and reads the answer (431 from the Hummingbird
server). Meanwhile a probe from 127.0.0.1 asks GET /api/health every 10 ms on a new
connection and the latencies are reported (p50, p99, max) with the answers' statuses.
"""
import argparse, socket, threading, time

def attack(port, line, stop, counts, lock):
    request = b"GET /" + b"a" * line + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port
    while not stop.is_set():
        status = "error"
        try:
            s = socket.socket(); s.bind(("127.0.0.2", 0)); s.settimeout(60)
            s.connect(("127.0.0.1", port))
            try:
                s.sendall(request)
            except OSError:
                pass
            data = b""
            try:
                while b"\r\n" not in data:
                    b = s.recv(4096)
                    if not b: break
                    data += b
            except OSError:
                pass
            status = data.split(b"\r\n")[0].decode(errors="replace")[9:12] or "closed"
            s.close()
        except OSError as e:
            status = "error " + type(e).__name__
        with lock: counts[status] = counts.get(status, 0) + 1

def probe(port, stop, latencies, statuses):
    while not stop.is_set():
        t = time.perf_counter()
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port)
            data = b""
            while True:
                b = s.recv(4096)
                if not b: break
                data += b
                if data.endswith(b'{"ok":true}'): break
            s.close()
            statuses.append(data[9:12].decode())
        except OSError as e:
            statuses.append("error")
        latencies.append(time.perf_counter() - t)
        time.sleep(0.01)

def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--line-bytes", type=int, default=1 << 20)
    ap.add_argument("--seconds", type=float, default=20)
    a = ap.parse_args()
    stop, lock = threading.Event(), threading.Lock()
    counts, latencies, statuses = {}, [], []
    baseline = []
    bstop = threading.Event()
    bt = threading.Thread(target=probe, args=(a.port, bstop, baseline, [])); bt.start(); time.sleep(2); bstop.set(); bt.join()
    threads = [threading.Thread(target=attack, args=(a.port, a.line_bytes, stop, counts, lock)) for _ in range(a.clients)]
    p = threading.Thread(target=probe, args=(a.port, stop, latencies, statuses))
    for t in threads: t.start()
    p.start()
    time.sleep(a.seconds)
    stop.set()
    for t in threads: t.join(120)
    p.join(120)
    ms = lambda x: f"{x * 1000:.1f} ms"
    print(f"idle: /api/health p50 {ms(pct(baseline, 50))}, p99 {ms(pct(baseline, 99))} ({len(baseline)} requests)")
    print(f"{a.clients} clients x {a.line_bytes} byte request lines for {a.seconds:.0f} s: answers {counts}")
    print(f"meanwhile /api/health: {len(latencies)} requests, statuses {sorted(set(statuses))}, p50 {ms(pct(latencies, 50))}, p99 {ms(pct(latencies, 99))}, max {ms(max(latencies) if latencies else float('nan'))}")

main()
