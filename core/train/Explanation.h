// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Why a trained model predicts what it does for one sample, for front ends (no LibTorch
// headers): core/train/Explain.h computes it.
#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

struct GradCamMap {
    std::string node;   // the image encoder block
    int column = -1;    // the dataset column (modality) it reads
    int height = 0, width = 0;
    std::vector<float> values; // row-major [height][width], in [0, 1]
};

struct SampleExplanation {
    std::int64_t row = 0;
    int label = -1, predicted = -1, target = -1; // target: the class explained
    std::vector<float> probabilities;
    std::vector<GradCamMap> maps; // one per image encoder
};

// A tensor-cache row of a run's dataset through the run's best checkpoint: the
// probabilities and a Grad-CAM map per image encoder for `target` (-1: the predicted
// class). Error naming the row when it is not in the cache.
SampleExplanation explainSample(const std::string &runDir, const std::string &cacheDir, std::int64_t row, int target = -1,
                                const std::string &device = "cpu");

} // namespace fuselab
