// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A FuseLab model as a TorchScript module built in C++ (no Python, no tracing): one
// torch::jit::Module per block with its parameters and buffers (flat names, '.' → '_'),
// a `training` attribute (so train()/eval() work in Python) and a `forward` written as
// TorchScript source from the block's options with aten calls (torch.conv2d,
// torch.batch_norm, torch.gru, torch.linear, ...); a root module calls them in the graph's
// order (each block's lower(), core/model/Lowering.h, written by this file's text back end).
// forward(x_0, ..., x_{M-1}, present) -> logits, inputs as preprocessing.json says;
// class_names() and input_names() describe it. Parameters keep requires_grad, so the
// module can be fine-tuned in Python.
#include "core/model/FusionModel.h"

#include <string>
#include <vector>

namespace fuselab {

// Writes the module to `path` (atomically). Error naming the block that cannot be expressed.
void saveTorchScript(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
                     const std::string &path);

// The same model as PyTorch code (model.py): an nn.Module per block built from PyTorch's
// own layers (nn.Conv2d, nn.GRU, nn.MultiheadAttention, ...) with the block's options, its
// forward the same computation as the TorchScript one, state_dict names FuseLab's (so
// model.safetensors loads with strict=True), a FuseLabModel running them in the graph's
// order, load_model() and a dependency-free safetensors reader and writer. Error naming a
// block it cannot write (the TorchScript encoder).
std::string pythonModelSource(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames);

} // namespace fuselab
