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
#include <vector>

namespace fuselab::textops {

// Registers the block's weights on `mod` and defines its forward (for a decoder also start
// and step, core/model/Lowering.h). inputSteps: which inputs come with their real steps
// (the forward then takes steps: List[Tensor] too, by input). Returns whether the forward
// returns steps as a third value. Throws lowering::Refused (or a TorchScript compile
// error) where the block cannot be written.
bool defineTorchScript(const BlockModule &block, std::size_t inputs, const std::vector<bool> &inputSteps, torch::jit::Module &mod);

// The Python class `name` (docstring `doc`) of the block: __init__ builds its layers as
// PyTorch's, declares its own parameters and buffers and the translation's constants; its
// methods as defineTorchScript's. *outputSteps: whether forward returns steps.
std::string pythonClass(const BlockModule &block, std::size_t inputs, const std::vector<bool> &inputSteps, const std::string &name,
                        const std::string &doc, bool *outputSteps);

} // namespace fuselab::textops
