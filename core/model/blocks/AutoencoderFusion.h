// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Autoencoder joint latent: the modality vectors, concatenated, are encoded to one shared
// code that must reconstruct all of them; the code is the fused representation. The
// reconstruction error counts only the features of modalities present in each sample.
struct AutoencoderFusionOptions {
    AutoencoderFusionOptions(std::vector<std::int64_t> inFeatures) : inFeatures_(std::move(inFeatures)) {}
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::int64_t, hidden) = 128;
    TORCH_ARG(std::int64_t, latent) = 32;
    TORCH_ARG(double, reconWeight) = 1.0;
};

class AutoencoderFusionImpl : public BlockModule {
public:
    explicit AutoencoderFusionImpl(AutoencoderFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    torch::Tensor auxiliaryLoss() const override { return m_loss; }
    AutoencoderFusionOptions options;

private:
    torch::nn::Sequential m_encoder{nullptr}, m_decoder{nullptr};
    torch::Tensor m_loss;
};
TORCH_MODULE(AutoencoderFusion);

} // namespace fuselab
