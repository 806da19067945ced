// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/model/BlockModule.h"

namespace fuselab {

// Attention bottlenecks (Nagrani et al., "Attention Bottlenecks for Multimodal Fusion",
// NeurIPS 2021): each modality is a token sequence (a vector is one token), projected to
// d_model with positional encoding; a few shared latent tokens z (the bottleneck) are the
// only way information passes between modalities. In each layer every modality runs a
// Transformer layer over [its tokens; z], h = LN(s + MHA(s, s, s)), h = LN(h + FF(h)),
// keeps its own tokens and hands back its copy of z; the new z is the mean of those copies
// over the modalities present. Output: each modality's tokens averaged over time, then
// averaged over the modalities present: d_model features.
struct BottleneckFusionOptions {
    BottleneckFusionOptions(std::vector<std::int64_t> inFeatures, std::vector<std::int64_t> lengths)
        : inFeatures_(std::move(inFeatures)), lengths_(std::move(lengths)) {}
    TORCH_ARG(std::vector<std::int64_t>, inFeatures);
    TORCH_ARG(std::vector<std::int64_t>, lengths);
    TORCH_ARG(std::int64_t, dModel) = 64;
    TORCH_ARG(std::int64_t, heads) = 4;
    TORCH_ARG(std::int64_t, bottlenecks) = 4;
    TORCH_ARG(std::int64_t, layers) = 2;
    TORCH_ARG(double, dropout) = 0.1;
};

class BottleneckFusionImpl : public BlockModule {
public:
    explicit BottleneckFusionImpl(BottleneckFusionOptions options);
    void reset();
    torch::Tensor forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    BottleneckFusionOptions options;

private:
    struct Layer {
        torch::nn::MultiheadAttention attention{nullptr};
        torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
        torch::nn::Sequential feedForward{nullptr};
    };
    static std::string layerName(std::int64_t layer, std::size_t modality)
    {
        return "layer" + std::to_string(layer) + "_" + std::to_string(modality);
    }
    torch::nn::ModuleList m_projections{nullptr};
    std::vector<torch::Tensor> m_positions;
    torch::Tensor m_bottleneck; // [1, bottlenecks, d_model]
    std::vector<Layer> m_layers; // layer-major: (layer, modality)
};
TORCH_MODULE(BottleneckFusion);

} // namespace fuselab
