#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generates FuseLab's built-in demo dataset (standard library only, deterministic):
three classes of shapes, each sample an image (PNG), a short tone (WAV) whose pitch
depends on the class, and a caption in English or Chinese. A few samples miss their
audio, to show how FuseLab treats missing modalities.

    python3 resources/demo/make_demo.py resources/demo
"""
import math
import os
import random
import struct
import sys
import wave
import zlib

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rng = random.Random(2026)
SIZE = 32
CLASSES = {
    "circle": (330.0, ["a round circle", "a small circle", "一个圆形", "a ring-like round shape"]),
    "square": (440.0, ["a square box", "four equal sides", "一个正方形", "a boxy square shape"]),
    "triangle": (660.0, ["a pointed triangle", "three sharp corners", "一个三角形", "a triangle pointing up"]),
}


def png(path, pixels):
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in pixels)
    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def inside(shape, x, y, cx, cy, r):
    if shape == "circle":
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    if shape == "square":
        return abs(x - cx) <= r * 0.85 and abs(y - cy) <= r * 0.85
    # triangle pointing up
    top, bottom = cy - r, cy + r * 0.8
    if y < top or y > bottom:
        return False
    half = (y - top) / (bottom - top) * r
    return abs(x - cx) <= half


def image(shape, path):
    bg = [rng.randint(200, 255) for _ in range(3)]
    fg = [rng.randint(0, 150) for _ in range(3)]
    r = rng.uniform(7, 11)
    cx, cy = rng.uniform(r + 1, SIZE - r - 1), rng.uniform(r + 1, SIZE - r - 1)
    rows = []
    for y in range(SIZE):
        row = []
        for x in range(SIZE):
            c = fg if inside(shape, x + 0.5, y + 0.5, cx, cy, r) else bg
            row.append(tuple(max(0, min(255, v + rng.randint(-12, 12))) for v in c))
        rows.append(row)
    png(path, rows)


def tone(freq, path, rate=8000, seconds=0.25):
    n = int(rate * seconds)
    freq *= rng.uniform(0.97, 1.03)
    frames = bytearray()
    for i in range(n):
        env = min(1.0, i / 200, (n - i) / 200)
        v = 0.5 * env * math.sin(2 * math.pi * freq * i / rate) + rng.gauss(0, 0.02)
        frames += struct.pack("<h", int(max(-1, min(1, v)) * 32767))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


os.makedirs(os.path.join(out, "images"), exist_ok=True)
os.makedirs(os.path.join(out, "audio"), exist_ok=True)
rows = ["image,audio,caption,label"]
for name, (freq, captions) in CLASSES.items():
    for i in range(12):
        stem = f"{name}_{i:02d}"
        image(name, os.path.join(out, "images", stem + ".png"))
        audio = ""
        if i % 6 != 5:  # every sixth sample has no audio
            tone(freq, os.path.join(out, "audio", stem + ".wav"))
            audio = f"audio/{stem}.wav"
        caption = captions[i % len(captions)]
        rows.append(f'images/{stem}.png,{audio},"{caption}",{name}')
with open(os.path.join(out, "manifest.csv"), "w", encoding="utf-8", newline="") as f:
    f.write("\r\n".join(rows) + "\r\n")
print(f"wrote {len(rows) - 1} samples to {out}")
