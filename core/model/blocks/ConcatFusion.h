// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Early (feature-level) fusion: the modality vectors side by side. A missing modality
// contributes zeros (its vector is multiplied by its mask).
struct ConcatFusionOptions {
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
};

class ConcatFusionImpl : public BlockModule {
public:
    explicit ConcatFusionImpl(ConcatFusionOptions options) : options(std::move(options)) {}
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    ConcatFusionOptions options;
};
TORCH_MODULE(ConcatFusion);

} // namespace fuselab
