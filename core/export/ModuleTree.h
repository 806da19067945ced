// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the exporters (TorchScript, PyTorch code, ONNX) share when they walk a block's
// LibTorch modules: a refusal carrying the reason, and finding a part by name.
#include <torch/torch.h>

#include <string>

namespace fuselab::exporting {

// A block the exporter cannot express, and why (turned into an Error naming the block).
struct Refused {
    std::string why;
};

inline const torch::nn::Module &child(const torch::nn::Module &m, const std::string &name)
{
    for (const auto &c : m.named_children())
        if (c.key() == name)
            return *c.value();
    throw Refused{"it has no part named " + name};
}

inline bool hasChild(const torch::nn::Module &m, const std::string &name)
{
    for (const auto &c : m.named_children())
        if (c.key() == name)
            return true;
    return false;
}

} // namespace fuselab::exporting
