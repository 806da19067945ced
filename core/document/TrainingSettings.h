// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace fuselab {

// "auto", "cpu", "cuda" or "cuda:N".
bool isDeviceName(const std::string &device);

// How a run trains; the "training" section of an experiment file.
struct TrainingSettings {
    int epochs = 10;
    int batchSize = 64;
    std::string optimizer = "adam";     // sgd, adam, adamw
    double learningRate = 1e-3;
    double weightDecay = 0.0;
    double momentum = 0.9;              // sgd
    bool nesterov = false;              // sgd
    std::string schedule = "constant";  // constant, step, cosine
    int warmupEpochs = 0;               // linear warm-up before the schedule
    int stepSize = 10;                  // step schedule: epochs between decays
    double gamma = 0.1;                 // step schedule: decay factor
    double gradClip = 0.0;              // max gradient norm, 0 = off
    std::string earlyStopMetric = "val_accuracy"; // val_accuracy, val_macro_f1, val_loss
    int patience = 0;                   // epochs without improvement, 0 = off
    bool classWeights = false;          // inverse-frequency weights in the loss
    bool weightedSampler = false;       // sample classes evenly
    double modalityDropout = 0.0;       // probability of dropping a whole modality per sample
    std::string device = "auto";        // auto, cpu, cuda, cuda:N
    std::string mixedPrecision = "off"; // off, float16, bfloat16: autocast on CUDA (float16 with a gradient scaler); CPU trains in float32
    std::uint64_t seed = 42;
    int threads = 0;                    // CPU threads, 0 = every logical core

    nlohmann::json toJson() const;
    // Missing fields keep their defaults; wrong ones throw Error naming "training.<field>".
    static TrainingSettings fromJson(const nlohmann::json &j, const std::string &path = "training");
};

} // namespace fuselab
