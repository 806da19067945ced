// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Cross-modal attention in the style of MulT (Tsai et al., 2019): every sequence is
// projected to d_model with positional encoding; for each ordered pair (source j ->
// target i) a cross-attention block lets the target's steps attend to the source's,
// h = LN(q + MHA(q, k_j, v_j)), h = LN(h + FF(h)). Each target's results from all sources
// are concatenated, averaged over time, and all targets concatenated:
// M (M - 1) d_model features.
struct CrossAttentionFusionOptions {
    CrossAttentionFusionOptions(std::vector<std::int64_t> inFeatures, std::vector<std::int64_t> lengths)
        : inFeatures_(std::move(inFeatures)), lengths_(std::move(lengths)) {}
    std::int64_t outputSize() const
    {
        const auto m = static_cast<std::int64_t>(inFeatures_.size());
        return m * (m - 1) * dModel_;
    }
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::vector<std::int64_t>, lengths);
    TORCH_ARG(std::int64_t, dModel) = 64;
    TORCH_ARG(std::int64_t, heads) = 4;
    TORCH_ARG(double, dropout) = 0.1;
};

class CrossAttentionFusionImpl : public BlockModule {
public:
    explicit CrossAttentionFusionImpl(CrossAttentionFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    CrossAttentionFusionOptions options;

private:
    struct Pair {
        torch::nn::MultiheadAttention attention{nullptr};
        torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
        torch::nn::Sequential feedForward{nullptr};
    };
    torch::nn::ModuleList m_projections{nullptr};
    std::vector<Pair> m_pairs; // target-major: (i, j != i)
    std::vector<torch::Tensor> m_positions;
};
TORCH_MODULE(CrossAttentionFusion);

} // namespace fuselab
