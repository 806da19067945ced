#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A decode-heavy image + audio + text dataset for the multimodal epoch benchmark: each
sample links a photo made by make_photos.py (1024x768 JPEG), a 1 s 44.1 kHz mono WAV (a
class-dependent tone with noise and an envelope) and a short caption, listed in
manifest.csv.

    /usr/bin/python3 bench/make_multimodal.py PHOTO_DIR OUT_DIR
"""
import os
import random
import shutil
import sys
import wave

import numpy as np

photos, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "img"), exist_ok=True)
os.makedirs(os.path.join(out, "wav"), exist_ok=True)
rng = random.Random(0)
words = ["soft", "bright", "folded", "new", "old", "small", "large", "plain", "striped", "dark"]
items = ["shirt", "trouser", "pullover", "dress", "coat", "sandal", "top", "sneaker", "bag", "boot"]
rows = ["image,audio,caption,label"]
for c in sorted(os.listdir(photos)):
    for f in sorted(os.listdir(os.path.join(photos, c))):
        stem = os.path.splitext(f)[0]
        image = os.path.join("img", f)
        try:
            os.link(os.path.join(photos, c, f), os.path.join(out, image))
        except OSError:
            shutil.copy(os.path.join(photos, c, f), os.path.join(out, image))
        t = np.arange(44100) / 44100.0
        tone = 0.3 * np.sin(2 * np.pi * (200 + 60 * int(c)) * t) * np.exp(-2 * t)
        noise = np.random.default_rng(int(stem)).normal(0, 0.05, t.size)
        pcm = (np.clip(tone + noise, -1, 1) * 32767).astype("<i2")
        with wave.open(os.path.join(out, "wav", stem + ".wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(44100)
            w.writeframes(pcm.tobytes())
        caption = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8)))
        caption = f"a {caption} {items[int(c)] if rng.random() < 0.7 else rng.choice(items)} on a table"
        rows.append(f"img/{f},wav/{stem}.wav,{caption},{c}")
open(os.path.join(out, "manifest.csv"), "w").write("\n".join(rows) + "\n")
