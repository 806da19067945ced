// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Attention over modalities: each vector is projected to `dim`, scored by a small
// additive attention net, and the projections are averaged with softmax weights taken
// over the modalities present for each sample.
struct AttentionFusionOptions {
    AttentionFusionOptions(std::vector<std::int64_t> inFeatures) : inFeatures_(std::move(inFeatures)) {}
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::int64_t, dim) = 128;
};

class AttentionFusionImpl : public BlockModule {
public:
    explicit AttentionFusionImpl(AttentionFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    ModalityWeights modalityWeights() const override { return {"attention", m_lastWeights}; }
    torch::Tensor lastWeights() const { return m_lastWeights; } // [B, M]
    AttentionFusionOptions options;

private:
    torch::nn::ModuleList m_projections{nullptr};
    torch::nn::Linear m_score{nullptr}, m_context{nullptr};
    torch::Tensor m_lastWeights;
};
TORCH_MODULE(AttentionFusion);

} // namespace fuselab
