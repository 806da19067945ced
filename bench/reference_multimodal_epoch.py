#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for the multimodal epoch benchmark: the usual Python pipeline over
make_multimodal.py's manifest — a Dataset that decodes each photo with PIL (RGB, 64x64),
loads each WAV with torchaudio, resamples it to 16 kHz, crops/pads it to 1 s and takes a
64-band log-mel spectrogram (n_fft 400, hop 200), and turns the caption into word ids
(lower-cased, whitespace-split, vocabulary from the training captions, padded to 64); a
DataLoader with num_workers=2; the concat template's network (ConcatNet with the 64x64
image encoder); Adam; the same 80% of the samples, threads and batch. Every file is decoded
again each epoch.

    /usr/bin/python3 bench/reference_multimodal_epoch.py DATASET_DIR [threads] [epochs]
"""
import csv
import os
import sys
import time

import numpy as np
import torch
import torchaudio
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_loop import train_epochs, training_share  # noqa: E402
from reference_models import ConcatNet  # noqa: E402

directory = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
start = time.perf_counter()
with open(os.path.join(directory, "manifest.csv")) as f:
    rows = list(csv.DictReader(f))
classes = max(int(r["label"]) for r in rows) + 1
rows = training_share(rows)
vocab = {}
for r in rows:
    for w in r["caption"].lower().split():
        vocab.setdefault(w, len(vocab) + 2)  # 0 padding, 1 unknown
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=200, n_mels=64)


class MultimodalDataset(torch.utils.data.Dataset):
    def __len__(self):
        return len(rows)

    def __getitem__(self, i):
        r = rows[i]
        image = Image.open(os.path.join(directory, r["image"])).convert("RGB").resize((64, 64), Image.BILINEAR)
        x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
        wave, rate = torchaudio.load(os.path.join(directory, r["audio"]))
        wave = torchaudio.functional.resample(wave.mean(0), rate, 16000)
        wave = torch.nn.functional.pad(wave[:16000], (0, max(0, 16000 - wave.numel())))
        a = torch.log(mel(wave) + 1e-6)
        ids = [vocab.get(w, 1) for w in r["caption"].lower().split()][:64]
        t = torch.tensor(ids + [0] * (64 - len(ids)))
        return (x - 0.45) / 0.25, (a + 6.0) / 4.0, t, int(r["label"])


if __name__ == "__main__":
    model = ConcatNet(classes=classes, image_layers=4, image_flatten=False)
    times = train_epochs(MultimodalDataset(), model, 1e-3, epochs)
    params = sum(p.numel() for p in model.parameters())
    print(f"python_multimodal total {time.perf_counter() - start:.2f} s, epochs " + " ".join(f"{t:.2f}" for t in times)
          + f" s ({len(rows)} training samples, {threads} threads, {params} parameters)")
