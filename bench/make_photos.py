#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Camera-sized photos for the raw-file epoch benchmark: Fashion-MNIST training items,
enlarged (bicubic) onto a 1024x768 colour canvas with a lit, textured background and
sensor-like noise, saved as quality-90 JPEGs in class folders — about the size and decoding
cost of phone photos, with a learnable label.

    /usr/bin/python3 bench/make_photos.py N OUT_DIR [--seed S]
"""
import gzip
import os
import sys

import numpy as np
from PIL import Image

n, out = int(sys.argv[1]), sys.argv[2]
seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 0
root = "/usr/share/datasets/fashion-mnist"
with gzip.open(f"{root}/train-images-idx3-ubyte.gz") as f:
    items = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
with gzip.open(f"{root}/train-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)
rng = np.random.default_rng(seed)
H, W = 768, 1024
yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
for i in range(n):
    base = rng.uniform(60, 200, 3).astype(np.float32)
    light = 0.7 + 0.3 * np.cos((xx - rng.uniform(0, W)) / W * np.pi) * np.cos((yy - rng.uniform(0, H)) / H * np.pi)
    canvas = light[..., None] * base[None, None, :]
    size = int(rng.integers(420, 640))
    item = np.asarray(Image.fromarray(items[i]).resize((size, size), Image.BICUBIC), np.float32) / 255.0
    tint = rng.uniform(0.2, 1.0, 3).astype(np.float32) * 255.0
    x0, y0 = int(rng.integers(0, W - size)), int(rng.integers(0, H - size))
    region = canvas[y0:y0 + size, x0:x0 + size]
    canvas[y0:y0 + size, x0:x0 + size] = region * (1 - item[..., None]) + tint[None, None, :] * item[..., None]
    canvas += rng.normal(0, 6, canvas.shape).astype(np.float32)
    d = os.path.join(out, str(labels[i]))
    os.makedirs(d, exist_ok=True)
    Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)).save(os.path.join(d, f"{i}.jpg"), quality=90)
