// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"
#include "core/model/blocks/SequenceInput.h"

namespace fuselab {

// Embedding (token ids) then `layers` 1-D convolutions over time ("same" padding, ReLU);
// output the max or mean over real steps, or the sequence.
struct Conv1dEncoderOptions {
    Conv1dEncoderOptions(std::int64_t inFeatures) : inFeatures_(inFeatures) {}
    TORCH_ARG(std::int64_t, inFeatures);
    TORCH_ARG(std::int64_t, vocab) = 0;
    TORCH_ARG(std::int64_t, embeddingDim) = 64;
    TORCH_ARG(std::int64_t, channels) = 128;
    TORCH_ARG(std::int64_t, kernelSize) = 5;
    TORCH_ARG(std::int64_t, layers) = 2;
    TORCH_ARG(std::string, output) = "max"; // max | mean | sequence
};

class Conv1dEncoderImpl : public BlockModule {
public:
    explicit Conv1dEncoderImpl(Conv1dEncoderOptions options);
    void reset();
    torch::Tensor forward(const torch::Tensor &x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    Conv1dEncoderOptions options;

private:
    SequenceInput m_input{nullptr};
    torch::nn::Sequential m_convs{nullptr};
};
TORCH_MODULE(Conv1dEncoder);

} // namespace fuselab
