#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# For test_export: loads a FuseLab TorchScript export with Python's torch.jit.load, runs it
# on the inputs stored in a safetensors file (x0..., present) and compares with FuseLab's
# own outputs (expected); then fine-tunes one SGD step in training mode. Prints JSON.
import json
import struct
import sys

import numpy as np
import torch

NUMPY = {"F32": "<f4", "I64": "<i8"}


def read_safetensors(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype=NUMPY[t["dtype"]]).reshape(t["shape"]).copy())
    return out


model = torch.jit.load(sys.argv[1])
tensors = read_safetensors(sys.argv[2])
inputs = [tensors["x%d" % i] for i in range(len(model.input_names()))] + [tensors["present"]]
model.eval()
with torch.no_grad():
    got = model(*inputs)
result = {"max_abs_diff": float((got - tensors["expected"]).abs().max()), "classes": model.class_names(), "inputs": model.input_names()}
# One fine-tuning step: gradients reach the weights and the step changes the outputs.
model.train()
params = [p for p in model.parameters() if p.requires_grad]
before = [p.detach().clone() for p in params]
optimizer = torch.optim.SGD(params, lr=0.1)
out = model(*inputs)
# One output is a number (a regression head): a squared error; else the classes' cross-entropy.
loss = (out - 1.0).pow(2).mean() if out.shape[1] == 1 else torch.nn.functional.cross_entropy(out, torch.zeros(inputs[0].shape[0], dtype=torch.long))
loss.backward()
result["params"] = len(params)
result["params_with_grad"] = sum(1 for p in params if p.grad is not None)
result["params_with_nonzero_grad"] = sum(1 for p in params if p.grad is not None and bool((p.grad != 0).any()))
optimizer.step()
result["params_changed"] = sum(1 for p, b in zip(params, before) if not torch.equal(p.detach(), b))
model.eval()
with torch.no_grad():
    result["changed_after_step"] = float((model(*inputs) - got).abs().max())
json.dump(result, sys.stdout)
