// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <array>
#include "core/document/RunFolder.h"
#include "core/train/Metrics.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fuselab {

// The typed events of a training run, in the order docs/engine-api.md documents. They are
// plain values: a GUI copies them into queued signals.

// What a run is about to do; sent once, before any batch.
struct RunPlan {
    std::string runDir;
    std::string device;             // "cpu", "cuda", "cuda:1"
    int threads = 0;                // CPU threads the run uses
    int epochs = 0;                 // the last epoch it will train (early stopping may end it sooner)
    std::int64_t stepsPerEpoch = 0;
    int batchSize = 0;
    std::int64_t trainSamples = 0, valSamples = 0, testSamples = 0;
    std::vector<std::string> classes;
    bool multiLabel = false;
    bool regression = false; // a number per sample (classes holds its name)
    bool sequence = false;   // a text per sample (classes holds the target vocabulary)
    std::int64_t parameters = 0;
    std::uint64_t seed = 0;
    // Where it starts: epoch 1 step 0 for a new run; a resumed run continues after its
    // checkpoint (startStep > 0 when that was saved in the middle of an epoch).
    int startEpoch = 1;
    std::int64_t startStep = 0;
    bool resumed = false;
    // What picks the best epoch: the experiment's early-stopping metric, or "train_loss"
    // when the dataset has no validation samples (notice says so).
    std::string selectionMetric;
    std::string notice;
    int worldSize = 1;                 // ranks training together
    std::string mixedPrecision = "off"; // as applied: "off", "float16", "bfloat16"
    // What reading the dataset and building the tensor cache skipped or warned about (rows
    // without a usable target, unreadable files, over-long targets), when this run built or
    // reused the cache from the experiment's data; empty when it was handed a cache.
    std::vector<DataIssue> dataIssues;
};

enum class TrainingPhase {
    PreparingData, // reading the dataset and building or opening the tensor cache
    Training,      // optimiser steps
    Validating,    // the val split after an epoch
    Testing,       // the test split with the best weights, at the end
    Paused,        // held by the observer; resuming returns to the phase it paused in
};
const char *phaseName(TrainingPhase phase); // "preparing_data", "training", ...

struct BatchEvent {
    int epoch = 0;                  // 1-based
    std::int64_t step = 0;          // 1-based within the epoch
    std::int64_t steps = 0;         // per epoch
    double loss = 0;                // this batch's
    double learningRate = 0;        // this step's
    double samplesPerSecond = 0;    // since the previous batch event
};

struct EpochResult {
    int epoch = 0;                  // 1-based
    double trainLoss = 0, valLoss = 0;
    EvaluationMetrics val;          // accuracy/macroF1 always; the task's full metrics inside
    bool hasValidation = true;      // false when the dataset has no val samples
    double learningRate = 0;        // at the epoch's first step
    double samplesPerSecond = 0;    // training only, not validation
    double seconds = 0;             // training + validation
    bool best = false;              // the best so far by the selection metric
    std::vector<SamplePrediction> valPredictions; // every val sample (empty for multi-label and regression)
    // Regression: every val sample's dataset row, target and prediction, in the same order.
    // Sequences: the rows, and each one's reference text and decoded hypothesis.
    std::vector<std::int64_t> valRows;
    std::vector<double> valTargets, valPredicted;
    std::vector<std::string> valReferences, valHypotheses;
    bool charTokens = false; // sequences: the targets are characters (transcription), so CER per sample
};

struct CheckpointEvent {
    std::string path;
    int epoch = 0;                  // the epoch it belongs to
    std::int64_t step = 0;          // steps of that epoch done: stepsPerEpoch at an epoch's end
    bool best = false;              // best.pt (else last.pt)
};

// What a run ended with; report.json holds the same.
struct TrainingReport {
    std::string runDir;
    int epochsCompleted = 0;        // whole epochs trained and validated
    bool stopped = false;           // stopped by the user (the last checkpoint resumes it)
    std::string earlyStopReason;    // empty unless early stopping ended the run
    int bestEpoch = 0;              // 0: no epoch completed
    std::string selectionMetric;
    std::optional<EvaluationMetrics> val, test; // of the best epoch's weights; test is skipped on stop
    std::vector<std::string> classes;
    double seconds = 0;

    nlohmann::json toJson() const;
};

// How a run reports to whoever drives it (CLI, GUI worker thread): plain C++, called on
// the training thread. isCancelled() stops the run (after saving a checkpoint that resumes
// exactly, at most one batch later) and isPaused() holds it, in every phase.
class TrainingObserver : public ProgressObserver {
public:
    virtual void runStarted(const RunPlan &) {}
    virtual void phaseChanged(TrainingPhase) {}
    virtual void batchEnded(const BatchEvent &) {}
    virtual void epochEnded(const EpochResult &) {}
    virtual void checkpointSaved(const CheckpointEvent &) {}
    virtual void earlyStopped(int /*epoch*/, const std::string & /*reason*/) {}
    virtual void finished(const TrainingReport &) {}
    virtual void failed(const std::string & /*message*/) {}
};

} // namespace fuselab
