// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Decision-level fusion: each modality gets its own linear classifier, and their logits
// are combined with weights over the modalities present for each sample: equal ("mean"),
// fixed by the user ("weighted"), or learned (softmax of trainable scores, "learned").
struct LateFusionOptions {
    LateFusionOptions(std::vector<std::int64_t> inFeatures, std::int64_t classes) : inFeatures_(std::move(inFeatures)), classes_(classes) {}
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::int64_t, classes);
    TORCH_ARG(std::string, mode) = "mean";      // mean | weighted | learned
    TORCH_ARG(std::vector<double>, weights) = {}; // weighted: one per input
};

class LateFusionImpl : public BlockModule {
public:
    explicit LateFusionImpl(LateFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    // Mean mode: equal weights by construction, nothing to explain.
    ModalityWeights modalityWeights() const override
    {
        return options.mode() == "mean" ? ModalityWeights{} : ModalityWeights{"late", m_lastWeights};
    }
    // Per-sample weights [B, M] used by the last forward (for teaching mode's contribution view).
    torch::Tensor lastWeights() const { return m_lastWeights; }
    LateFusionOptions options;

private:
    torch::nn::ModuleList m_classifiers{nullptr};
    torch::Tensor m_scores;
    torch::Tensor m_lastWeights;
};
TORCH_MODULE(LateFusion);

// Softmax of `scores` [B, M] over the modalities whose mask is 1; rows with none present
// get zeros.
torch::Tensor maskedSoftmax(const torch::Tensor &scores, const torch::Tensor &mask);

} // namespace fuselab
