// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Conv blocks (conv k×k → batch norm → ReLU → 2×2 pooling), channels doubling each block,
// then global average pooling and an optional linear projection.
struct CnnEncoderOptions {
    CnnEncoderOptions(std::int64_t inChannels) : inChannels_(inChannels) {}
    std::int64_t outputSize() const { return outFeatures_ > 0 ? outFeatures_ : channels_ << (layers_ - 1); }
    TORCH_ARG(std::int64_t, inChannels);
    TORCH_ARG(std::int64_t, layers) = 3;
    TORCH_ARG(std::int64_t, channels) = 32;
    TORCH_ARG(std::int64_t, kernelSize) = 3;
    TORCH_ARG(bool, batchNorm) = true;
    TORCH_ARG(std::string, pool) = "max";
    TORCH_ARG(double, dropout) = 0.0;
    TORCH_ARG(std::int64_t, outFeatures) = 0; // 0: the last block's channels
};

class CnnEncoderImpl : public BlockModule {
public:
    explicit CnnEncoderImpl(CnnEncoderOptions options);
    void reset();
    torch::Tensor forward(torch::Tensor x); // [B, C, H, W] -> [B, out]
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    CnnEncoderOptions options;

private:
    torch::nn::Sequential m_features{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    torch::nn::Linear m_projection{nullptr};
};
TORCH_MODULE(CnnEncoder);

} // namespace fuselab
