#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""FuseLab's translation template against a plain PyTorch encoder-decoder of similar size,
on the same data and the same split, measured in the same run (docs/benchmarks.md,
"Texts to produce").

The data: a source sentence in a made-up language names a shape and its size ("der stern
ist klein"); the English target also names how light an 8x8 picture is ("the light star is
small"), which only the picture shows. Both sides train with and without the picture.

    /usr/bin/python3 bench/reference_translation.py BUILD_DIR OUT_DIR [--samples N] [--epochs E] [--threads T]

The reference: a bidirectional GRU over the source words (hidden 64 per direction), a small
CNN over the picture (one memory slot), and a GRU decoder with Luong attention and input
feeding (hidden 256, embeddings 128), trained with Adam, teacher forcing and label smoothing
0.1, decoded greedily, scored with NLTK's corpus_bleu (the targets are lower-case words,
which sacreBLEU's 13a tokenisation leaves as they are). Needs python3-torch, python3-nltk,
python3-numpy.
"""
import argparse
import json
import os
import random
import subprocess
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from nltk.translate.bleu_score import corpus_bleu

SHAPES = [("kreis", "circle"), ("quadrat", "square"), ("dreieck", "triangle"), ("stern", "star")]
SIZES = [("gross", "big"), ("klein", "small"), ("mittel", "medium")]
SHADES = ["dark", "grey", "light"]
NAMES = ["anna", "bert", "clara", "dora", "emil", "fritz", "greta", "hans", "ida", "jonas", "karl", "lena"]


def make_data(out, n, seed):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    rows = []
    for i in range(n):
        shape, size, shade, who = rng.randrange(4), rng.randrange(3), rng.randrange(3), rng.choice(NAMES)
        pixels = np.clip(40 + 80 * shade + np.array([rng.randrange(31) - 15 for _ in range(64)]), 0, 255).astype(np.uint8)
        name = "p%d.pgm" % i
        with open(os.path.join(out, name), "wb") as f:
            f.write(b"P5\n8 8\n255\n" + pixels.tobytes())
        split = "train" if i < 0.8 * n else "val" if i < 0.9 * n else "test"
        src = "der %s ist %s bei %s" % (SHAPES[shape][0], SIZES[size][0], who)
        tgt = "the %s %s is %s near %s" % (SHADES[shade], SHAPES[shape][1], SIZES[size][1], who)
        rows.append((name, src, tgt, split, pixels))
    with open(os.path.join(out, "manifest.csv"), "w") as f:
        f.write("photo,source,target,split\n")
        for name, src, tgt, split, _ in rows:
            f.write("%s,%s,%s,%s\n" % (name, src, tgt, split))
    return rows


def fuselab(build, data, out, epochs, threads, photo):
    cli = os.path.join(build, "bin", "fuselab-cli")
    exp = os.path.join(out, "fl-%s.fuselab.json" % ("fused" if photo else "text"))
    args = [cli, "new", "--template", "translation", "--dataset", os.path.join(data, "manifest.csv"), "--label-column", "target", "-o", exp]
    if not photo:
        args += ["--column", "photo=ignore"]
    subprocess.run(args, check=True, capture_output=True)
    e = json.load(open(exp))
    e["training"]["epochs"] = epochs
    e["training"]["threads"] = threads
    e["training"].setdefault("early_stopping", {})["patience"] = 0
    json.dump(e, open(exp, "w"), indent=2)
    run = os.path.join(out, "fl-run-%s" % ("fused" if photo else "text"))
    start = time.time()
    subprocess.run([cli, "train", exp, "--out", run, "--cache-dir", os.path.join(out, "cache"), "--quiet"], check=True, capture_output=True)
    seconds = time.time() - start
    report = json.load(open(os.path.join(run, "report.json")))
    return report["test"], seconds, e


class Reference(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, photo):
        super().__init__()
        self.photo = photo
        self.src_embed = nn.Embedding(src_vocab, 64, padding_idx=0)
        self.encoder = nn.GRU(64, 64, batch_first=True, bidirectional=True)
        self.project_text = nn.Linear(128, 256)
        if photo:
            self.cnn = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                                     nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
            self.project_photo = nn.Linear(64, 256)
        self.embed = nn.Embedding(tgt_vocab, 128)
        self.cell = nn.GRUCell(128 + 256, 256)
        self.init = nn.Linear(256, 256)
        self.attend = nn.Linear(256, 256, bias=False)
        self.combine = nn.Linear(512, 256)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(256, tgt_vocab)

    def memory(self, src, img):
        states, _ = self.encoder(self.src_embed(src))
        mem = [self.project_text(states)]
        if self.photo:
            mem.append(self.project_photo(self.cnn(img)).unsqueeze(1))
        return torch.cat(mem, 1)

    def step(self, mem, y, h, feed):
        h = self.cell(torch.cat([self.drop(self.embed(y)), feed], 1), h)
        a = torch.softmax(torch.bmm(mem, self.attend(h).unsqueeze(2)).squeeze(2), 1)
        ctx = torch.bmm(a.unsqueeze(1), mem).squeeze(1)
        feed = torch.tanh(self.combine(torch.cat([h, ctx], 1)))
        return self.out(self.drop(feed)), h, feed

    def forward(self, src, img, previous):
        mem = self.memory(src, img)
        h = torch.tanh(self.init(mem.mean(1)))
        feed = torch.zeros_like(h)
        logits = []
        for t in range(previous.size(1)):
            lo, h, feed = self.step(mem, previous[:, t], h, feed)
            logits.append(lo)
        return torch.stack(logits, 1)

    def greedy(self, src, img, length):
        mem = self.memory(src, img)
        h = torch.tanh(self.init(mem.mean(1)))
        feed = torch.zeros_like(h)
        y = torch.full((src.size(0),), 2, dtype=torch.long)
        out = []
        for _ in range(length):
            lo, h, feed = self.step(mem, y, h, feed)
            y = lo.argmax(1)
            out.append(y)
        return torch.stack(out, 1)


def reference(rows, epochs, threads, photo, seed):
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    src_words = sorted({w for r in rows if r[3] == "train" for w in r[1].split()})
    tgt_words = sorted({w for r in rows if r[3] == "train" for w in r[2].split()})
    sv = {w: i + 2 for i, w in enumerate(src_words)}
    tv = {w: i + 4 for i, w in enumerate(tgt_words)}
    inv = {i: w for w, i in tv.items()}
    L = 8

    def tensors(split):
        part = [r for r in rows if r[3] == split]
        src = torch.tensor([[sv.get(w, 1) for w in r[1].split()] for r in part])
        tgt = torch.zeros(len(part), L + 2, dtype=torch.long)
        for k, r in enumerate(part):
            ids = [2] + [tv.get(w, 1) for w in r[2].split()] + [3]
            tgt[k, :len(ids)] = torch.tensor(ids)
        img = torch.tensor(np.stack([r[4] for r in part]), dtype=torch.float32).reshape(-1, 1, 8, 8) / 255.0
        img = (img - img.mean()) / img.std()
        return src, img, tgt, [r[2] for r in part]

    train, test = tensors("train"), tensors("test")
    model = Reference(len(sv) + 2, len(tv) + 4, photo)
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    n = train[0].size(0)
    start = time.time()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n)
        for b in range(0, n, 32):
            idx = order[b:b + 32]
            logits = model(train[0][idx], train[1][idx], train[2][idx, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.size(2)), train[2][idx, 1:].reshape(-1), ignore_index=0, label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
    seconds = time.time() - start
    model.eval()
    with torch.no_grad():
        ids = model.greedy(test[0], test[1], L + 1)
    hyps = []
    for row in ids.tolist():
        words = []
        for i in row:
            if i == 3:
                break
            if i >= 4:
                words.append(inv[i])
        hyps.append(words)
    refs = [[r.split()] for r in test[3]]
    bleu = 100 * corpus_bleu(refs, hyps)
    exact = 100 * sum(h == r[0] for h, r in zip(hyps, refs)) / len(refs)
    return {"bleu": bleu, "exact_match": exact, "parameters": sum(p.numel() for p in model.parameters())}, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--samples", type=int, default=400)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    data = os.path.join(a.out, "data")
    rows = make_data(data, a.samples, a.seed)
    print("%d samples (80/10/10 split given in the manifest), %d epochs, %d threads, one process at a time" % (a.samples, a.epochs, a.threads))
    print("%-34s %8s %8s %10s" % ("model", "BLEU", "exact %", "train s"))
    for photo in (True, False):
        m, s, _ = fuselab(a.build, data, a.out, a.epochs, a.threads, photo)
        print("%-34s %8.2f %8.1f %10.1f" % ("FuseLab translation, " + ("text + picture" if photo else "text only"), m["bleu"], m["exact_match"], s))
        r, rs = reference(rows, a.epochs, a.threads, photo, a.seed)
        print("%-34s %8.2f %8.1f %10.1f" % ("plain PyTorch, " + ("text + picture" if photo else "text only"), r["bleu"], r["exact_match"], rs))


if __name__ == "__main__":
    main()
