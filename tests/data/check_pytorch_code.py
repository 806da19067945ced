#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# For test_export: for each folder given (a FuseLab "pytorch" export: model.py beside
# model.safetensors, and inputs.safetensors with x0..., present and FuseLab's expected
# outputs), imports model.py, loads the weights with load_model() (strict names), compares
# the outputs, then trains one SGD step in training mode. Prints a JSON list.
import importlib.util
import json
import os
import sys

import torch

results = []
for i, folder in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location("fuselab_model_%d" % i, folder + "/model.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, folder)
    spec.loader.exec_module(module)
    sys.path.pop(0)
    model = module.load_model(folder + "/model.safetensors")
    tensors, _ = module.load_safetensors(folder + "/inputs.safetensors")
    inputs = [tensors["x%d" % m] for m in range(len(model.input_names))] + [tensors["present"]]
    with torch.no_grad():
        got = model(*inputs)
    want = tensors["expected"]
    r = {"folder": folder, "max_abs_diff": float((got - want).abs().max()) if got.shape == want.shape else 1e30, "classes": model.class_names,
         "modules": sorted({type(m).__name__ for m in model.modules()})}
    # A text: generate() against FuseLab's token ids, greedy and by beam search.
    if os.path.exists(folder + "/expected_ids.json"):
        with open(folder + "/expected_ids.json") as f:
            expected = json.load(f)
        ways = {"greedy": (1, 0.0), "beam3": (3, 0.0), "beam3_penalty1": (3, 1.0)}
        r["generate_mismatches"] = []
        r["generate_checked"] = 0
        with torch.no_grad():
            for name, ids in expected.items():
                beam, penalty = ways[name]
                r["generate_checked"] += 1
                if model.generate(*inputs, beam=beam, length_penalty=penalty) != ids:
                    r["generate_mismatches"].append(name)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    before = [p.detach().clone() for p in params]
    optimizer = torch.optim.SGD(params, lr=0.1)
    logits = model(*inputs)
    if logits.dim() == 3:  # a text's steps: each step's next token
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), torch.zeros(logits.shape[0] * logits.shape[1], dtype=torch.long))
    elif logits.shape[1] == 1:  # a number per sample (a regression head)
        loss = (logits - 1.0).pow(2).mean()
    elif model.multi_label:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))
    else:
        loss = torch.nn.functional.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long))
    loss.backward()
    optimizer.step()
    r["params"] = len(params)
    r["params_changed"] = sum(1 for p, b in zip(params, before) if not torch.equal(p.detach(), b))
    results.append(r)
json.dump(results, sys.stdout)
