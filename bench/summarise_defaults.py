#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The table of bench/run_defaults_bench.sh: test accuracy per template and side (mean and
the seeds' spread), epochs run, seconds.

    /usr/bin/python3 bench/summarise_defaults.py RESULTS.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
groups = defaultdict(list)
for r in rows:
    groups[(r["network"], r["side"])].append(r)
order = ["image-cnn", "audio-cnn", "text-gru", "concat", "late-fusion", "attention-fusion", "gated-fusion"]
sides = ["fuselab", "pytorch-fuselab", "pytorch-generous"]
print("| template | side | seeds | test accuracy (mean) | min - max | best epoch | seconds (mean) |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for net in order + sorted({n for n, _ in groups} - set(order)):
    for side in sides:
        g = groups.get((net, side))
        if not g:
            continue
        acc = [r["test_accuracy"] for r in g]
        ep = [r["best_epoch"] for r in sorted(g, key=lambda r: r["seed"])]
        print(f"| {net} | {side} | {','.join(str(r['seed']) for r in sorted(g, key=lambda r: r['seed']))} | "
              f"{statistics.mean(acc):.3f} | {min(acc):.3f} - {max(acc):.3f} | {'/'.join(str(e) for e in ep)} | "
              f"{statistics.mean(r['seconds'] for r in g):.0f} |")
single = {n: statistics.mean(r["test_accuracy"] for r in groups[(n, "fuselab")])
          for n in ("image-cnn", "audio-cnn", "text-gru") if (n, "fuselab") in groups}
fused = {n: statistics.mean(r["test_accuracy"] for r in groups[(n, "fuselab")])
         for n in order[3:] if (n, "fuselab") in groups}
if single and fused:
    bs, bf = max(single, key=single.get), max(fused, key=fused.get)
    print(f"\nbest single modality: {bs} {single[bs]:.3f}; best fusion: {bf} {fused[bf]:.3f}; "
          f"gain {100 * (fused[bf] - single[bs]):+.1f} points")
