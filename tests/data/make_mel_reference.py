#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the torchaudio reference values that tests/test_mel.cpp compares FuseLab's
log-mel front end against. Run with Debian's python3-torchaudio (0.13):

    /usr/bin/python3 tests/data/make_mel_reference.py tests/data/mel

Each case stores the input signal and torchaudio.transforms.MelSpectrogram's output (or
torchaudio.functional.resample's) as raw little-endian float32, and the settings in
index.json.
"""
import json
import math
import os
import sys

import torch
import torchaudio

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "mel")
os.makedirs(out, exist_ok=True)

configs = {
    "speech16k": dict(sample_rate=16000, n_fft=400, hop_length=160, n_mels=64, f_min=0.0, f_max=None),
    "music22k": dict(sample_rate=22050, n_fft=1024, hop_length=256, n_mels=80, f_min=20.0, f_max=8000.0),
}


def signals(sr, n):
    t = torch.arange(n, dtype=torch.float64) / sr
    sine = 0.5 * torch.sin(2 * math.pi * 440.0 * t)
    # Linear chirp from 100 Hz to sr/3.
    f0, f1 = 100.0, sr / 3.0
    dur = n / sr
    chirp = 0.4 * torch.sin(2 * math.pi * (f0 * t + (f1 - f0) / (2 * dur) * t * t))
    gen = torch.Generator().manual_seed(1234)
    noise = 0.3 * torch.randn(n, generator=gen, dtype=torch.float64)
    return {"sine": sine, "chirp": chirp, "noise": noise}


index = []
for name, cfg in configs.items():
    sr = cfg["sample_rate"]
    n = sr // 2
    transform = torchaudio.transforms.MelSpectrogram(**cfg)
    for sig_name, sig in signals(sr, n).items():
        x = sig.to(torch.float32)
        mel = transform(x)
        case = f"{name}_{sig_name}"
        x.numpy().astype("<f4").tofile(os.path.join(out, case + ".signal.f32"))
        mel.numpy().astype("<f4").tofile(os.path.join(out, case + ".mel.f32"))
        index.append(dict(case=case, **{k: v for k, v in cfg.items()}, samples=n,
                          n_frames=int(mel.shape[-1])))

# Resampling: torchaudio.functional.resample with its defaults (Hann-windowed sinc,
# 6 zero crossings, rolloff 0.99), down and up.
resample = []
for orig, new in ((44100, 16000), (8000, 22050)):
    n = orig // 4
    t = torch.arange(n, dtype=torch.float64) / orig
    x = (0.3 * torch.sin(2 * math.pi * 300.0 * t) + 0.2 * torch.sin(2 * math.pi * (orig / 5.0) * t)).to(torch.float32)
    y = torchaudio.functional.resample(x, orig, new)
    case = f"resample_{orig}_{new}"
    x.numpy().astype("<f4").tofile(os.path.join(out, case + ".in.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(out, case + ".out.f32"))
    resample.append(dict(case=case, orig=orig, new=new, samples=n, out_samples=int(y.shape[0])))

with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"torch": torch.__version__, "torchaudio": torchaudio.__version__, "cases": index,
               "resample": resample}, f, indent=1)
print(f"wrote {len(index)} cases to {out}")
