#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for bench_train: the image-cnn template's network for 28x28 grey images
(--photo: for 64x64 RGB photos), written as an idiomatic PyTorch module, trained on the same
fixed random batch with Adam, with the same threads and batch size (Debian's python3-torch,
the same LibTorch 1.13). --channels-last stores the model and batch channels-last, as
FuseLab does on the CPU, to show where a difference comes from.

    /usr/bin/python3 bench/reference_train.py [steps] [threads] [batch] [cpu|cuda] [--photo] [--channels-last]
"""
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import ImageCnn, PhotoCnn  # noqa: E402

args = [a for a in sys.argv[1:] if not a.startswith("--")]
photo, channels_last = "--photo" in sys.argv, "--channels-last" in sys.argv
steps = int(args[0]) if len(args) > 0 else 100
threads = int(args[1]) if len(args) > 1 else 2
batch = int(args[2]) if len(args) > 2 else 64
device = torch.device(args[3] if len(args) > 3 else "cpu")
torch.set_num_threads(threads)
torch.manual_seed(0)



model = (PhotoCnn() if photo else ImageCnn()).to(device)
x = (torch.randn(batch, 3, 64, 64) if photo else torch.randn(batch, 1, 28, 28)).to(device)
if channels_last:
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
y = torch.randint(0, 10, (batch,)).to(device)
loss_fn = nn.CrossEntropyLoss()


def step():
    loss = loss_fn(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()  # synchronises, as the C++ side does


for _ in range(5):
    step()
if device.type == "cuda":
    torch.cuda.synchronize()
t0 = time.perf_counter()
for _ in range(steps):
    step()
secs = time.perf_counter() - t0
params = sum(p.numel() for p in model.parameters())
print(f"pytorch_train_compute{'_photo' if photo else ''}{'_channels_last' if channels_last else ''} {steps * batch / secs:.1f} samples/s ({device}, batch {batch}, {threads} threads, {params} parameters)")
