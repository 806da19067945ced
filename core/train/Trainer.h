// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/document/Experiment.h"
#include "core/train/TrainingObserver.h"

#include <memory>
#include <optional>
#include <string>

namespace fuselab {

struct LaunchInfo;

class Communicator;

struct TrainerOptions {
    std::string runDir;                // created if missing; its layout is RunFolder's
    std::string cacheDir;              // a tensor cache of the experiment's dataset and preprocessing
    std::string experimentDir;         // where relative paths in the experiment resolve
    std::optional<std::string> device; // overrides training.device (e.g. resuming on the CPU after a GPU failure)
    bool resume = false;               // continue from the run's last checkpoint
    int logEvery = 10;                 // batchEnded every N steps (and at an epoch's last)
    bool announcePreparing = true;     // send phaseChanged(PreparingData) (false: the caller already did)
    std::string initWeights;           // a new run starts from these weights (a safetensors file of FuseLab names)
    std::vector<DataIssue> dataIssues; // what preparing the cache reported (RunPlan::dataIssues)
    // Distributed (core/train/Distributed.h): this rank's process group. Each rank trains on
    // its share of every epoch (batch size per rank); gradients are averaged; metrics cover
    // all shards; rank 0 alone writes the run folder. Null or size 1: one process.
    std::shared_ptr<Communicator> comm;
};

// Trains the experiment's model on the tensor cache; the experiment's training settings are
// the effective ones (services apply a front end's overrides before, and the run folder
// keeps them). Every random choice (initial weights, batch order, augmentation, dropout,
// modality dropout) follows from the seed, the epoch and the step, so a run stopped or
// killed and resumed from its last checkpoint ends with the same weights as an
// uninterrupted one.
//
// Stop (the observer's isCancelled) acts between batches in every phase: the run saves a
// checkpoint of where it is — mid-epoch included — skips the final evaluation and returns
// a report with stopped = true. Pause (isPaused) holds it between batches. A run restores
// the LibTorch thread count it changed. Throws Error (NaN/Inf loss, bad settings, missing
// CUDA) after telling the observer.
class Trainer {
public:
    Trainer(Experiment experiment, TrainerOptions options);
    TrainingReport run(TrainingObserver *observer = nullptr);

    // The device "auto"/"cpu"/"cuda"/"cuda:N" resolves to; throws Error for CUDA without CUDA.
    static std::string resolveDevice(const std::string &requested);
    // "cpu", then "cuda:0", "cuda:1", ... for each GPU this LibTorch build can use.
    // The device of one rank of a distributed launch: with CUDA, each rank its LOCAL_RANK
    // GPU among those it sees (srun may show it only one); otherwise `requested` resolved.
    static std::string rankDevice(const LaunchInfo &launch, const std::string &requested);
    static std::vector<std::string> availableDevices();

private:
    Experiment m_experiment;
    TrainerOptions m_options;
};

// Metrics of a saved model on one split of a tensor cache (evaluation of a finished run).
// The observer sees progress and may cancel (Cancelled is thrown).
EvaluationMetrics evaluateCheckpoint(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheDir,
                                     const std::string &checkpoint, Split split, const std::string &device = "auto",
                                     ProgressObserver *observer = nullptr);

// What each modality brings to a trained model (the fusion lesson, docs/lessons.md): its
// metrics on a split with every modality present, then with each modality the graph reads
// removed in turn, through the model's missing-modality mask (and zeros as its tensor, as a
// sample without it arrives) — not zeros fed as data with the mask saying present.
struct ModalityContribution {
    std::string removed; // "" = nothing removed; else the modality (dataset column) removed
    EvaluationMetrics metrics;
};
std::vector<ModalityContribution> modalityContributions(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheDir,
                                                        const std::string &checkpoint, Split split, const std::string &device = "auto",
                                                        ProgressObserver *observer = nullptr);

} // namespace fuselab
