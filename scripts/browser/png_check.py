#!/usr/bin/env python3
"""Reads a PNG (8-bit RGB or RGBA, as headless Chromium writes them) with the standard library
only, and prints what the page test checks: the size, the share of pixels that are not the
background, and how many distinct colours there are.

    png_check.py FILE.png                 -> "WIDTHxHEIGHT ink=0.0841 colours=517"
    png_check.py FILE.png crop X Y W H OUT -> writes that part to OUT (for looking at it)
"""
import struct
import sys
import zlib


def read(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    i, idat = 8, b""
    while i < len(data):
        n, = struct.unpack(">I", data[i:i + 4])
        kind, chunk = data[i + 4:i + 8], data[i + 8:i + 8 + n]
        i += 12 + n
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", chunk[:10])
            if depth != 8 or colour not in (2, 6):
                sys.exit(f"{path}: only 8-bit RGB/RGBA PNGs are read here (depth {depth}, colour type {colour})")
        elif kind == b"IDAT":
            idat += chunk
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def write(path, w, h, bpp, rows):
    raw = b"".join(b"\x00" + r for r in rows)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2 if bpp == 3 else 6, 0, 0, 0))
    open(path, "wb").write(png + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


w, h, bpp, rows = read(sys.argv[1])
if len(sys.argv) > 2 and sys.argv[2] == "crop":
    x, y, cw, ch = map(int, sys.argv[3:7])
    part = [r[x * bpp:(x + cw) * bpp] for r in rows[y:y + ch]]
    write(sys.argv[7], cw, len(part), bpp, part)
    sys.exit(0)
background = rows[0][:3]
ink, colours = 0, set()
for r in rows[::2]:
    for x in range(0, w * bpp, bpp * 2):
        px = r[x:x + 3]
        colours.add(px)
        if px != background:
            ink += 1
samples = ((h + 1) // 2) * ((w + 1) // 2)
print(f"{w}x{h} ink={ink / samples:.4f} colours={len(colours)}")
