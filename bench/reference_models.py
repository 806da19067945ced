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


def _conv_blocks(in_channels, layers, channels):
    blocks = []
    for i in range(layers):
        out = channels << i
        blocks += [nn.Conv2d(in_channels, out, 3, padding=1, bias=False), nn.BatchNorm2d(out), nn.ReLU(), nn.MaxPool2d(2)]
        in_channels = out
    return nn.Sequential(*blocks)


class ConcatNet(nn.Module):
    """The concat template on the demo dataset: image CNN (3 blocks, flattened), audio CNN over
    the log-mel spectrogram (mean over time, max over frequency), bidirectional GRU over words
    (mean over real steps), concatenated, classification head with 128 hidden units."""

    def __init__(self, vocab=20000, classes=3, image_layers=3, image_flatten=True):
        """image_layers=4, image_flatten=False: the template for 64x64 photos (mean-pooled)."""
        super().__init__()
        import torch  # noqa: F401
        self.image = _conv_blocks(3, image_layers, 32)
        self.image_flatten = image_flatten
        self.image_dropout = nn.Dropout(0.25)
        self.audio = _conv_blocks(1, 3, 32)
        self.embedding = nn.Embedding(vocab, 64, padding_idx=0)
        self.gru = nn.GRU(64, 64, batch_first=True, bidirectional=True)
        image_features = 128 * 4 * 4 if image_flatten else 32 << (image_layers - 1)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(image_features + 128 + 128, 128), nn.ReLU(), nn.Linear(128, classes))

    def forward(self, image, audio, tokens):
        import torch
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
        x = self.image(image)
        a = self.image_dropout(x.flatten(1) if self.image_flatten else x.mean((2, 3)))
        b = self.audio(audio.unsqueeze(1)).mean(3).max(2).values
        valid = tokens.ne(0)
        lengths = valid.sum(1).clamp(min=1).cpu()
        packed = pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        seq, _ = pad_packed_sequence(out, batch_first=True, total_length=tokens.shape[1])
        w = valid.unsqueeze(2).float()
        c = (seq * w).sum(1) / w.sum(1).clamp(min=1)
        return self.head(torch.cat([a, b, c], 1))


class PhotoCnn(nn.Module):
    """The image-cnn template for 64x64 RGB images (photos): four conv blocks (32, 64, 128,
    256 channels, batch norm, 2x2 max pooling), mean over the 4x4 map, dropout 0.25, then the
    head: dropout 0.2, 128 hidden."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = _conv_blocks(3, 4, 32)
        self.dropout = nn.Dropout(0.25)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, classes))

    def forward(self, x):
        return self.head(self.dropout(self.features(x).mean((2, 3))))
