#!/usr/bin/env python3
"""A WebSocket frame header announcing 1 GiB, sent to `gradtrace serve`'s socket: how long until
the server closes, and how its memory moves (loopback only; bounded: --runs attempts, each
sending at most --payload bytes).

    python3 bench/serve_ws_frame.py --port 8080 --pid SERVER_PID [--runs 20] [--payload 0]

Each run opens the socket (/api/network/live), sends a masked binary frame header whose length
is 2^30, then --payload bytes of its payload (0: the header alone), and times from the header's
write to the close frame (or the connection's end). The server's VmRSS and VmHWM are read from
/proc before the first run and after the last.
"""
import argparse, select, socket, struct, time

def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"): fields[k] = int(v.split()[0]) * 1024
    return fields

def one(port, payload):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(("GET /api/network/live HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" % (port, port)).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    assert data.startswith(b"HTTP/1.1 101"), data[:80]
    rest = data.split(b"\r\n\r\n", 1)[1]
    header = bytes([0x82, 0x80 | 127]) + struct.pack(">Q", 1 << 30) + b"\x01\x02\x03\x04"
    t = time.perf_counter()
    s.sendall(header)
    sent, chunk = 0, b"\0" * 65536
    s.setblocking(False)
    closed_at, code = None, None
    buf = rest
    while True:
        if sent < payload:
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                pass
            except OSError:
                closed_at = closed_at or time.perf_counter()
                break
        r, _, _ = select.select([s], [], [], 0 if sent < payload else 10)
        if r:
            try:
                b = s.recv(65536)
            except OSError:
                b = b""
            if not b:
                closed_at = closed_at or time.perf_counter(); break
            buf += b
            while len(buf) >= 2:
                op, ln = buf[0] & 0x0f, buf[1] & 0x7f
                if len(buf) < 2 + ln: break
                if op == 8:
                    code = struct.unpack(">H", buf[2:4])[0] if ln >= 2 else 1005
                    closed_at = closed_at or time.perf_counter()
                buf = buf[2 + ln:]
            if code is not None: break
        elif sent >= payload:
            break
    s.close()
    return (closed_at - t) if closed_at else None, code, sent

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--payload", type=int, default=0)
    a = ap.parse_args()
    before = memory(a.pid)
    results = [one(a.port, a.payload) for _ in range(a.runs)]
    time.sleep(0.5)
    after = memory(a.pid)
    times = sorted(r[0] for r in results if r[0] is not None)
    print(f"{a.runs} frames announcing 1 GiB (+{a.payload} payload bytes sent each at most): close codes {sorted(set(r[1] for r in results), key=str)}")
    if times:
        print(f"time to close: median {times[len(times) // 2] * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms; payload bytes the server took before closing: max {max(r[2] for r in results)}")
    print(f"server VmRSS {before['VmRSS'] >> 20} -> {after['VmRSS'] >> 20} MiB (+{(after['VmRSS'] - before['VmRSS']) / 2**20:.1f}), VmHWM {before['VmHWM'] >> 20} -> {after['VmHWM'] >> 20} MiB")

main()
