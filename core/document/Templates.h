// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Message.h"
#include "core/document/Experiment.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

// What a template needs to know about a dataset (fuselab-cli new reads it from the data).
struct DatasetSummary {
    std::string path;                      // as it should be written into the experiment
    std::vector<std::string> classes;
    bool multiLabel = false;
    Task task = Task::Classification;      // MultiLabel exactly when multiLabel
    std::vector<ModalityColumn> modalities;
    int imageChannels = 3;                 // 1 or 3
    int imageWidth = 0, imageHeight = 0;   // typical size of the images, 0 when unknown
    std::string labelColumn = "label";
    std::map<std::string, std::string> columnTypes;
    std::array<double, 3> split{0.8, 0.1, 0.1}; // train/val/test when the data gives none
    std::uint64_t splitSeed = 42;
    std::int64_t trainSamples = 0;         // the training split's size; 0 = unknown (default settings)
    std::vector<std::string> trainTargets; // sequence datasets: the training split's target texts (the vocabulary is fitted on them)
};

// How a new experiment's training is sized to its data: a budget of about kBudgetSteps
// optimiser steps, as whole epochs (at least kMinEpochs, at most kMaxEpochs); batch 32 below
// kSmallDataset training samples, else 64; early stopping after a quarter of the epochs
// (at least 3) without improvement; the best epoch's weights are the run's result.
struct TrainingBudget {
    static constexpr std::int64_t kBudgetSteps = 1200;
    static constexpr int kMinEpochs = 6, kMaxEpochs = 40;
    static constexpr std::int64_t kSmallDataset = 2000;

    int batchSize = 64;
    int epochs = 10;
    int patience = 0;
    std::int64_t stepsPerEpoch = 0;
};
TrainingBudget trainingBudget(std::int64_t trainSamples);
// The budget in a sentence a student understands, for `new`'s output and the experiment's
// description.
Message explainBudget(const TrainingBudget &budget, std::int64_t trainSamples);

struct ExperimentTemplate {
    std::string name;
    std::string description;
    int minModalities; // 1 for unimodal templates, 2 for fusions
    Task task = Task::Classification; // what its data must hold: classes (one or several per sample), or numbers
};

const std::vector<ExperimentTemplate> &experimentTemplates();

// A ready experiment: encoders chosen for the dataset's modalities, the template's fusion,
// a classification head and sensible preprocessing and training settings. Throws Error
// when the template does not fit the dataset (say, image-cnn on a dataset without images).
// `choices`, when given, receives the reasons for the settings chosen, one paragraph each
// (also joined into the experiment's description).
Experiment makeExperiment(const std::string &templateName, const DatasetSummary &dataset, std::vector<Message> *choices = nullptr);

} // namespace fuselab
