// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The trainer's checkpoint (checkpoints/last.pt, best.pt): the model's archive (read by
// core/model/Checkpoint.h alone, for evaluation and export) plus the optimizer and where the
// run is. One schema, written and read here: the keys below, in one table.
#include "core/train/BestEpochTracker.h"

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>

namespace fuselab {

// Where a run is: after `epoch` whole epochs, and `nextStep` steps into the next one (then
// the done batches' loss so far, for that epoch's mean).
struct RunPosition {
    int epoch = 0;
    std::int64_t nextStep = 0;
    double partialLoss = 0;     // summed over the done batches' samples
    std::int64_t partialSeen = 0;
};

// Everything but the weights and the optimizer.
struct TrainingState {
    RunPosition at;
    std::int64_t worldSize = 1;           // the ranks that trained it (a resume may use another count)
    std::optional<double> gradScale;      // float16's gradient scaler, when the file has it
    int gradScaleGoodSteps = 0;
    BestEpochTracker::State tracker;
    std::string experiment;               // the experiment as used, JSON
    std::optional<torch::Tensor> rngState; // the generator in the middle of an epoch (CPU tensor)
    // Written at an epoch's end: that epoch's metrics.csv row, so that a kill between the
    // checkpoint and the logs is repaired on resume (empty in a mid-epoch checkpoint).
    std::string epochRow;
};

// Writes model, optimizer and state to `path` atomically: in memory first, then written,
// flushed and renamed into place, so a full disk or a kill leaves the previous file as it was.
void saveTrainingCheckpoint(const std::string &path, torch::nn::Module &model, torch::optim::Optimizer &optimizer,
                            const TrainingState &state);

// The state of an archive loadCheckpoint() opened (its weights already read), and the
// optimizer's when one is given. Files from earlier versions lack some keys: their
// defaults are what those versions meant.
TrainingState readTrainingState(torch::serialize::InputArchive &archive, torch::optim::Optimizer *optimizer = nullptr);

} // namespace fuselab
