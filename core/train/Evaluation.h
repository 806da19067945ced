// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A model's outputs and metrics on rows of a tensor cache: the trainer's validation and
// test, evaluateCheckpoint and modalityContributions (Trainer.h) share these.
#include "core/cache/TensorCache.h"
#include "core/document/Experiment.h"
#include "core/model/FusionModel.h"
#include "core/train/Metrics.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace fuselab {

class Communicator;

struct Evaluation {
    double loss = 0;
    EvaluationMetrics metrics;
    std::vector<SamplePrediction> predictions; // single-label only
    std::vector<double> predicted, targets;    // regression: per row, in the rows' order
    std::vector<std::string> hypotheses, references; // sequence: per row, in the rows' order
};

// A sequence model on some rows: the teacher-forced loss (per target token for decoders,
// per sample for CTC), each row decoded (greedy, or beam search of `beam` > 1 with
// `lengthPenalty`) and the text metrics against the dataset's target texts. `drop` as in
// modelOutputs.
Evaluation evaluateSequence(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows, std::int64_t batchSize,
                            const torch::Device &device, const std::function<void(std::int64_t, std::int64_t)> &between, int drop = -1,
                            int beam = 1, double lengthPenalty = 1.0);


// The model's logits [n, C] (float, CPU) and labels on some rows, in their order; `between`
// runs before each batch (pause and stop).
// `drop`: a modality column to mark missing in every batch (its mask 0, its tensor zeros,
// as a sample without it arrives), or -1.
std::pair<torch::Tensor, torch::Tensor> modelOutputs(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows,
                                                     std::int64_t batchSize, const torch::Device &device,
                                                     const std::function<void(std::int64_t, std::int64_t)> &between, int drop = -1);

// Metrics, loss and per-sample predictions from the logits of `rows` (in their order).
// `regression`: the model's regression head (model->regression()), when it predicts a number:
// logits are then its predictions [n, 1] and labels the targets [n].
Evaluation evaluationOf(const torch::Tensor &logits, const torch::Tensor &labels, const std::vector<std::int64_t> &rows, std::int64_t C, bool multi,
                        const std::optional<BlockModule::RegressionOutput> &regression = std::nullopt);

// Metrics (and per-sample predictions) of the model on some rows. Distributed: each rank
// computes its share (shardRows) and the logits are gathered, so every rank gets the
// metrics of all the rows, as one process would (no stop or pause in between: a rank
// alone must not leave a collective).
Evaluation evaluateRows(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows, std::int64_t batchSize,
                        const torch::Device &device, const std::function<void(std::int64_t, std::int64_t)> &between,
                        Communicator *comm = nullptr);

// A tensor cache made from the experiment's dataset: the same classes in the same order,
// and the same task. Throws Error naming both sides.
void checkCacheMatches(const TensorCache &cache, const Experiment &e);

} // namespace fuselab
