// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/Lowering.h"
#include <torch/torch.h>

namespace fuselab {

// The front of every sequence encoder: token ids go through an embedding (id 0 is padding
// and embeds to zeros); float sequences pass through. Also tells which steps are real.
struct SequenceInputOptions {
    TORCH_ARG(std::int64_t, vocab) = 0;         // > 0: the input is token ids
    TORCH_ARG(std::int64_t, embeddingDim) = 64;
};

class SequenceInputImpl : public torch::nn::Module {
public:
    explicit SequenceInputImpl(SequenceInputOptions options);
    // [B, T] ids or [B, T, D] floats -> [B, T, D'].
    torch::Tensor forward(const torch::Tensor &x);
    // [B, T] bool: true for real steps (non-padding tokens; every step of a float sequence).
    torch::Tensor valid(const torch::Tensor &x) const;
    // The same in the export operations: (valid, steps).
    std::pair<lowering::Sym, lowering::Sym> lowerSequence(lowering::Ops &ops, const std::string &path, lowering::Sym x) const;
    SequenceInputOptions options;

private:
    torch::nn::Embedding m_embedding{nullptr};
};
TORCH_MODULE(SequenceInput);

// Mean over the valid steps of [B, T, D] (zero when a row has none).
torch::Tensor maskedMean(const torch::Tensor &x, const torch::Tensor &valid);
// Max over the valid steps of [B, T, D] (zero when a row has none).
torch::Tensor maskedMax(const torch::Tensor &x, const torch::Tensor &valid);

} // namespace fuselab
