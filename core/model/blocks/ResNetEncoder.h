// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// A small ResNet: a 3×3 stem, `stages` stages of `blocks` basic residual blocks (two 3×3
// convs with batch norm; a 1×1 projection on the shortcut when the shape changes), each
// stage after the first halving the size and doubling the channels; global average pool.
struct ResNetEncoderOptions {
    ResNetEncoderOptions(std::int64_t inChannels) : inChannels_(inChannels) {}
    std::int64_t outputSize() const { return channels_ << (stages_ - 1); }
    TORCH_ARG(std::int64_t, inChannels);
    TORCH_ARG(std::int64_t, stages) = 3;
    TORCH_ARG(std::int64_t, blocks) = 2;
    TORCH_ARG(std::int64_t, channels) = 16;
};

class ResidualBlockImpl : public torch::nn::Module, public lowering::LowersItself {
public:
    ResidualBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride);
    torch::Tensor forward(torch::Tensor x);
    lowering::Sym lowerLayer(lowering::Ops &ops, const std::string &path, lowering::Sym x) const override;

private:
    torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
    torch::nn::BatchNorm2d m_bn1{nullptr}, m_bn2{nullptr};
    torch::nn::Sequential m_shortcut{nullptr};
};
TORCH_MODULE(ResidualBlock);

class ResNetEncoderImpl : public BlockModule {
public:
    explicit ResNetEncoderImpl(ResNetEncoderOptions options);
    void reset();
    torch::Tensor forward(torch::Tensor x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    ResNetEncoderOptions options;

private:
    torch::nn::Sequential m_net{nullptr};
};
TORCH_MODULE(ResNetEncoder);

} // namespace fuselab
