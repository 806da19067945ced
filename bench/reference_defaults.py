#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plain-PyTorch references for the defaults benchmark (bench/run_defaults_bench.sh): the
networks FuseLab's image-cnn, audio-cnn and concat templates build, trained on the very
tensors of a FuseLab run's tensor cache (same preprocessing, normalisation and splits) with
Adam and early stopping on validation accuracy, the best epoch's weights tested.

    /usr/bin/python3 bench/reference_defaults.py RUN_DIR NETWORK SEED EPOCHS BATCH PATIENCE [--utterance] [--threads N]

NETWORK: image-cnn, audio-cnn or concat. RUN_DIR: any FuseLab run on the dataset (only its
cache is read). --utterance standardises each clip's log-mel as the audio input's
"normalize": "utterance" does. Prints one JSON line: test accuracy, best epoch, seconds,
parameters.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import _conv_blocks as conv_blocks  # noqa: E402


def head(features, classes):
    return nn.Sequential(nn.Dropout(0.2), nn.Linear(features, 128), nn.ReLU(), nn.Linear(128, classes))


class ImageEncoder(nn.Module):
    """encoder.cnn for small images: conv blocks, the last map flattened, dropout 0.25."""

    def __init__(self, channels, size, layers):
        super().__init__()
        self.features = conv_blocks(channels, layers, 32)
        self.dropout = nn.Dropout(0.25)
        self.out = (32 << (layers - 1)) * (size >> layers) ** 2

    def forward(self, x):
        return self.dropout(self.features(x).flatten(1))


class AudioEncoder(nn.Module):
    """encoder.audio_cnn: 3 conv blocks, mean over time, max over frequency."""

    def __init__(self, utterance):
        super().__init__()
        self.features = conv_blocks(1, 3, 32)
        self.utterance = utterance
        self.out = 128

    def forward(self, x):
        if self.utterance:
            mean = x.mean((1, 2), keepdim=True)
            x = (x - mean) / ((x - mean).pow(2).mean((1, 2), keepdim=True).sqrt() + 1e-5)
        return self.features(x.unsqueeze(1)).mean(3).max(2).values


class TextEncoder(nn.Module):
    """encoder.rnn: embedding 64, bidirectional GRU 64, mean over real steps."""

    def __init__(self, vocab):
        super().__init__()
        self.embedding = nn.Embedding(vocab, 64, padding_idx=0)
        self.gru = nn.GRU(64, 64, batch_first=True, bidirectional=True)
        self.out = 128

    def forward(self, tokens):
        valid = tokens.ne(0)
        lengths = valid.sum(1).clamp(min=1).cpu()
        packed = pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        seq, _ = pad_packed_sequence(out, batch_first=True, total_length=tokens.shape[1])
        w = valid.unsqueeze(2).float()
        return (seq * w).sum(1) / w.sum(1).clamp(min=1)


class Net(nn.Module):
    def __init__(self, encoders, classes):
        super().__init__()
        self.encoders = nn.ModuleDict(encoders)
        self.head = head(sum(e.out for e in encoders.values()), classes)

    def forward(self, inputs, present):
        parts = [enc(inputs[name]) * present[name].unsqueeze(1) for name, enc in self.encoders.items()]
        return self.head(torch.cat(parts, 1))


def load_cache(run_dir):
    cache = json.load(open(os.path.join(run_dir, "run.json")))["cache"]
    meta = json.load(open(os.path.join(cache, "meta.json")))
    n = meta["count"]
    labels = torch.from_numpy(np.fromfile(os.path.join(cache, "labels.i64"), dtype="<i8").copy())
    splits = np.fromfile(os.path.join(cache, "splits.u8"), dtype=np.uint8)
    present = np.fromfile(os.path.join(cache, "present.u8"), dtype=np.uint8).reshape(n, -1)
    columns, kinds, mask = {}, {}, {}
    for m, col in enumerate(meta["columns"]):
        dtype = {"u8": np.uint8, "f32": "<f4", "i32": "<i4"}[col["dtype"]]
        raw = np.fromfile(os.path.join(cache, col["file"]), dtype=dtype).reshape([n] + col["shape"])
        x = torch.from_numpy(raw.astype(np.float32 if col["kind"] != "text" else np.int64))
        if col["kind"] == "image":
            x = x / 255.0
            mean = torch.tensor(col["mean"]).view(1, -1, 1, 1)
            std = torch.tensor(col["std"]).view(1, -1, 1, 1)
            x = (x - mean) / std
        elif col["kind"] == "audio":
            x = (x - col["mean"][0]) / col["std"][0]
        p = torch.from_numpy(present[:, m].astype(np.float32))
        x = x * p.view([-1] + [1] * (x.dim() - 1)).to(x.dtype)
        columns[col["kind"]], kinds[col["kind"]], mask[col["kind"]] = x, col, p
    return meta, labels, splits, columns, kinds, mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("network", choices=["image-cnn", "audio-cnn", "concat"])
    ap.add_argument("seed", type=int)
    ap.add_argument("epochs", type=int)
    ap.add_argument("batch", type=int)
    ap.add_argument("patience", type=int)
    ap.add_argument("--utterance", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    meta, labels, splits, columns, kinds, mask = load_cache(a.run)
    classes = len(meta["classes"])
    encoders = {}
    if a.network in ("image-cnn", "concat"):
        shape = kinds["image"]["shape"]
        layers = 0
        while layers < 4 and (min(shape[1], shape[2]) >> (layers + 1)) >= 4:
            layers += 1
        encoders["image"] = ImageEncoder(shape[0], shape[1], max(1, layers))
    if a.network in ("audio-cnn", "concat"):
        encoders["audio"] = AudioEncoder(a.utterance)
    if a.network == "concat":
        t = meta["settings"]["text"]  # the embedding is sized by the setting, as FuseLab's is
        encoders["text"] = TextEncoder(t["spm_vocab"] if t["tokenizer"] == "sentencepiece" else t["max_vocab"])
    model = Net(encoders, classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = {s: np.nonzero(splits == k)[0] for k, s in enumerate(("train", "val", "test"))}

    def batch(idx):
        idx = torch.from_numpy(idx)
        return ({k: columns[k][idx] for k in encoders}, {k: mask[k][idx] for k in encoders}, labels[idx])

    def accuracy(split):
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(rows[split]), 256):
                x, p, y = batch(rows[split][i:i + 256])
                correct += (model(x, p).argmax(1) == y).sum().item()
        return correct / max(1, len(rows[split]))

    rng = np.random.default_rng(a.seed)
    best, best_epoch, since, state = -1.0, 0, 0, None
    start = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        model.train()
        order = rng.permutation(rows["train"])
        for i in range(0, len(order), a.batch):
            x, p, y = batch(order[i:i + a.batch])
            loss = nn.functional.cross_entropy(model(x, p), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        acc = accuracy("val")
        if acc > best:
            best, best_epoch, since = acc, epoch, 0
            state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            since += 1
            if a.patience and since >= a.patience:
                break
    model.load_state_dict(state)
    print(json.dumps({"network": a.network, "seed": a.seed, "epochs": a.epochs, "batch": a.batch, "patience": a.patience,
                      "val_accuracy": best, "test_accuracy": accuracy("test"), "best_epoch": best_epoch,
                      "seconds": round(time.perf_counter() - start, 1),
                      "parameters": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()
