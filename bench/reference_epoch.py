#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for the raw-file epoch benchmark: the usual Python pipeline that decodes the
PNG files every epoch — a Dataset reading each file with PIL, a DataLoader with
num_workers=2 — training the image-cnn network for one epoch on the same files and
train fraction, with the same threads, batch and optimiser.

    /usr/bin/python3 bench/reference_epoch.py PNG_DIR [threads]
Also: --export N PNG_DIR writes N Fashion-MNIST test images as class-folder PNGs.
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_loop import class_folder_files, train_epochs, training_share  # noqa: E402
from reference_models import ImageCnn  # noqa: E402

if sys.argv[1] == "--export":
    n, out = int(sys.argv[2]), sys.argv[3]
    root = "/usr/share/datasets/fashion-mnist"
    with gzip.open(f"{root}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{root}/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    for i in range(n):
        d = os.path.join(out, str(labels[i]))
        os.makedirs(d, exist_ok=True)
        Image.fromarray(images[i]).save(os.path.join(d, f"{i}.png"))
    sys.exit(0)

directory = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
start = time.perf_counter()
files = training_share(class_folder_files(directory))


class PngDataset(torch.utils.data.Dataset):
    def __len__(self):
        return len(files)

    def __getitem__(self, i):
        path, label = files[i]
        x = torch.from_numpy(np.asarray(Image.open(path), dtype=np.float32) / 255.0).unsqueeze(0)
        return (x - 0.286) / 0.353, label



if __name__ == "__main__":
    train_epochs(PngDataset(), ImageCnn(), 2e-3, 1)
    print(f"python_dataloader_epoch {time.perf_counter() - start:.2f} s ({len(files)} training images, {threads} threads)")
