#!/usr/bin/env python3
# Reference values for tests/test_train_steps.cpp, computed with PyTorch (Debian's
# python3-torch 1.13): learning-rate schedules from torch.optim.lr_scheduler and optimiser
# steps from torch.optim. Run: /usr/bin/python3 make_reference.py > reference.json
import json
import math

import torch


def schedule(lr, epochs, steps, warmup, kind, step_size=10, gamma=0.1):
    """lr at every (epoch, step): LinearLR stepped per batch times StepLR/CosineAnnealingLR
    stepped per epoch, each run on its own optimiser with lr 1 to read its factor."""
    p = [torch.zeros(1, requires_grad=True)]
    warm_opt = torch.optim.SGD(p, lr=1.0)
    warm = None
    if warmup > 0:
        warm = torch.optim.lr_scheduler.LinearLR(warm_opt, start_factor=1.0 / (warmup * steps),
                                                 end_factor=1.0, total_iters=warmup * steps - 1)
    epoch_opt = torch.optim.SGD(p, lr=1.0)
    if kind == "cosine":
        per_epoch = torch.optim.lr_scheduler.CosineAnnealingLR(epoch_opt, T_max=epochs, eta_min=0.0)
    elif kind == "step":
        per_epoch = torch.optim.lr_scheduler.StepLR(epoch_opt, step_size=step_size, gamma=gamma)
    else:
        per_epoch = None
    out = []
    for e in range(1, epochs + 1):
        for s in range(steps):
            wf = warm_opt.param_groups[0]["lr"] if warm else 1.0
            ef = epoch_opt.param_groups[0]["lr"]
            out.append(lr * wf * ef)
            warm_opt.step()
            if warm:
                warm.step()
        epoch_opt.step()
        if per_epoch:
            per_epoch.step()
    return out


def optimiser_steps(make):
    torch.manual_seed(0)
    w = torch.tensor([[0.2, -0.1, 0.4], [-0.3, 0.5, 0.1]], requires_grad=True)
    b = torch.tensor([0.05, -0.02], requires_grad=True)
    x = torch.tensor([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0], [-1.0, 0.0, 1.0], [2.0, 1.0, 0.5]])
    y = torch.tensor([0, 1, 1, 0])
    opt = make([w, b])
    for _ in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w.t() + b, y)
        loss.backward()
        opt.step()
    return {"weight": w.detach().flatten().tolist(), "bias": b.detach().tolist()}


def masked_losses():
    """An auxiliary classifier's loss: the task loss over the samples that have its modality
    (rows selected, not masked), single-label with and without class weights, multi-label."""
    logits = torch.tensor([[1.0, -0.5, 0.2], [0.3, 0.8, -1.2], [-0.7, 0.1, 0.9], [2.0, 0.0, -1.0], [0.0, 0.5, 0.5]])
    labels = torch.tensor([0, 1, 2, 1, 2])
    mask = [1, 0, 1, 1, 0]
    keep = torch.tensor(mask, dtype=torch.bool)
    weights = torch.tensor([0.5, 2.0, 1.0])
    multi = torch.tensor([[1, 0, 1], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 0]], dtype=torch.float)
    pos_weight = torch.tensor([2.0, 1.0, 0.5])
    F = torch.nn.functional
    return {
        "logits": logits.flatten().tolist(), "labels": labels.tolist(), "mask": mask, "weights": weights.tolist(),
        "multi_labels": multi.flatten().tolist(), "pos_weight": pos_weight.tolist(),
        "plain": F.cross_entropy(logits[keep], labels[keep]).item(),
        "weighted": F.cross_entropy(logits[keep], labels[keep], weight=weights).item(),
        "multi_label": F.binary_cross_entropy_with_logits(logits[keep], multi[keep], pos_weight=pos_weight).item(),
    }


ref = {
    "masked_losses": masked_losses(),
    "schedules": [
        {"lr": 0.1, "epochs": 5, "steps": 3, "warmup": 2, "schedule": "cosine",
         "values": schedule(0.1, 5, 3, 2, "cosine")},
        {"lr": 0.2, "epochs": 5, "steps": 2, "warmup": 0, "schedule": "step", "step_size": 2, "gamma": 0.5,
         "values": schedule(0.2, 5, 2, 0, "step", 2, 0.5)},
        {"lr": 0.01, "epochs": 3, "steps": 4, "warmup": 1, "schedule": "constant",
         "values": schedule(0.01, 3, 4, 1, "constant")},
    ],
    "optimisers": {
        "sgd_momentum": optimiser_steps(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
        "sgd_nesterov": optimiser_steps(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
        "adamw": optimiser_steps(lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
        "adam": optimiser_steps(lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01)),
    },
    "torch_version": torch.__version__,
}
print(json.dumps(ref, indent=1))
