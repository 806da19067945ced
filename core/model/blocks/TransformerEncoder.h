// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"
#include "core/model/blocks/SequenceInput.h"

namespace fuselab {

// Embedding or linear projection to d_model, sinusoidal positional encoding, an optional
// learned [CLS] step, `layers` Transformer encoder layers (post-norm, ReLU feed-forward),
// padding masked out. Output: the [CLS] state, the mean over real steps, or the sequence.
struct TransformerEncoderOptions {
    TransformerEncoderOptions(std::int64_t inFeatures, std::int64_t maxLength) : inFeatures_(inFeatures), maxLength_(maxLength) {}
    TORCH_ARG(std::int64_t, inFeatures);
    TORCH_ARG(std::int64_t, maxLength);
    TORCH_ARG(std::int64_t, vocab) = 0;
    TORCH_ARG(std::int64_t, dModel) = 64;
    TORCH_ARG(std::int64_t, heads) = 4;
    TORCH_ARG(std::int64_t, layers) = 2;
    TORCH_ARG(std::int64_t, ffDim) = 128;
    TORCH_ARG(double, dropout) = 0.1;
    TORCH_ARG(std::string, pooling) = "cls"; // cls | mean | sequence
};

class TransformerEncoderImpl : public BlockModule {
public:
    explicit TransformerEncoderImpl(TransformerEncoderOptions options);
    void reset();
    torch::Tensor forward(const torch::Tensor &x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    TransformerEncoderOptions options;

private:
    SequenceInput m_input{nullptr};
    torch::nn::Linear m_projection{nullptr};
    torch::nn::TransformerEncoder m_encoder{nullptr};
    torch::Tensor m_cls, m_positions;
};
TORCH_MODULE(TransformerEncoder);

// Sinusoidal positional encoding [length, d] (Vaswani et al. 2017).
torch::Tensor sinusoidalPositions(std::int64_t length, std::int64_t d);

} // namespace fuselab
