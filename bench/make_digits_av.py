#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small, hard multimodal dataset from Debian material, for the defaults benchmark and the
fusion lesson: scikit-learn's 1,797 handwritten digits (8x8, scaled to 32x32 PNG with noise
and an occluding block), the digit's name spoken by espeak-ng at low SNR (train, val and test
voices disjoint, so the model must generalise to new speakers), and a partial text hint
(parity, or small/large, or nothing).

    /usr/bin/python3 bench/make_digits_av.py OUT_DIR [--seed S]

Needs python3-sklearn, python3-pil, python3-numpy and espeak-ng. Writes OUT_DIR/manifest.csv
with columns image, audio, hint, label, split. Deterministic for a given seed.
"""
import argparse
import io
import os
import subprocess
import wave

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ACCENTS = ["en", "en-us", "en-gb-scotland", "en-029", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
# Disjoint voice variants per split: test speakers never occur in training.
TRAIN_VARIANTS = ["m1", "m2", "m3", "m4", "f1", "f2", "f3", "adam", "Alicia", "Andy", "Annie", "benjamin", "caleb", "david"]
VAL_VARIANTS = ["m5", "f4", "edward"]
TEST_VARIANTS = ["m6", "m7", "f5", "john"]
RATE = 16000
CLIP = RATE  # 1 s


def speak(word, voice, pitch, speed):
    wav = subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "--stdout", word],
                         check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0
    # espeak-ng writes 22050 Hz; resample to 16 kHz by linear interpolation (enough for speech here).
    t = np.arange(int(len(pcm) * RATE / rate)) * rate / RATE
    return np.interp(t, np.arange(len(pcm)), pcm)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    digits = load_digits()
    os.makedirs(os.path.join(args.out, "img"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "wav"), exist_ok=True)
    n = len(digits.target)
    split = rng.choice(["train", "val", "test"], size=n, p=[0.7, 0.15, 0.15])
    rows = ["image,audio,hint,label,split"]
    for i in range(n):
        label = int(digits.target[i])
        # Image: 8x8 (0..16) → 32x32 bicubic, Gaussian noise, a random grey block over 25-55%.
        small = Image.fromarray((digits.images[i] * (255.0 / 16.0)).astype(np.uint8))
        img = np.asarray(small.resize((32, 32), Image.BICUBIC)).astype(np.float64)
        img += rng.normal(0, 90, img.shape)
        bw, bh = rng.integers(16, 24), rng.integers(16, 24)
        x0, y0 = rng.integers(0, 32 - bw + 1), rng.integers(0, 32 - bh + 1)
        img[y0:y0 + bh, x0:x0 + bw] = rng.uniform(0, 255)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(os.path.join(args.out, "img", f"{i:04d}.png"))

        # Speech: the digit's name, a split's own voice, random pitch and speed, noise at -10..-2 dB SNR.
        variants = {"train": TRAIN_VARIANTS, "val": VAL_VARIANTS, "test": TEST_VARIANTS}[split[i]]
        voice = f"{ACCENTS[rng.integers(len(ACCENTS))]}+{variants[rng.integers(len(variants))]}"
        speech = speak(NAMES[label], voice, int(rng.integers(25, 75)), int(rng.integers(130, 200)))[:CLIP]
        clip = np.zeros(CLIP)
        start = int(rng.integers(0, CLIP - len(speech) + 1))
        clip[start:start + len(speech)] = speech
        power = np.mean(speech ** 2) + 1e-12
        snr_db = rng.uniform(-10, -2)
        white = rng.normal(0, 1, CLIP)
        brown = np.cumsum(rng.normal(0, 1, CLIP))
        brown -= np.convolve(brown, np.ones(401) / 401, mode="same")  # keep it from drifting
        noise = white / np.std(white) + 0.7 * brown / (np.std(brown) + 1e-12)
        noise *= np.sqrt(power / 10 ** (snr_db / 10) / np.mean(noise ** 2))
        pcm = clip + noise
        pcm *= 0.9 / max(1e-9, np.max(np.abs(pcm)))
        with wave.open(os.path.join(args.out, "wav", f"{i:04d}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes((pcm * 32767).astype("<i2").tobytes())

        # Hint: half say parity, a quarter small/large, a quarter nothing (missing text).
        r = rng.random()
        if r < 0.5:
            hint = "an even number" if label % 2 == 0 else "an odd number"
        elif r < 0.75:
            hint = "smaller than five" if label < 5 else "five or bigger"
        else:
            hint = ""
        rows.append(f"img/{i:04d}.png,wav/{i:04d}.wav,{hint},{NAMES[label]},{split[i]}")
    with open(os.path.join(args.out, "manifest.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    counts = {s: int((split == s).sum()) for s in ("train", "val", "test")}
    print(f"{n} samples in {args.out} ({counts})")


if __name__ == "__main__":
    main()
