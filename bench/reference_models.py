# SPDX-License-Identifier: GPL-3.0-or-later
"""The networks FuseLab's templates build, written as idiomatic PyTorch modules for the
benchmarks' Python references."""
from torch import nn


class ImageCnn(nn.Module):
    """The image-cnn template for 28x28 grey images: two conv blocks (32, 64 channels, batch
    norm, 2x2 max pooling), flattened, dropout 0.25, then the head: dropout 0.2, 128 hidden."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.dropout = nn.Dropout(0.25)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, classes))

    def forward(self, x):
        return self.head(self.dropout(self.features(x).flatten(1)))
