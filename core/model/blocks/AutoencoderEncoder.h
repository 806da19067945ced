// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// An autoencoder whose code is the encoding: the flattened input goes through `layers`
// halving hidden layers down to `latent`; a mirrored decoder reconstructs the input, and
// recon_weight × MSE(reconstruction, input) over present samples joins the task loss.
// The input size is inferred (the seed's example fed 28×28 images into a 1024-wide layer).
struct AutoencoderEncoderOptions {
    AutoencoderEncoderOptions(std::int64_t inFeatures) : inFeatures_(inFeatures) {}
    std::vector<std::int64_t> widths() const; // in, hidden, hidden/2, ..., latent
    TORCH_ARG(std::int64_t, inFeatures);
    TORCH_ARG(std::int64_t, hidden) = 256;
    TORCH_ARG(std::int64_t, layers) = 1;     // hidden layers in the encoder
    TORCH_ARG(std::int64_t, latent) = 32;
    TORCH_ARG(double, reconWeight) = 1.0;
};

class AutoencoderEncoderImpl : public BlockModule {
public:
    explicit AutoencoderEncoderImpl(AutoencoderEncoderOptions options);
    void reset();
    // Returns the code; the reconstruction loss of this call is kept for auxiliaryLoss().
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &mask = {});
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    torch::Tensor auxiliaryLoss() const override { return m_loss; }
    torch::Tensor reconstruct(const torch::Tensor &code);
    AutoencoderEncoderOptions options;

private:
    torch::nn::Sequential m_encoder{nullptr}, m_decoder{nullptr};
    torch::Tensor m_loss;
};
TORCH_MODULE(AutoencoderEncoder);

// Mean squared error per sample, averaged over samples whose mask is 1.
torch::Tensor maskedMse(const torch::Tensor &a, const torch::Tensor &b, const torch::Tensor &mask);

} // namespace fuselab
