// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/AutoencoderFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

AutoencoderFusionImpl::AutoencoderFusionImpl(AutoencoderFusionOptions o) : options(std::move(o)) { reset(); }

void AutoencoderFusionImpl::reset()
{
    std::int64_t total = 0;
    for (auto d : options.inFeatures())
        total += d;
    m_encoder = register_module("encoder", torch::nn::Sequential(torch::nn::Linear(total, options.hidden()), torch::nn::ReLU(),
                                                                 torch::nn::Linear(options.hidden(), options.latent())));
    m_decoder = register_module("decoder", torch::nn::Sequential(torch::nn::Linear(options.latent(), options.hidden()), torch::nn::ReLU(),
                                                                 torch::nn::Linear(options.hidden(), total)));
}

torch::Tensor AutoencoderFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    std::vector<torch::Tensor> parts, featureMask;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        parts.push_back(xs[i] * masks[i].unsqueeze(1));
        featureMask.push_back(masks[i].unsqueeze(1).expand({-1, xs[i].size(1)}));
    }
    const torch::Tensor joint = torch::cat(parts, 1);
    const torch::Tensor mask = torch::cat(featureMask, 1);
    const torch::Tensor code = m_encoder->forward(joint);
    const torch::Tensor error = (m_decoder->forward(code) - joint).pow(2) * mask;
    m_loss = options.reconWeight() * error.sum() / mask.sum().clamp_min(1.0);
    return code;
}

std::vector<Value> AutoencoderFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

namespace {

class AutoencoderFusionBlock final : public blocks::DescribedBlock {
public:
    AutoencoderFusionBlock()
        : DescribedBlock({"fusion.autoencoder", "fusion", FL_TR("Blocks", "Autoencoder joint latent").text,
                          "u = [m_1 x_1; ...; m_M x_M]; z = E(u); u_hat = D(z); out = z; adds recon_weight * "
                          "sum(mask * (u_hat - u)^2) / sum(mask) to the loss, mask covering present modalities' features",
                          {{"in", {PortKind::Vector}, true, "two or more modality vectors"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("hidden", 128, 1, 65536, "hidden width of encoder and decoder"),
                           OptionSpec::integer("latent", 32, 1, 65536, "joint code size (output size)"),
                           OptionSpec::real("recon_weight", 1.0, 0.0, 1000.0, "weight of the reconstruction loss"),
                           blocks::auxWeightOption()}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        if (!blocks::enoughInputs(in, 2, problems))
            return {};
        return {TensorShape::vector(blocks::integer(p, "latent"))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<AutoencoderFusionImpl>(AutoencoderFusionOptions(blocks::lastDims(in[0]))
                                                           .hidden(blocks::integer(p, "hidden"))
                                                           .latent(blocks::integer(p, "latent"))
                                                           .reconWeight(blocks::real(p, "recon_weight")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeAutoencoderFusionBlock() { return std::make_unique<AutoencoderFusionBlock>(); }

// The code; the decoder only trains (its reconstruction loss).
lowering::Lowered AutoencoderFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    return {part(o, *this, "encoder", o.cat(maskedInputs(o), 1)), o.anyPresent(masks(o))};
}

} // namespace fuselab
