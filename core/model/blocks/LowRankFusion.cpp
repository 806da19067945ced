// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/LowRankFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

LowRankFusionImpl::LowRankFusionImpl(LowRankFusionOptions o) : options(std::move(o)) { reset(); }

void LowRankFusionImpl::reset()
{
    m_factors.clear();
    for (std::size_t i = 0; i < options.inFeatures().size(); ++i) {
        torch::Tensor w = torch::empty({options.rank(), options.inFeatures()[i] + 1, options.dim()});
        torch::nn::init::xavier_normal_(w);
        m_factors.push_back(register_parameter("factor" + std::to_string(i), w));
    }
    torch::Tensor fw = torch::empty({1, options.rank()});
    torch::nn::init::xavier_normal_(fw);
    m_weights = register_parameter("fusion_weights", fw);
    m_bias = register_parameter("bias", torch::zeros({options.dim()}));
}

torch::Tensor LowRankFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    torch::Tensor product;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const torch::Tensor x = xs[i] * masks[i].unsqueeze(1);
        const torch::Tensor withOne = torch::cat({x, torch::ones({x.size(0), 1}, x.options())}, 1); // [B, d+1]
        const torch::Tensor f = torch::matmul(withOne, m_factors[i]);                                // [rank, B, dim]
        product = product.defined() ? product * f : f;
    }
    return torch::matmul(m_weights, product.permute({1, 0, 2})).squeeze(1) + m_bias; // [B, dim]
}

std::vector<Value> LowRankFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

namespace {

class LowRankFusionBlock final : public blocks::DescribedBlock {
public:
    LowRankFusionBlock()
        : DescribedBlock({"fusion.low_rank", "fusion", FL_TR("Blocks", "Low-rank multimodal fusion (LMF)").text,
                          "h = sum_{r=1..rank} w_r * prod_i ([x_i; 1] W_i^(r)) + b, W_i^(r) in R^{(d_i+1) x dim} (Liu et al. 2018)",
                          {{"in", {PortKind::Vector}, true, "two or more modality vectors"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("rank", 4, 1, 256, "rank of the factorisation"),
                           OptionSpec::integer("dim", 64, 1, 65536, "output size"), blocks::auxWeightOption()}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        if (!blocks::enoughInputs(in, 2, problems))
            return {};
        return {TensorShape::vector(blocks::integer(p, "dim"))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<LowRankFusionImpl>(
            LowRankFusionOptions(blocks::lastDims(in[0])).rank(blocks::integer(p, "rank")).dim(blocks::integer(p, "dim")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeLowRankFusionBlock() { return std::make_unique<LowRankFusionBlock>(); }

lowering::Lowered LowRankFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    Sym product;
    for (std::size_t i = 0; i < o.inputCount(); ++i) {
        const std::string f = "factor" + std::to_string(i);
        const Sym one = o.appendOne(o.mul(o.input(i), o.unsqueeze(o.mask(i), 1)));
        const Sym fi = o.matmul(one, o.weight(f, ownTensor(*this, f))); // [rank, B, dim]
        product = i == 0 ? fi : o.mul(product, fi);
    }
    const Sym fused = o.matmul(o.weight("fusion_weights", ownTensor(*this, "fusion_weights")), o.permute(product, {1, 0, 2}));
    return {o.add(o.squeeze(fused, 1), o.weight("bias", ownTensor(*this, "bias"))), o.anyPresent(masks(o))};
}

} // namespace fuselab
