// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/TrainingSteps.h"

namespace fuselab {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainingSettings &t, const std::vector<torch::Tensor> &parameters)
{
    if (t.optimizer == "sgd")
        return std::make_unique<torch::optim::SGD>(
            parameters, torch::optim::SGDOptions(t.learningRate).momentum(t.momentum).nesterov(t.nesterov).weight_decay(t.weightDecay));
    if (t.optimizer == "adamw")
        return std::make_unique<torch::optim::AdamW>(parameters, torch::optim::AdamWOptions(t.learningRate).weight_decay(t.weightDecay));
    return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(t.learningRate).weight_decay(t.weightDecay));
}

torch::Tensor taskLoss(const torch::Tensor &logits, const torch::Tensor &labels, bool multiLabel, const torch::Tensor &weights, bool sum)
{
    namespace F = torch::nn::functional;
    if (multiLabel) {
        auto o = F::BinaryCrossEntropyWithLogitsFuncOptions();
        if (weights.defined())
            o.pos_weight(weights);
        if (!sum)
            return F::binary_cross_entropy_with_logits(logits, labels, o);
        o.reduction(torch::kSum);
        return F::binary_cross_entropy_with_logits(logits, labels, o) / double(logits.size(1));
    }
    auto o = F::CrossEntropyFuncOptions();
    if (sum)
        o.reduction(torch::kSum);
    if (weights.defined())
        o.weight(weights);
    return F::cross_entropy(logits, labels, o);
}

torch::Tensor maskedTaskLoss(const torch::Tensor &logits, const torch::Tensor &labels, const torch::Tensor &mask, bool multiLabel,
                             const torch::Tensor &weights)
{
    namespace F = torch::nn::functional;
    const torch::Tensor m = mask.to(logits.scalar_type());
    torch::Tensor perSample, counted = m;
    if (multiLabel) {
        auto o = F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone);
        if (weights.defined())
            o.pos_weight(weights);
        perSample = F::binary_cross_entropy_with_logits(logits, labels, o).mean(1);
    } else {
        auto o = F::CrossEntropyFuncOptions().reduction(torch::kNone);
        if (weights.defined()) {
            o.weight(weights);
            counted = m * weights.index_select(0, labels);
        }
        perSample = F::cross_entropy(logits, labels, o);
    }
    return (perSample * m).sum() / counted.sum().clamp_min(1e-12);
}

namespace {

torch::Tensor perSampleRegressionLoss(const torch::Tensor &standardised, const torch::Tensor &targets, const BlockModule::RegressionOutput &r)
{
    namespace F = torch::nn::functional;
    const torch::Tensor z = standardised.reshape({-1}).to(torch::kFloat);
    const torch::Tensor t = ((targets.reshape({-1}).to(torch::kFloat) - r.mean) / r.std);
    if (r.loss == "huber")
        return F::huber_loss(z, t, F::HuberLossFuncOptions().reduction(torch::kNone).delta(r.huberDelta));
    return F::mse_loss(z, t, F::MSELossFuncOptions().reduction(torch::kNone));
}

} // namespace

torch::Tensor standardise(const torch::Tensor &output, const BlockModule::RegressionOutput &r) { return (output - r.mean) / r.std; }

torch::Tensor regressionLoss(const torch::Tensor &standardised, const torch::Tensor &targets, const BlockModule::RegressionOutput &r, bool sum)
{
    const torch::Tensor l = perSampleRegressionLoss(standardised, targets, r);
    return sum ? l.sum() : l.mean();
}

torch::Tensor maskedRegressionLoss(const torch::Tensor &standardised, const torch::Tensor &targets, const torch::Tensor &mask,
                                   const BlockModule::RegressionOutput &r)
{
    const torch::Tensor m = mask.reshape({-1}).to(torch::kFloat);
    return (perSampleRegressionLoss(standardised, targets, r) * m).sum() / m.sum().clamp_min(1e-12);
}

} // namespace fuselab

namespace fuselab {

torch::Tensor sequenceLoss(const torch::Tensor &logits, const torch::Tensor &next, double labelSmoothing, bool sum)
{
    const std::int64_t T = std::min(logits.size(1), next.size(1));
    const torch::Tensor l = logits.narrow(1, 0, T).reshape({-1, logits.size(2)}).to(torch::kFloat);
    const torch::Tensor y = next.narrow(1, 0, T).reshape({-1});
    namespace F = torch::nn::functional;
    auto options = F::CrossEntropyFuncOptions().ignore_index(0).label_smoothing(labelSmoothing);
    if (sum)
        options.reduction(torch::kSum);
    return F::cross_entropy(l, y, options);
}

torch::Tensor ctcLoss(const torch::Tensor &logits, const torch::Tensor &targets, bool sum)
{
    // Targets without BOS; their length runs to EOS.
    const torch::Tensor tokens = targets.narrow(1, 1, targets.size(1) - 1);
    const torch::Tensor real = torch::logical_and(tokens != 0, tokens != 3);
    const torch::Tensor targetLengths = real.sum(1).to(torch::kLong);
    const torch::Tensor cleaned = torch::where(real, tokens, torch::ones_like(tokens)); // past the end: ignored, but not blank
    const torch::Tensor logProbs = torch::log_softmax(logits.to(torch::kFloat), 2).transpose(0, 1); // [T, B, V]
    const torch::Tensor inputLengths = torch::full({logits.size(0)}, logits.size(1), torch::TensorOptions().dtype(torch::kLong).device(logits.device()));
    namespace F = torch::nn::functional;
    const torch::Tensor perSample = F::ctc_loss(logProbs, cleaned, inputLengths, targetLengths,
                                                F::CTCLossFuncOptions().blank(0).zero_infinity(true).reduction(torch::kNone));
    const torch::Tensor scaled = perSample / targetLengths.clamp_min(1).to(torch::kFloat);
    return sum ? scaled.sum() : scaled.mean();
}

std::int64_t targetTokenCount(const torch::Tensor &targets)
{
    return (targets.narrow(1, 1, targets.size(1) - 1) != 0).sum().item<std::int64_t>();
}

} // namespace fuselab
