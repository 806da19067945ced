// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Tensor Fusion Network (Zadeh et al., 2017): the outer product of every modality vector
// with a 1 appended, z = [x_1; 1] ⊗ [x_2; 1] ⊗ ..., which holds the unimodal, bimodal and
// higher-order interactions, flattened and passed to a linear layer with ReLU. Inputs can
// first be projected to `proj_dim` to keep the product tractable. A missing modality is a
// zero vector, so only the interactions it is not part of remain.
struct TensorFusionOptions {
    TensorFusionOptions(std::vector<std::int64_t> inFeatures) : inFeatures_(std::move(inFeatures)) {}
    std::int64_t productSize() const;
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::int64_t, projDim) = 0;     // 0: no projection
    TORCH_ARG(std::int64_t, outFeatures) = 64; // 0: the raw flattened product
};

class TensorFusionImpl : public BlockModule {
public:
    explicit TensorFusionImpl(TensorFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    // The flattened outer product alone (for tests and exporters).
    static torch::Tensor outerProduct(const std::vector<torch::Tensor> &xs);
    TensorFusionOptions options;

private:
    torch::nn::ModuleList m_projections{nullptr};
    torch::nn::Linear m_out{nullptr};
};
TORCH_MODULE(TensorFusion);

} // namespace fuselab
