// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/train/Metrics.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace fuselab {

struct EpochResult {
    int epoch = 0;                  // 1-based
    double trainLoss = 0, valLoss = 0;
    EvaluationMetrics val;          // accuracy/macroF1 always; the task's full metrics inside
    double learningRate = 0;
    double samplesPerSecond = 0;
    double seconds = 0;
    bool best = false;              // the best so far by the early-stopping metric
};

// How the trainer reports to whoever drives it (CLI, GUI worker thread): plain C++, called
// from the training thread; a GUI turns these into queued signals.
class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void runStarted(const nlohmann::json & /*info*/) {}
    virtual void batchEnded(int /*epoch*/, std::int64_t /*step*/, std::int64_t /*steps*/, double /*loss*/,
                            double /*samplesPerSecond*/) {}
    virtual void epochEnded(const EpochResult &) {}
    virtual void checkpointSaved(const std::string & /*path*/, bool /*best*/) {}
    virtual void earlyStopped(int /*epoch*/, const std::string & /*reason*/) {}
    virtual void finished(const nlohmann::json & /*report*/) {}
    virtual void failed(const std::string & /*message*/) {}
};

// Stop and pause requests, honoured between batches (within one batch).
struct TrainerControl {
    std::atomic<bool> stop{false};
    std::atomic<bool> pause{false};
};

} // namespace fuselab
