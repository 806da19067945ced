// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
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
    std::vector<ModalityColumn> modalities;
    int imageChannels = 3;                 // 1 or 3
    int imageWidth = 0, imageHeight = 0;   // typical size of the images, 0 when unknown
    std::string labelColumn = "label";
    std::map<std::string, std::string> columnTypes;
    std::array<double, 3> split{0.8, 0.1, 0.1}; // train/val/test when the data gives none
    std::uint64_t splitSeed = 42;
};

struct ExperimentTemplate {
    std::string name;
    std::string description;
    int minModalities; // 1 for unimodal templates, 2 for fusions
};

const std::vector<ExperimentTemplate> &experimentTemplates();

// A ready experiment: encoders chosen for the dataset's modalities, the template's fusion,
// a classification head and sensible preprocessing and training settings. Throws Error
// when the template does not fit the dataset (say, image-cnn on a dataset without images).
Experiment makeExperiment(const std::string &templateName, const DatasetSummary &dataset);

} // namespace fuselab
