// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// A number from a feature vector (regression): a linear layer, or an MLP with one hidden
// layer, predicting the target standardised by the training split's mean and spread, then
// restored: y = mean + std · f(x). The mean and std are buffers (set by the trainer from the
// training split, saved with the weights), so every export predicts on the target's own
// scale. Trained with MSE or Huber on standardised values.
struct RegressionHeadOptions {
    explicit RegressionHeadOptions(std::int64_t inFeatures) : inFeatures_(inFeatures) {}
    TORCH_ARG(std::int64_t, inFeatures);
    TORCH_ARG(std::int64_t, hidden) = 0; // 0: linear
    TORCH_ARG(double, dropout) = 0.0;
    TORCH_ARG(std::string, loss) = "mse"; // mse | huber
    TORCH_ARG(double, huberDelta) = 1.0;  // in standard deviations
};

class RegressionHeadImpl : public BlockModule {
public:
    explicit RegressionHeadImpl(RegressionHeadOptions options);
    void reset();
    // [B, D] -> [B, 1] on the target's scale.
    torch::Tensor forward(torch::Tensor x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    std::optional<RegressionOutput> regressionOutput() const override;
    void setTargetScale(double mean, double std) override;
    RegressionHeadOptions options;

private:
    torch::nn::Sequential m_layers{nullptr};
    torch::Tensor m_mean, m_std; // [1]
};
TORCH_MODULE(RegressionHead);

} // namespace fuselab
