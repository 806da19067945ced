// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The pieces of a training step that tests check alone against PyTorch.
#include "core/document/TrainingSettings.h"
#include "core/model/BlockModule.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace fuselab {

// SGD (momentum, Nesterov), Adam or AdamW with the settings' rate and weight decay.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainingSettings &settings, const std::vector<torch::Tensor> &parameters);

// The task's loss: cross-entropy with optional class weights, or, for multi-label data,
// binary cross-entropy with logits per label with optional pos_weight. `sum`: summed over
// samples (per-label losses still averaged), for evaluation.
torch::Tensor taskLoss(const torch::Tensor &logits, const torch::Tensor &labels, bool multiLabel, const torch::Tensor &weights,
                       bool sum = false);

// The task loss averaged over the samples where `mask` ([B], 1 = present) is set, as an
// auxiliary classifier of one modality sees them: a sample without that modality adds
// nothing. With class weights, a weighted mean (PyTorch's convention: divided by the sum of
// the weights of the samples counted). Zero when no sample is present.
torch::Tensor maskedTaskLoss(const torch::Tensor &logits, const torch::Tensor &labels, const torch::Tensor &mask, bool multiLabel,
                             const torch::Tensor &weights);

// A regression loss (MSE, or Huber with threshold delta) between predictions and targets
// both standardised by the training split's mean and std (`r`): `standardised` holds the
// model's standardised predictions [B] or [B, 1], targets [B] are on their own scale.
// `sum`: summed over samples, for evaluation.
torch::Tensor regressionLoss(const torch::Tensor &standardised, const torch::Tensor &targets, const BlockModule::RegressionOutput &r,
                             bool sum = false);
// The same averaged over the samples where `mask` is set (an auxiliary head of one modality).
torch::Tensor maskedRegressionLoss(const torch::Tensor &standardised, const torch::Tensor &targets, const torch::Tensor &mask,
                                   const BlockModule::RegressionOutput &r);
// A regression model's output [B, 1] on the target's scale, standardised.
torch::Tensor standardise(const torch::Tensor &output, const BlockModule::RegressionOutput &r);

} // namespace fuselab

namespace fuselab {

// A decoder's loss: cross-entropy of logits [B, T, V] against the next tokens [B, T] (the
// target after BOS), padding (id 0) ignored, with label smoothing as PyTorch's
// cross_entropy(label_smoothing=) spreads it. Mean over the target tokens, or with `sum`
// their sum (evaluation divides by the count).
torch::Tensor sequenceLoss(const torch::Tensor &logits, const torch::Tensor &next, double labelSmoothing, bool sum = false);
// The CTC loss of per-step logits [B, T, V] (blank = id 0) against targets stored as
// BOS, tokens, EOS, padding ([B, L]): PyTorch's ctc_loss with reduction "mean" (each
// sample's loss divided by its target length, then averaged) and zero_infinity, or with
// `sum` the sum of those per-sample values.
torch::Tensor ctcLoss(const torch::Tensor &logits, const torch::Tensor &targets, bool sum = false);
// Non-padding tokens after BOS in targets [B, L] (what sequenceLoss averages over).
std::int64_t targetTokenCount(const torch::Tensor &targets);

} // namespace fuselab
