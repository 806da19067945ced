# SPDX-License-Identifier: GPL-3.0-or-later
"""What the raw-file epoch references share: the training split they use and the plain
PyTorch training loop over a DataLoader."""
import os
import random
import time

import torch
from torch import nn


def training_share(items):
    """A seeded shuffle cut to 80%: the size of FuseLab's train split."""
    items = list(items)
    random.Random(0).shuffle(items)
    return items[: int(len(items) * 0.8)]


def class_folder_files(directory):
    """(path, class index) of every file in class folders named by integers."""
    return sorted((os.path.join(directory, c, f), int(c)) for c in os.listdir(directory) for f in os.listdir(os.path.join(directory, c)))


def train_epochs(dataset, model, lr, epochs):
    """Adam + cross-entropy over DataLoader(batch_size=64, shuffle=True, num_workers=2);
    the last item of each batch is the labels, the others the model's inputs. Returns the
    seconds of each epoch."""
    loader = torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True, num_workers=2)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for *inputs, labels in loader:
            loss = loss_fn(model(*inputs), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return times
