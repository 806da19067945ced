// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/AutoencoderEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

std::vector<std::int64_t> AutoencoderEncoderOptions::widths() const
{
    std::vector<std::int64_t> w{inFeatures_};
    for (std::int64_t i = 0; i < layers_; ++i)
        w.push_back(std::max<std::int64_t>(latent_, hidden_ >> i));
    w.push_back(latent_);
    return w;
}

torch::Tensor maskedMse(const torch::Tensor &a, const torch::Tensor &b, const torch::Tensor &mask)
{
    const torch::Tensor perSample = (a - b).pow(2).flatten(1).mean(1);
    const torch::Tensor m = mask.defined() ? mask.to(perSample.dtype()) : torch::ones_like(perSample);
    return (perSample * m).sum() / m.sum().clamp_min(1.0);
}

AutoencoderEncoderImpl::AutoencoderEncoderImpl(AutoencoderEncoderOptions o) : options(std::move(o)) { reset(); }

void AutoencoderEncoderImpl::reset()
{
    const auto w = options.widths();
    m_encoder = torch::nn::Sequential();
    m_decoder = torch::nn::Sequential();
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
        m_encoder->push_back(torch::nn::Linear(w[i], w[i + 1]));
        if (i + 2 < w.size())
            m_encoder->push_back(torch::nn::ReLU());
    }
    for (std::size_t i = w.size() - 1; i > 0; --i) {
        m_decoder->push_back(torch::nn::Linear(w[i], w[i - 1]));
        if (i > 1)
            m_decoder->push_back(torch::nn::ReLU());
    }
    register_module("encoder", m_encoder);
    register_module("decoder", m_decoder);
}

torch::Tensor AutoencoderEncoderImpl::reconstruct(const torch::Tensor &code) { return m_decoder->forward(code); }

torch::Tensor AutoencoderEncoderImpl::forward(const torch::Tensor &x, const torch::Tensor &mask)
{
    const torch::Tensor flat = x.flatten(1);
    const torch::Tensor code = m_encoder->forward(flat);
    m_loss = options.reconWeight() * maskedMse(reconstruct(code), flat, mask);
    return code;
}

std::vector<Value> AutoencoderEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    const Value &v = inputs.at(0).at(0);
    return {{forward(v.x, v.mask), v.mask}};
}

namespace {

class AutoencoderEncoderBlock final : public blocks::DescribedBlock {
public:
    AutoencoderEncoderBlock()
        : DescribedBlock({"encoder.autoencoder", "encoder", FL_TR("Blocks", "Autoencoder encoder").text,
                          "z = E(flatten(x)), x_hat = D(z) with D mirroring E; out = z; "
                          "adds recon_weight * mean over present samples of ||x_hat - x||^2 / n to the loss",
                          {{"in", {PortKind::Vector, PortKind::Image, PortKind::Sequence}, false, "any float input (flattened)"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("hidden", 256, 1, 65536, "first hidden layer width (halving per layer)"),
                           OptionSpec::integer("layers", 1, 0, 8, "hidden layers in the encoder"),
                           OptionSpec::integer("latent", 32, 1, 65536, "code size"),
                           OptionSpec::real("recon_weight", 1.0, 0.0, 1000.0, "weight of the reconstruction loss")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &,
                                   const InferContext &, std::vector<BlockProblem> &) const override
    {
        return {TensorShape::vector(blocks::integer(p, "latent"))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<AutoencoderEncoderImpl>(AutoencoderEncoderOptions(blocks::features(in[0][0]))
                                                            .hidden(blocks::integer(p, "hidden"))
                                                            .layers(blocks::integer(p, "layers"))
                                                            .latent(blocks::integer(p, "latent"))
                                                            .reconWeight(blocks::real(p, "recon_weight")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeAutoencoderBlock() { return std::make_unique<AutoencoderEncoderBlock>(); }

// The code; the decoder only trains (its reconstruction loss).
lowering::Lowered AutoencoderEncoderImpl::lower(lowering::Ops &o) const
{
    return {lowering::part(o, *this, "encoder", o.flatten(o.input(0))), o.mask(0)};
}

} // namespace fuselab
