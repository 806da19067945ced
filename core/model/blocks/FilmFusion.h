// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// FiLM (Perez et al., 2018): one modality conditions another by a feature-wise affine map,
// out = gamma(c) * x + beta(c), per feature of a vector or sequence, per channel of an
// image. gamma is parametrised as 1 + delta so that a missing condition leaves x unchanged.
struct FilmFusionOptions {
    FilmFusionOptions(std::int64_t features, std::int64_t conditionFeatures) : features_(features), conditionFeatures_(conditionFeatures) {}
    TORCH_ARG(std::int64_t, features);          // features (vector/sequence) or channels (image) of x
    TORCH_ARG(std::int64_t, conditionFeatures);
};

class FilmFusionImpl : public BlockModule {
public:
    explicit FilmFusionImpl(FilmFusionOptions options);
    void reset();
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &condition, const torch::Tensor &conditionMask);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    FilmFusionOptions options;

private:
    torch::nn::Linear m_gamma{nullptr}, m_beta{nullptr};
};
TORCH_MODULE(FilmFusion);

} // namespace fuselab
