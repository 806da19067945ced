#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for the photo epoch benchmark: the usual Python pipeline over a folder of
JPEG photos — a Dataset that opens each file with PIL, converts it to RGB and resizes it to
64x64 (what torchvision's Resize does for PIL images), a DataLoader with num_workers=2 —
training the image-cnn network (PhotoCnn) on the same 80% of the files, with the same
threads, batch and optimiser. Files are decoded again every epoch.

    /usr/bin/python3 bench/reference_photo_epoch.py PHOTO_DIR [threads] [epochs] [--draft]

--draft asks PIL's JPEG decoder for a reduced size (Image.draft), the same libjpeg scaling
FuseLab uses: less usual in Python code, measured to show where the difference comes from.
"""
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_loop import class_folder_files, train_epochs, training_share  # noqa: E402
from reference_models import PhotoCnn  # noqa: E402

args = [a for a in sys.argv[1:] if not a.startswith("--")]
draft = "--draft" in sys.argv
directory = args[0]
threads = int(args[1]) if len(args) > 1 else 2
epochs = int(args[2]) if len(args) > 2 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
start = time.perf_counter()
files = training_share(class_folder_files(directory))
MEAN = torch.tensor([0.45, 0.45, 0.45]).view(3, 1, 1)
STD = torch.tensor([0.25, 0.25, 0.25]).view(3, 1, 1)


class PhotoDataset(torch.utils.data.Dataset):
    def __len__(self):
        return len(files)

    def __getitem__(self, i):
        path, label = files[i]
        image = Image.open(path)
        if draft:
            image.draft("RGB", (64, 64))
        image = image.convert("RGB").resize((64, 64), Image.BILINEAR)
        x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
        return (x - MEAN) / STD, label


if __name__ == "__main__":
    model = PhotoCnn()
    times = train_epochs(PhotoDataset(), model, 2e-3, epochs)
    params = sum(p.numel() for p in model.parameters())
    print(f"python_photo{'_draft' if draft else ''} total {time.perf_counter() - start:.2f} s, epochs "
          + " ".join(f"{t:.2f}" for t in times) + f" s ({len(files)} training photos, {threads} threads, {params} parameters)")
