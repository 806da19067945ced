// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"
#include "core/model/blocks/SequenceInput.h"

namespace fuselab {

// Embedding (for token ids) followed by a GRU or LSTM, optionally bidirectional. Padding
// is skipped (packed sequences). Output: the last real step (both directions), the mean
// over real steps, or the whole sequence.
struct RnnEncoderOptions {
    RnnEncoderOptions(std::int64_t inFeatures) : inFeatures_(inFeatures) {}
    std::int64_t outputSize() const { return hidden_ * (bidirectional_ ? 2 : 1); }
    TORCH_ARG(std::int64_t, inFeatures);          // float sequences: features per step
    TORCH_ARG(std::int64_t, vocab) = 0;           // token ids: vocabulary size (then inFeatures is ignored)
    TORCH_ARG(std::int64_t, embeddingDim) = 64;
    TORCH_ARG(std::string, cell) = "gru";          // gru | lstm
    TORCH_ARG(std::int64_t, hidden) = 128;
    TORCH_ARG(std::int64_t, layers) = 1;
    TORCH_ARG(bool, bidirectional) = false;
    TORCH_ARG(std::string, output) = "last";       // last | mean | sequence
    TORCH_ARG(double, dropout) = 0.0;
};

class RnnEncoderImpl : public BlockModule {
public:
    explicit RnnEncoderImpl(RnnEncoderOptions options);
    void reset();
    torch::Tensor forward(const torch::Tensor &x);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    RnnEncoderOptions options;

private:
    SequenceInput m_input{nullptr};
    torch::nn::GRU m_gru{nullptr};
    torch::nn::LSTM m_lstm{nullptr};
};
TORCH_MODULE(RnnEncoder);

} // namespace fuselab
