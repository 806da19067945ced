// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The text back end of the export operations (core/model/Lowering.h): one block's module as
// TorchScript (a jit::Module with flat weights and aten calls) or as the Python source of an
// nn.Module that calls PyTorch's own layers, with FuseLab's state_dict names (so
// model.safetensors loads into it as it is). The block's forward receives
// xs: List[Tensor] and masks: List[Tensor] and returns (output, mask).
#include "core/model/FusionModel.h"

#include <torch/script.h>

#include <cstddef>
#include <string>

namespace fuselab::textops {

// Registers the block's weights on `mod` and defines its forward. Throws lowering::Refused
// (or a TorchScript compile error) where the block cannot be written.
void defineTorchScript(const BlockModule &block, std::size_t inputs, torch::jit::Module &mod);

// The Python class `name` (docstring `doc`) of the block: __init__ builds its layers as
// PyTorch's, declares its own parameters and buffers and the translation's constants.
std::string pythonClass(const BlockModule &block, std::size_t inputs, const std::string &name, const std::string &doc);

} // namespace fuselab::textops
