#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for bench_train: the image-cnn template's network for 28x28 grey images,
written as an idiomatic PyTorch module, trained on the same fixed random batch with Adam,
with the same threads and batch size (Debian's python3-torch, the same LibTorch 1.13).

    /usr/bin/python3 bench/reference_train.py [steps] [threads] [batch] [cpu|cuda]
"""
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import ImageCnn  # noqa: E402

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 100
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
device = torch.device(sys.argv[4] if len(sys.argv) > 4 else "cpu")
torch.set_num_threads(threads)
torch.manual_seed(0)



model = ImageCnn().to(device)
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(batch, 1, 28, 28).to(device)
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
print(f"pytorch_train_compute {steps * batch / secs:.1f} samples/s ({device}, batch {batch}, {threads} threads, {params} parameters)")
