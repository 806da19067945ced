// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Conv blocks (conv k×k → batch norm → ReLU → 2×2 pooling), channels doubling each block,
// then global average pooling (or flattening, which keeps where things are: better for
// small, centred images such as Fashion-MNIST) and an optional linear projection.
struct CnnEncoderOptions {
    CnnEncoderOptions(std::int64_t inChannels) : inChannels_(inChannels) {}
    // Features after the conv blocks and pooling, for an input of height × width.
    std::int64_t pooledSize(std::int64_t height, std::int64_t width) const
    {
        const std::int64_t c = channels_ << (layers_ - 1);
        return flatten_ ? c * (height >> layers_) * (width >> layers_) : c;
    }
    std::int64_t outputSize(std::int64_t height, std::int64_t width) const
    {
        return outFeatures_ > 0 ? outFeatures_ : pooledSize(height, width);
    }
    TORCH_ARG(std::int64_t, inChannels);
    TORCH_ARG(std::int64_t, layers) = 3;
    TORCH_ARG(std::int64_t, channels) = 32;
    TORCH_ARG(std::int64_t, kernelSize) = 3;
    TORCH_ARG(bool, batchNorm) = true;
    TORCH_ARG(std::string, pool) = "max";
    TORCH_ARG(double, dropout) = 0.0;
    TORCH_ARG(std::int64_t, outFeatures) = 0; // 0: no projection
    TORCH_ARG(bool, flatten) = false;         // keep the spatial layout instead of averaging it away
    TORCH_ARG(std::int64_t, height) = 0;      // input size, needed when flattening
    TORCH_ARG(std::int64_t, width) = 0;
};

class CnnEncoderImpl : public BlockModule {
public:
    explicit CnnEncoderImpl(CnnEncoderOptions options);
    void reset();
    torch::Tensor forward(torch::Tensor x); // [B, C, H, W] -> [B, out]
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    CnnEncoderOptions options;

private:
    torch::nn::Sequential m_features{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    torch::nn::Linear m_projection{nullptr};
};
TORCH_MODULE(CnnEncoder);

} // namespace fuselab
