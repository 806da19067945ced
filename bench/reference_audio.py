#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for bench_data audio: the same decode + resample + log-mel with torchaudio
(Debian python3-torchaudio 0.13), on the same files and thread count.

    /usr/bin/python3 bench/reference_audio.py DIR N THREADS
"""
import sys
import time

import torch
import torchaudio

directory, n, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=200, n_mels=64)
length = 32000
paths = [f"{directory}/clip{i}.wav" for i in range(n)]
for p in paths:  # warm the page cache as the C++ side does
    open(p, "rb").read()
resamplers = {}
start = time.perf_counter()
total = 0.0
for p in paths:
    wave, sr = torchaudio.load(p)
    total += wave.shape[1] / sr
    wave = wave.mean(0)
    if sr not in resamplers:
        resamplers[sr] = torchaudio.transforms.Resample(sr, 16000)
    wave = resamplers[sr](wave)
    wave = torch.nn.functional.pad(wave, (0, max(0, length - wave.shape[0])))[:length]
    spec = torch.log(mel(wave) + 1e-6)
elapsed = time.perf_counter() - start
print(f"audio_torchaudio_{threads}threads {total / elapsed:.1f} audio-s/s")
