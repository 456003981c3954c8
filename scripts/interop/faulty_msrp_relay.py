#!/usr/bin/env python3
"""A small MSRP relay (RFC 4976 §7: it takes its own URI off the To-Path, puts it first in the
From-Path, and sends the request to the next hop) that lies once, on purpose, so the tests can
show that `msrpcharge load`'s delivery check catches each fault it exists for.

Usage: faulty_msrp_relay.py PORT FAULT [N]
  FAULT: none (an honest relay), drop (the Nth SEND is not forwarded; the relay answers 200
  itself), alter (a byte of its body changed), duplicate (forwarded twice), reorder (held and
  sent after the next SEND on its connection), misroute (sent to another session: its To-Path
  session-id swapped for another's), drop-response (the 200 for it never goes back), forge-403
  (a 403 goes back instead of the 200).
  N: which SEND, counting those with a body on all connections (default 50).
Prints "listening on PORT" once it listens and "fault: …" when it lies. One outgoing connection
to the next hop per incoming connection; responses go back on the incoming one.
"""
import asyncio
import re
import sys

port = int(sys.argv[1])
fault = sys.argv[2]
nth = int(sys.argv[3]) if len(sys.argv) > 3 else 50
faults = {"none", "drop", "alter", "duplicate", "reorder", "misroute", "drop-response", "forge-403"}
if fault not in faults:
    sys.exit(f"faulty_msrp_relay: FAULT must be one of {sorted(faults)}, got '{fault}'")

sends = 0
sessions = []  # serve's session-ids seen, for misroute
victim_tid = None  # (leg, transaction) whose response is dropped or forged


def say(text):
    print(text, flush=True)


def frames(buffer):
    """Complete MSRP frames at the front of buffer: (frame bytes, rest)."""
    out = []
    while True:
        line_end = buffer.find(b"\r\n")
        if line_end < 0:
            break
        first = buffer[:line_end].split(b" ")
        if len(first) < 3 or first[0] != b"MSRP":
            raise ValueError(f"not MSRP: {buffer[:60]!r}")
        tid = first[1]
        marker = b"\r\n-------" + tid
        at = buffer.find(marker, line_end)
        if at < 0 or len(buffer) < at + len(marker) + 3:
            break
        end = at + len(marker) + 3  # the flag and CRLF
        out.append(buffer[:end])
        buffer = buffer[end:]
    return out, buffer


def header(frame, name):
    m = re.search(rb"\r\n" + name + rb": ([^\r]*)", frame)
    return m.group(1) if m else None


def set_header(frame, name, value):
    return re.sub(rb"(\r\n" + name + rb": )[^\r]*", lambda m: m.group(1) + value, frame, count=1)


class Leg:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.upstream = None  # (reader, writer) to the next hop
        self.held = None

    async def run(self):
        buffer = b""
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                buffer += data
                done, buffer = frames(buffer)
                for f in done:
                    await self.request(f)
        finally:
            if self.upstream:
                self.upstream[1].close()
            self.writer.close()

    async def connect(self, uri):
        m = re.match(rb"msrps?://([^:/]+):(\d+)/", uri)
        r, w = await asyncio.open_connection(m.group(1).decode(), int(m.group(2)))
        self.upstream = (r, w)
        asyncio.ensure_future(self.responses())

    async def request(self, f):
        global sends, victim_tid
        first = f[: f.find(b"\r\n")].split(b" ")
        if first[2] != b"SEND":
            return
        to = header(f, b"To-Path").split(b" ")
        me, rest = to[0], to[1:]
        if not rest:
            return  # addressed to the relay itself: nothing to relay
        sid = rest[-1].rsplit(b"/", 1)[-1].split(b";")[0]
        if sid not in sessions:
            sessions.append(sid)
        f = set_header(f, b"To-Path", b" ".join(rest))
        f = set_header(f, b"From-Path", me + b" " + header(f, b"From-Path"))
        if self.upstream is None:
            await self.connect(rest[0])
        has_body = b"\r\n\r\n" in f
        if has_body:
            sends += 1
        w = self.upstream[1]
        if has_body and sends == nth and fault != "none":
            tid = first[1]
            say(f"fault: {fault} on SEND {nth} (transaction {tid.decode()}, session {sid.decode()})")
            if fault == "drop":
                self.writer.write(b"MSRP " + tid + b" 200 OK\r\nTo-Path: " + header(f, b"From-Path").split(b" ", 1)[1]
                                  + b"\r\nFrom-Path: " + me + b"\r\n-------" + tid + b"$\r\n")
                return
            if fault == "alter":
                body_at = f.find(b"\r\n\r\n") + 4
                f = f[:body_at] + bytes([f[body_at] ^ 0x01]) + f[body_at + 1:]
            elif fault == "duplicate":
                w.write(f)
            elif fault == "reorder":
                self.held = f
                return
            elif fault == "misroute":
                other = next((s for s in sessions if s != sid), None)
                if other is None:
                    say("fault: misroute needs a second session; none seen yet")
                else:
                    f = f.replace(b"/" + sid + b";", b"/" + other + b";", 1)
            elif fault in ("drop-response", "forge-403"):
                victim_tid = (self, tid)
        w.write(f)
        if self.held is not None and f is not self.held:
            w.write(self.held)
            self.held = None

    async def responses(self):
        r = self.upstream[0]
        buffer = b""
        while True:
            data = await r.read(65536)
            if not data:
                break
            buffer += data
            done, buffer = frames(buffer)
            for f in done:
                first = f[: f.find(b"\r\n")].split(b" ")
                if victim_tid == (self, first[1]) and first[2].isdigit():
                    if fault == "drop-response":
                        continue
                    f = f.replace(b" " + first[2] + b" " , b" 403 ", 1).replace(b"403 OK", b"403 Forbidden", 1)
                to = header(f, b"To-Path")
                if to and b" " in to:
                    f = set_header(f, b"To-Path", to.split(b" ", 1)[1])
                self.writer.write(f)
        self.writer.close()


async def main():
    server = await asyncio.start_server(lambda r, w: Leg(r, w).run(), "127.0.0.1", port)
    say(f"listening on {port}")
    async with server:
        await server.serve_forever()


asyncio.run(main())
