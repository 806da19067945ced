// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"
#include "core/train/Explanation.h"

#include <memory>
#include <string>
#include <vector>

namespace fuselab {

// Class probabilities from a finished run's best checkpoint for new samples, preprocessed
// exactly as the training data was (same FieldEncoder, normalisation and tokenizers).
class Predictor {
public:
    // Throws Error naming what is missing from the run folder. `cacheDir` overrides the
    // tensor cache named in run.json (whose tokenizers and normalisation are used).
    explicit Predictor(const std::string &runDir, const std::string &device = "cpu", const std::string &cacheDir = {});
    ~Predictor();

    const std::vector<std::string> &classes() const;
    const std::vector<ModalityColumn> &columns() const; // the model's inputs, in order
    bool multiLabel() const;
    bool regression() const; // predict() then gives each sample's number (one value)
    bool sequence() const;   // the model produces a text: use generate()

    // Sequence models: each sample's text, decoded greedily (beam 1) or by beam search.
    std::vector<std::string> generate(const std::vector<std::vector<Field>> &samples, int beam = 1, double lengthPenalty = 1.0) const;

    // One sample: fields parallel to columns() (absent ones are missing modalities).
    // Returns one probability per class (softmax, or per-class sigmoid for multi-label
    // models). Throws Error naming the file when a field cannot be decoded.
    std::vector<std::vector<double>> predict(const std::vector<std::vector<Field>> &samples) const;
    // Why the model predicts what it does for one new sample (core/train/Explanation.h), for
    // `target` (-1: the predicted class); row is -1 and label unknown (-1).
    SampleExplanation explain(const std::vector<Field> &sample, int target = -1) const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace fuselab
