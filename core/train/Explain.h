// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Why this prediction: Grad-CAM over an image encoder's last feature map (Selvaraju et al.
// 2017): the map's channels weighted by the mean gradient of the class score over each
// channel, summed, ReLU, resized to the input image (bilinear) and scaled to [0, 1].
#include "core/cache/TensorCache.h"
#include "core/model/FusionModel.h"
#include "core/train/Explanation.h"

#include <string>
#include <vector>

namespace fuselab {

// One sample (`inputs` batch of 1, `present` [1, columns]); `target` the class explained.
// Every image encoder (CNN, ResNet) of the model gets a map. The model is put in eval mode.
// A saved model ready to evaluate: the experiment's graph with a checkpoint's weights on
// `device` (Error naming an unreadable checkpoint). Defined with the trainer.
// Reads a checkpoint into `model` (its structure checked first, then every parameter's
// shape against the model's; Error naming the file and the reason otherwise). Returns the
// archive for the rest of what it holds.
torch::serialize::InputArchive loadCheckpoint(torch::nn::Module &model, const std::string &checkpoint, const torch::Device &device);
FusionModel loadTrainedModel(const Experiment &experiment, const std::string &experimentDir, const std::string &checkpoint,
                             const torch::Device &device);

// Everything explainSample gives, for a batch of one (a cache row, or a new sample encoded
// by the Predictor) through a loaded model; row is left at -1.
SampleExplanation explainBatch(FusionModel &model, const TensorCache &cache, const CacheBatch &batch, int target, const torch::Device &device);

std::vector<GradCamMap> gradCam(FusionModel &model, const std::vector<torch::Tensor> &inputs, const torch::Tensor &present, int target);

} // namespace fuselab
