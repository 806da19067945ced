// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/cache/ImageAugment.h"
#include "core/cache/PreprocessSettings.h"
#include "core/data/Dataset.h"
#include "core/graph/BlockType.h"
#include "core/graph/Graph.h"
#include "core/document/TrainingSettings.h"

#include <string>
#include <vector>

namespace fuselab {

// Version 2: nodes have a stable id and a display name, edges name ids; optional
// description and canvas notes; devices may name an index ("cuda:1"). Version 1 files are
// read and migrated (each node's name is its id).
constexpr int kExperimentVersion = 2;

// A note the user left on the canvas.
struct CanvasNote {
    std::string text;
    double x = 0, y = 0;
    bool operator==(const CanvasNote &o) const { return text == o.text && x == o.x && y == o.y; }
};

// The task of a dataset described by a multi-label flag and a task: multiLabel decides
// between classification and multi-label; regression and sequence stay.
inline Task taskOf(bool multiLabel, Task task)
{
    return multiLabel ? Task::MultiLabel : task == Task::MultiLabel ? Task::Classification : task;
}

// The dataset section: where the data is, how to read it, and what it holds (classes and
// modality columns, recorded when the experiment was made so the graph can be checked
// before any data is read).
struct ExperimentDataset {
    std::string path;                // relative paths resolve against the experiment file's folder
    std::string labelColumn = "label";
    std::map<std::string, std::string> columnTypes; // manifest column -> image|audio|text|ignore
    double split[3] = {0.8, 0.1, 0.1};
    std::uint64_t splitSeed = 42;
    std::vector<std::string> classes;
    bool multiLabel = false;         // samples may belong to several classes (sigmoid + binary cross-entropy)
    Task task = Task::Classification; // MultiLabel exactly when multiLabel; Regression: classes = {the label column}
    std::vector<ModalityColumn> modalities;
    // The task, with multiLabel deciding between classification and multi-label (the two
    // fields can disagree in a document or summary written field by field).
    Task effectiveTask() const { return taskOf(multiLabel, task); }
    // The imbalance lesson: the training split keeps only so many samples of one class that
    // it makes up `rareRatio` of the split (seeded by splitSeed); val and test untouched.
    // Empty class = off. Single-label datasets.
    std::string rareClass;
    double rareRatio = 0;
};

// A whole run, as saved in *.fuselab.json (docs/formats.md).
struct Experiment {
    std::string name;
    std::string description;       // what it is for, and what chose its settings
    std::vector<CanvasNote> notes;
    ExperimentDataset dataset;
    PreprocessSettings preprocessing;
    AugmentSettings augmentation;
    Graph graph;
    TrainingSettings training;

    nlohmann::json toJson() const;
    // Throws Error naming the field ("training.epochs: must be 1 to 100000"), or the
    // version when it is not one this FuseLab reads.
    static Experiment fromJson(const nlohmann::json &j);

    static Experiment load(const std::string &path);   // Error names the file
    void save(const std::string &path) const;          // atomic (temporary file + rename)
};

// The shape-inference context of an experiment (it points into `experiment`, which must
// outlive it). `experimentDir`: where relative paths in block options resolve.
InferContext inferContext(const Experiment &experiment, const std::string &experimentDir = {});
// The shape each modality's input block produces under these settings (a WordPiece
// vocabulary's size is read from its file, relative paths resolved in experimentDir).
InputShapes inputShapes(const PreprocessSettings &preprocessing, const std::string &experimentDir = {});

class BlockRegistry;
// For an experiment file moving from `fromDir` to `toDir` ("Save as" elsewhere): its
// relative paths (the dataset's, a WordPiece vocabulary, block options that are files) are rewritten to name
// the same files from `toDir` (relative where they share a root, else absolute).
void rebasePaths(Experiment &experiment, const std::string &fromDir, const std::string &toDir, const BlockRegistry &registry);

// What differs between two experiments that changes what a run learns: training settings,
// preprocessing, augmentation, and each block's type and options (by node id), as
// "training.epochs 10 → 31", "fusion.aux_weight 0 → 0.5", "+ node n7 (encoder.mlp)".
// Names, descriptions, notes and positions are ignored.
std::vector<std::string> settingDifferences(const Experiment &before, const Experiment &after);

} // namespace fuselab
