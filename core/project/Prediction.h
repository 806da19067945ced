// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Prediction for front ends: files and text become samples for a run's model, and the
// model's answers come back ranked.
#ifdef FUSELAB_WITH_INGEST
#include "core/train/Predictor.h"

#include <optional>
#include <string>
#include <vector>

namespace fuselab {

struct PredictionSample {
    std::string name;          // what the user gave: a file, "FILE row-id" for manifests, or the text
    std::vector<Field> fields; // parallel to the model's columns; absent ones are missing modalities
};

// One sample per image, audio or .txt file (the modality its extension names); a .csv or
// .jsonl manifest gives one per row, its columns matched to the model's by name; each text
// is one text sample. Throws Error naming the file (missing, unknown kind, a modality the
// model has no input for); rows a manifest skips go to `skipped`.
std::vector<PredictionSample> predictionSamples(const std::vector<ModalityColumn> &columns, const std::vector<std::string> &files,
                                                const std::vector<std::string> &texts, std::vector<DataIssue> *skipped = nullptr);

// One sample from several files and texts (an image, a clip and a caption of the same
// thing): each fills its modality's column; the columns nobody fills are missing
// modalities. Throws Error when two inputs fill the same column, or when nothing is given.
PredictionSample combinedSample(const std::vector<ModalityColumn> &columns, const std::vector<std::string> &files,
                                const std::vector<std::string> &texts);

struct Prediction {
    std::string input;
    std::vector<double> probabilities;  // per class
    std::vector<std::size_t> ranking;   // classes by falling probability
    std::vector<std::size_t> predicted; // the top class; multi-label: every class above 0.5, in class order
    std::optional<double> value;        // regression: the number (probabilities, ranking, predicted empty)
    std::optional<std::string> text;    // sequence: the text produced (idem)
};

// `beam`: sequence models decode by beam search of that width (1: greedy).
std::vector<Prediction> predictSamples(const Predictor &predictor, const std::vector<PredictionSample> &samples, int beam = 1);

} // namespace fuselab
#endif
