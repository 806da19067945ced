#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# For test_export: the Dataset of an exported train.py (FuseLab's "pytorch" export) against
# FuseLab's own tensor cache: every sample of the manifest turned into the model's inputs
# by Python (OpenCV, the exported tokenizer) equals what FuseLab's cache holds for it.
# Usage: check_train_py.py EXPORT_DIR MANIFEST CACHE_TENSORS.safetensors. Prints JSON.
import json
import sys

import torch

sys.path.insert(0, sys.argv[1])
import model  # noqa: E402  (the export's model.py: its safetensors reader)
import train  # noqa: E402

cache, _ = model.load_safetensors(sys.argv[3])
with open(sys.argv[1] + "/preprocessing.json", encoding="utf-8") as f:
    pre = json.load(f)
rows = train.read_rows(sys.argv[2], "label")
dataset = train.FuseLabDataset(rows, pre, model.FuseLabModel.used_inputs)
xs, present, labels = train.collate([dataset[i] for i in range(len(dataset))])
result = {"rows": len(dataset), "cache_rows": int(cache["present"].shape[0]),
          "present_equal": bool(torch.equal(present, cache["present"].float())),
          "labels_equal": bool(torch.equal(labels, cache["labels"])), "inputs": []}
for m, x in enumerate(xs):
    want = cache["x%d" % m]
    result["inputs"].append({"kind": pre["inputs"][m]["kind"], "shape_equal": list(x.shape) == list(want.shape),
                             "max_abs_diff": float((x.double() - want.double()).abs().max()) if list(x.shape) == list(want.shape) else None})
json.dump(result, sys.stdout)
