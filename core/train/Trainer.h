// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/document/Experiment.h"
#include "core/train/TrainingObserver.h"

#include <optional>
#include <string>

namespace fuselab {

struct TrainerOptions {
    std::string runDir;               // created if missing; holds checkpoints, metrics.csv, events.jsonl, report.json
    std::string cacheDir;             // a tensor cache of the experiment's dataset and preprocessing
    std::string experimentDir;        // where relative paths in the experiment resolve
    std::optional<std::string> device; // overrides training.device
    std::optional<int> epochs;         // overrides training.epochs
    std::optional<std::uint64_t> seed; // overrides training.seed
    bool resume = false;               // continue from runDir/checkpoints/last.pt
    int logEvery = 10;                 // batchEnded every N steps
};

// Trains the experiment's model on the tensor cache. Every random choice (initial weights,
// batch order, augmentation, dropout, modality dropout) follows from the seed and the
// epoch, so an interrupted run resumed from its last checkpoint ends with the same weights
// as an uninterrupted one. Returns report.json's content; throws Error (NaN/Inf loss, bad
// settings, missing CUDA) after telling the observer.
class Trainer {
public:
    Trainer(Experiment experiment, TrainerOptions options);
    nlohmann::json run(TrainingObserver *observer = nullptr, TrainerControl *control = nullptr);

    // The device "auto"/"cpu"/"cuda" resolves to; throws Error for "cuda" without CUDA.
    static std::string resolveDevice(const std::string &requested);

private:
    Experiment m_experiment;
    TrainerOptions m_options;
};

// Metrics of a saved model on one split of a tensor cache (fuselab-cli eval).
EvaluationMetrics evaluateCheckpoint(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheDir,
                                         const std::string &checkpoint, Split split, const std::string &device = "auto");

} // namespace fuselab
