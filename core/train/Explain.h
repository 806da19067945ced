// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Why this prediction: Grad-CAM over an image encoder's last feature map (Selvaraju et al.
// 2017): the map's channels weighted by the mean gradient of the class score over each
// channel, summed, ReLU, resized to the input image (bilinear) and scaled to [0, 1].
#include "core/cache/TensorCache.h"
#include "core/model/Checkpoint.h"
#include "core/model/FusionModel.h"
#include "core/train/Explanation.h"

#include <string>
#include <vector>

namespace fuselab {

// Everything explainSample gives, for a batch of one (a cache row, or a new sample encoded
// by the Predictor) through a loaded model; row is left at -1.
SampleExplanation explainBatch(FusionModel &model, const TensorCache &cache, const CacheBatch &batch, int target, const torch::Device &device);

// One sample (`inputs` batch of 1, `present` [1, columns]); `target` the class explained.
// Every image encoder (CNN, ResNet) of the model gets a map. The model is put in eval mode.
std::vector<GradCamMap> gradCam(FusionModel &model, const std::vector<torch::Tensor> &inputs, const torch::Tensor &present, int target);

} // namespace fuselab
