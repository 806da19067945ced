// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/FilmFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

FilmFusionImpl::FilmFusionImpl(FilmFusionOptions o) : options(std::move(o)) { reset(); }

void FilmFusionImpl::reset()
{
    m_gamma = register_module("gamma", torch::nn::Linear(options.conditionFeatures(), options.features()));
    m_beta = register_module("beta", torch::nn::Linear(options.conditionFeatures(), options.features()));
}

torch::Tensor FilmFusionImpl::forward(const torch::Tensor &x, const torch::Tensor &c, const torch::Tensor &conditionMask)
{
    const torch::Tensor m = conditionMask.defined() ? conditionMask.unsqueeze(1) : torch::ones({c.size(0), 1}, c.options());
    torch::Tensor gamma = 1 + m * m_gamma(c), beta = m * m_beta(c); // [B, F]
    if (x.dim() == 4) {            // image: per channel
        gamma = gamma.view({x.size(0), -1, 1, 1});
        beta = beta.view({x.size(0), -1, 1, 1});
    } else if (x.dim() == 3) {     // sequence: per feature, every step
        gamma = gamma.unsqueeze(1);
        beta = beta.unsqueeze(1);
    }
    return gamma * x + beta;
}

std::vector<Value> FilmFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    const Value &x = inputs.at(0).at(0), &c = inputs.at(1).at(0);
    return {{forward(x.x, c.x, c.mask), x.mask}};
}

namespace {

class FilmFusionBlock final : public blocks::DescribedBlock {
public:
    FilmFusionBlock()
        : DescribedBlock({"fusion.film", "fusion", FL_TR("Blocks", "FiLM conditioning").text,
                          "gamma = 1 + m_c (W_g c + b_g), beta = m_c (W_b c + b_b); out = gamma * x + beta per feature "
                          "(per channel for images). Exactly one conditioned input and one condition: FiLM is asymmetric; "
                          "chain FiLM blocks to condition on several modalities (Perez et al. 2018)",
                          {{"x", {PortKind::Vector, PortKind::Sequence, PortKind::Image}, false, "the features to modulate"},
                           {"condition", {PortKind::Vector}, false, "the conditioning modality's vector"}},
                          {{"out", {PortKind::Vector, PortKind::Sequence, PortKind::Image}, false, "same shape as x"}},
                          {blocks::auxWeightOption()}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &) const override
    {
        return {in[0][0]};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        const TensorShape &x = in[0][0];
        const std::int64_t features = x.kind == PortKind::Image ? x.dims[0] : x.last();
        return std::make_shared<FilmFusionImpl>(FilmFusionOptions(features, in[1][0].last()));
    }
};

} // namespace

std::unique_ptr<BlockType> makeFilmFusionBlock() { return std::make_unique<FilmFusionBlock>(); }

// x (input 0) modulated by the condition (input 1); a missing condition leaves x as it is.
lowering::Lowered FilmFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    const Sym x = o.input(0), c = o.input(1), present = o.unsqueeze(o.mask(1), 1);
    const Sym gamma = o.add(o.scalar(1.0), o.mul(present, part(o, *this, "gamma", c)));
    const Sym beta = o.mul(present, part(o, *this, "beta", c));
    return {o.add(o.mul(o.perFeature(gamma, x), x), o.perFeature(beta, x)), o.mask(0)};
}

} // namespace fuselab
