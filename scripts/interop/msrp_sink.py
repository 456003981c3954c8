#!/usr/bin/env python3
"""An MSRP endpoint for the interop scripts' recipients: accepts connections on PORT, answers
every request that asks for a response with 200 (RFC 4975 §7.2), counts chunks and body bytes,
and keeps the counts in FILE: rewritten (atomically) within 0.1 s of a change, and on SIGTERM
(a script started from a test may inherit a blocked SIGTERM, so it reads the file instead of
signalling). Frames are cut at their end-line
(`-------TID$`, `+` or `#`), which is all a sink needs."""
import os, re, signal, socket, sys, threading

port, out = int(sys.argv[1]), sys.argv[2]
counts = {"connections": 0, "sends": 0, "body_bytes": 0, "responses": 0}
lock = threading.Lock()
start = re.compile(rb"^MSRP (\S+) (\S+)", re.M)




def serve(conn):
    buf = b""
    while True:
        data = conn.recv(65536)
        if not data:
            return
        buf += data
        while True:
            m = start.search(buf)
            if not m:
                break
            tid = m.group(1)
            end = re.search(rb"\r\n-------" + re.escape(tid) + rb"[$+#]\r\n", buf)
            if not end:
                break
            frame, buf = buf[: end.end()], buf[end.end():]
            method = m.group(2)
            if method.isdigit():
                continue
            head, _, body = frame.partition(b"\r\n\r\n")
            to = re.search(rb"^To-Path: (\S+)", frame, re.M).group(1)
            frm = re.search(rb"^From-Path: (.+?)\r\n", frame, re.M).group(1)
            with lock:
                if method == b"SEND":
                    counts["sends"] += 1
                    if body:
                        counts["body_bytes"] += len(body) - len(b"\r\n-------" + tid + b"$\r\n")
            if b"Failure-Report: no" in head or method == b"REPORT":
                continue
            conn.sendall(b"MSRP " + tid + b" 200 OK\r\nTo-Path: " + frm + b"\r\nFrom-Path: " + to + b"\r\n-------" + tid + b"$\r\n")
            with lock:
                counts["responses"] += 1


written = None


def save():
    global written
    with lock:
        text = " ".join(f"{k}={v}" for k, v in counts.items()) + "\n"
    if text != written:
        with open(out + ".tmp", "w") as f:
            f.write(text)
        os.replace(out + ".tmp", out)
        written = text


def stop(*_):
    try:
        save()
    finally:
        os._exit(0)


signal.signal(signal.SIGTERM, stop)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(128)
# The main thread wakes up ten times a second: a signal's Python handler runs only there, and a
# thread blocked in accept() would never run it.
s.settimeout(0.1)
save()
print("listening", flush=True)
while True:
    try:
        c, _ = s.accept()
    except socket.timeout:
        save()
        continue
    c.settimeout(None)
    with lock:
        counts["connections"] += 1
    threading.Thread(target=serve, args=(c,), daemon=True).start()
