// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Gated Multimodal Unit (Arevalo et al., 2017): h_i = tanh(W_i x_i); gates from all inputs
// together decide, per feature, how much each modality contributes. With two inputs this
// is the paper's z = sigmoid(W_z [x_1; x_2]), h = z h_1 + (1 - z) h_2; with M > 2 the gates
// are a softmax over modalities per feature. Missing modalities get no weight.
struct GatedFusionOptions {
    GatedFusionOptions(std::vector<std::int64_t> inFeatures) : inFeatures_(std::move(inFeatures)) {}
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::int64_t, dim) = 128;
};

class GatedFusionImpl : public BlockModule {
public:
    explicit GatedFusionImpl(GatedFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    // One weight per modality: the gates averaged over features.
    ModalityWeights modalityWeights() const override
    {
        return {"gated", m_lastGates.defined() && m_lastGates.dim() == 3 ? m_lastGates.mean(2) : m_lastGates};
    }
    torch::Tensor lastGates() const { return m_lastGates; } // [B, M, dim]
    GatedFusionOptions options;

private:
    torch::nn::ModuleList m_hidden{nullptr};
    torch::nn::Linear m_gate{nullptr};
    torch::Tensor m_lastGates;
};
TORCH_MODULE(GatedFusion);

} // namespace fuselab
