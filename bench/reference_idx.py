#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for bench_data fashion: reading Fashion-MNIST's IDX files into a normalised
float tensor the usual Python way (gzip + numpy + torch), which is what a training
script does before its first epoch.
"""
import gzip
import time

import numpy as np
import torch

root = "/usr/share/datasets/fashion-mnist"
start = time.perf_counter()
arrays = []
for prefix in ("train", "t10k"):
    with gzip.open(f"{root}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"{root}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    arrays.append((images, labels))
x = torch.from_numpy(np.concatenate([a for a, _ in arrays])).float() / 255.0
mean, std = x[:60000].mean().item(), x[:60000].std().item()
x = (x - mean) / std
print(f"fashion_python_numpy_torch {time.perf_counter() - start:.3f} s")
