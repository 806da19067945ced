#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for `bench_train bench/demo-concat.fuselab.json`: the concat template's network
(image + audio + text) in Python PyTorch, same batch, threads, optimiser and input shapes.

    /usr/bin/python3 bench/reference_concat.py [steps] [threads] [batch]
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import ConcatNet  # noqa: E402

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
torch.set_num_threads(threads)
torch.manual_seed(0)
model = ConcatNet()
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
image = torch.randn(batch, 3, 32, 32)
audio = torch.randn(batch, 64, 81)
tokens = torch.randint(1, 1000, (batch, 64))
labels = torch.randint(0, 3, (batch,))
loss_fn = torch.nn.CrossEntropyLoss()


def step():
    loss = loss_fn(model(image, audio, tokens), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(3):
    step()
t0 = time.perf_counter()
for _ in range(steps):
    step()
secs = time.perf_counter() - t0
params = sum(p.numel() for p in model.parameters())
print(f"pytorch_concat_compute {steps * batch / secs:.1f} samples/s (batch {batch}, {threads} threads, {params} parameters)")
