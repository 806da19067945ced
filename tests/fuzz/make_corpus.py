#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the fuzzers' seed corpora under tests/fuzz/corpus/<target>/: small valid inputs of
each format (the shapes the test suite makes), so libFuzzer starts inside the parsers.
Deterministic; run again after a format changes: /usr/bin/python3 tests/fuzz/make_corpus.py"""
import gzip, io, json, os, struct, wave, zipfile

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
SEP = b"\n----\n"


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


rng = np.random.default_rng(1)

# CSV and manifests
put("csv", "plain.csv", "image,text,label\na.png,hello,cat\n\"b,1.png\",\"say \"\"hi\"\"\",dog\n")
put("csv", "semicolon.csv", "a;b;c\r\n1;2;3\r\n")
put("manifest", "csv", "\x00image,audio,text,label,split\nimg/a.png,wav/a.wav,a cat,cat,train\nimg/b.png,,\"a, dog\",dog,test\n")
put("manifest", "jsonl", '\x01{"image": "a.png", "text": "hi", "label": "cat"}\n{"image": "b.png", "label": ["cat", "dog"], "split": "val"}\n')

# Experiment files: the templates, as `fuselab-cli new` writes them (tests/fuzz/corpus/experiment
# is filled from build/bin/fuselab-cli when it exists).
cli = os.path.join(HERE, "..", "..", "build", "bin", "fuselab-cli")
if os.path.exists(cli):
    import subprocess, tempfile
    with tempfile.TemporaryDirectory() as t:
        data = os.path.join(t, "d")
        os.makedirs(data)
        lines = ["image,audio,text,label"]
        for i in range(6):
            cv2.imwrite(os.path.join(data, f"{i}.png"), rng.integers(0, 255, (8, 8), dtype=np.uint8))
            with wave.open(os.path.join(data, f"{i}.wav"), "wb") as w:
                w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
                w.writeframes((rng.standard_normal(800) * 3000).astype("<i2").tobytes())
            lines.append(f"{i}.png,{i}.wav,word {i},c{i % 2}")
        open(os.path.join(data, "m.csv"), "w").write("\n".join(lines) + "\n")
        for tpl in ["concat", "late-fusion", "attention-fusion", "gated-fusion", "image-cnn", "text-gru", "audio-cnn"]:
            out = os.path.join(t, tpl + ".json")
            subprocess.run([cli, "new", "--template", tpl, "--dataset", os.path.join(data, "m.csv"), "-o", out],
                           check=True, capture_output=True)
            put("experiment", tpl + ".json", open(out).read())

# IDX: a ubyte image array (2 images of 3x3), and gzipped
idx = struct.pack(">BBBB", 0, 0, 0x08, 3) + struct.pack(">III", 2, 3, 3) + bytes(range(18))
put("idx", "images-idx3-ubyte", idx)
put("idx", "labels-idx1-ubyte", struct.pack(">BBBB", 0, 0, 0x08, 1) + struct.pack(">I", 4) + bytes([0, 1, 2, 1]))
put("idx", "images-idx3-ubyte.gz", gzip.compress(idx, mtime=0))

# Audio: WAV 16-bit mono and 8-bit stereo
for name, width, channels, rate in [("s16.wav", 2, 1, 16000), ("u8-stereo.wav", 1, 2, 8000)]:
    b = io.BytesIO()
    with wave.open(b, "wb") as w:
        w.setnchannels(channels); w.setsampwidth(width); w.setframerate(rate)
        n = 400 * channels
        frames = (np.sin(np.arange(n) / 5) * (100 if width == 1 else 8000)).astype("<i2" if width == 2 else "i1")
        w.writeframes((frames + (128 if width == 1 else 0)).astype("<i2" if width == 2 else "u1").tobytes())
    put("audio", name, b.getvalue())
try:  # FLAC and Ogg/Vorbis through torchaudio (python3-torchaudio)
    import tempfile
    import torch
    import torchaudio
    with tempfile.TemporaryDirectory() as t:
        for ext in ["flac", "ogg"]:
            path = os.path.join(t, "tone." + ext)
            torchaudio.save(path, torch.sin(torch.arange(2000.0) / 7).unsqueeze(0) * 0.3, 8000)
            put("audio", "tone." + ext, open(path, "rb").read())
except ImportError:
    pass

# Images: PNG (grey, RGB, RGBA, 16-bit), JPEG, PGM, BMP
img = rng.integers(0, 255, (6, 5, 3), dtype=np.uint8)
for ext, im in [(".png", img), (".png", img[:, :, 0]), (".png", np.dstack([img, img[:, :, :1]])), (".jpg", img), (".bmp", img), (".pgm", img[:, :, 0])]:
    ok, enc = cv2.imencode(ext, im)
    put("image", f"{len(os.listdir(os.path.join(OUT, 'image'))) if os.path.isdir(os.path.join(OUT, 'image')) else 0}{ext}", enc.tobytes())
ok, enc = cv2.imencode(".png", (img.astype(np.uint16) * 257))
put("image", "16bit.png", enc.tobytes())

# Text: a stored word vocabulary, a vocab.txt, a tokenizer.json with a WordPiece model
put("text", "word-vocab.json", json.dumps({"kind": "word", "lowercase": True, "vocab": ["<pad>", "<unk>", "the", "cat", "猫"]}))
put("text", "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nun\n##aff\n##able\nhello\n,\n")
put("text", "tokenizer.json", json.dumps({"model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                                                    "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "##s": 5}},
                                          "normalizer": {"type": "BertNormalizer", "lowercase": True}}))
put("text", "utf8.txt", "\ufeffHällo 猫在睡觉 \U0001F600 e\u0301")

# Tensor cache: meta.json and its files, separated as fuzz_cache_index splits them (two
# samples of a 1x2x2 image column and a text column)
meta = {"format": "fuselab-tensor-cache", "version": 1, "key": "c7b3fbf1e328e851b9b0c45f63611174", "count": 2,
        "classes": ["a", "b"], "multi_label": False, "issues": [],
        "dataset": {"format": "manifest", "root": "/nonexistent", "source": "/nonexistent/m.csv"},
        "columns": [{"name": "image", "kind": "image", "dtype": "u8", "file": "col0.bin", "shape": [1, 2, 2], "mean": [0.5], "std": [0.25]},
                    {"name": "text", "kind": "text", "dtype": "i32", "file": "col1.bin", "shape": [3], "tokenizer": "word",
                     "tokenizer_file": "col1.tokenizer", "vocab_size": 5}],
        "settings": {"audio": {"duration_s": 1.0, "f_max": 8000.0, "f_min": 0.0, "hop_length": 200, "log": True, "log_eps": 1e-06,
                               "n_fft": 400, "n_mels": 64, "sample_rate": 16000, "win_length": 400},
                     "image": {"channels": 1, "height": 2, "max_pixels": 67108864, "resize": "stretch", "width": 2},
                     "text": {"lowercase": True, "max_length": 3, "max_vocab": 20000, "min_count": 1, "spm_model": "unigram",
                              "spm_vocab": 2000, "tokenizer": "word", "vocab_file": ""}}}
put("cache_index", "two-rows", SEP.join([json.dumps(meta, indent=1).encode(), bytes(range(8)), struct.pack("<6i", 2, 3, 0, 4, 0, 0),
                                         b"\x01\x01\x01\x00", struct.pack("<qq", 0, 1), b"\x00\x02"]))

# Run folder: run.json, metrics.csv, events.jsonl, report.json, predictions-val.jsonl, experiment
run = {"format": "fuselab-run", "version": 1, "created": "2026-11-27T10:00:00Z", "experiment_dir": "/tmp", "cache": "/tmp/cache"}
metrics = "epoch,train_loss,val_loss,val_accuracy,val_macro_f1,learning_rate,seconds\n1,0.9,0.8,0.5,0.4,0.001,1.5\n2,0.7,0.6,0.7,0.6,0.001,1.4\n"
events = '{"event":"run_started","epoch":1}\n{"event":"epoch_ended","epoch":1}\n'
report = {"epochs_completed": 2, "best_epoch": 2, "stopped": False, "test": {"accuracy": 0.7}}
preds = '{"row":0,"label":1,"predicted":1,"top":[[1,0.9],[0,0.1]]}\n'
put("run_folder", "run", SEP.join(x.encode() for x in [json.dumps(run), metrics, events, json.dumps(report), preds, "{}"]))

# Checkpoints: LibTorch-style archives (a small one from Python's torch.save, same ZIP layout)
try:
    import torch
    b = io.BytesIO()
    torch.save({"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "epoch": 3}, b)
    put("checkpoint", "small.pt", b.getvalue())
    put("safetensors_seed_torch", "unused", b"")
except ImportError:
    pass
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as f:
    f.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    f.writestr("archive/version", b"3\n")
put("checkpoint", "minimal.zip", z.getvalue())

# safetensors: a header and two tensors
header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                     "b": {"dtype": "I64", "shape": [1], "data_offsets": [16, 24]},
                     "__metadata__": {"format": "pt"}}).encode()
put("safetensors", "two.safetensors", struct.pack("<Q", len(header)) + header + struct.pack("<4f", 1, 2, 3, 4) + struct.pack("<q", 7))
import shutil
shutil.rmtree(os.path.join(OUT, "safetensors_seed_torch"), ignore_errors=True)
print("corpora written to", OUT)
