// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A model's checkpoint (checkpoints/best.pt, last.pt): LibTorch's archive of the model's
// parameters and buffers and, for the trainer, its position (core/train/Trainer.cpp).
// Reading lives here, below the trainer and the exporters that both need it.
#include "core/model/FusionModel.h"

#include <string>

namespace fuselab {

struct Experiment;

// Reads a checkpoint into `model` (its structure checked first, then every parameter's
// shape against the model's; Error naming the file and the reason otherwise). Returns the
// archive for the rest of what it holds.
torch::serialize::InputArchive loadCheckpoint(torch::nn::Module &model, const std::string &checkpoint, const torch::Device &device);

// A saved model ready to evaluate: the experiment's graph with a checkpoint's weights on
// `device` (Error naming an unreadable checkpoint).
FusionModel loadTrainedModel(const Experiment &experiment, const std::string &experimentDir, const std::string &checkpoint,
                             const torch::Device &device);

} // namespace fuselab
