// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Low-rank Multimodal Fusion (Liu et al., 2018): the TFN weight tensor factorised into
// `rank` modality-specific factors, so the output is computed without forming the outer
// product: h = sum_r w_r prod_i ([x_i; 1] W_i^(r)) + b.
struct LowRankFusionOptions {
    LowRankFusionOptions(std::vector<std::int64_t> inFeatures) : inFeatures_(std::move(inFeatures)) {}
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::int64_t, rank) = 4;
    TORCH_ARG(std::int64_t, dim) = 64;
};

class LowRankFusionImpl : public BlockModule {
public:
    explicit LowRankFusionImpl(LowRankFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    const std::vector<torch::Tensor> &factors() const { return m_factors; } // W_i: [rank, d_i + 1, dim]
    const torch::Tensor &fusionWeights() const { return m_weights; }        // [1, rank]
    const torch::Tensor &bias() const { return m_bias; }                    // [dim]
    LowRankFusionOptions options;

private:
    std::vector<torch::Tensor> m_factors;
    torch::Tensor m_weights, m_bias;
};
TORCH_MODULE(LowRankFusion);

} // namespace fuselab
