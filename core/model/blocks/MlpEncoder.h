// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Flattens its input and applies `layers` fully connected layers of `hidden` units, each
// followed by the activation and dropout.
struct MlpEncoderOptions {
    MlpEncoderOptions(std::int64_t inFeatures) : inFeatures_(inFeatures) {}
    TORCH_ARG(std::int64_t, inFeatures);
    TORCH_ARG(std::int64_t, hidden) = 128;
    TORCH_ARG(std::int64_t, layers) = 2;
    TORCH_ARG(std::string, activation) = "relu";
    TORCH_ARG(double, dropout) = 0.0;
};

class MlpEncoderImpl : public BlockModule {
public:
    explicit MlpEncoderImpl(MlpEncoderOptions options);
    void reset();
    torch::Tensor forward(torch::Tensor x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    MlpEncoderOptions options;

private:
    torch::nn::Sequential m_layers{nullptr};
};
TORCH_MODULE(MlpEncoder);

} // namespace fuselab
