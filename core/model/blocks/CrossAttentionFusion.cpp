// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/CrossAttentionFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"
#include "core/model/blocks/TransformerEncoder.h"

namespace fuselab {

CrossAttentionFusionImpl::CrossAttentionFusionImpl(CrossAttentionFusionOptions o) : options(std::move(o)) { reset(); }

void CrossAttentionFusionImpl::reset()
{
    const auto M = options.inFeatures().size();
    const std::int64_t D = options.dModel();
    m_projections = torch::nn::ModuleList();
    m_positions.clear();
    for (std::size_t i = 0; i < M; ++i) {
        m_projections->push_back(torch::nn::Linear(options.inFeatures()[i], D));
        m_positions.push_back(register_buffer("positions" + std::to_string(i), sinusoidalPositions(options.lengths()[i], D)));
    }
    register_module("projections", m_projections);
    m_pairs.clear();
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < M; ++j) {
            if (i == j)
                continue;
            const std::string name = "cross_" + std::to_string(j) + "_to_" + std::to_string(i);
            Pair p;
            p.attention = register_module(name + "_attention",
                                           torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(D, options.heads()).dropout(options.dropout())));
            p.norm1 = register_module(name + "_norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
            p.norm2 = register_module(name + "_norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
            p.feedForward = register_module(name + "_ff", torch::nn::Sequential(torch::nn::Linear(D, 2 * D), torch::nn::ReLU(),
                                                                                torch::nn::Linear(2 * D, D)));
            m_pairs.push_back(p);
        }
}

torch::Tensor CrossAttentionFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    const std::size_t M = xs.size();
    std::vector<torch::Tensor> h; // [T_i, B, D]
    for (std::size_t i = 0; i < M; ++i) {
        const torch::Tensor x = xs[i].dim() == 2 ? xs[i].unsqueeze(1) : xs[i]; // a vector is a one-step sequence
        torch::Tensor p = m_projections[i]->as<torch::nn::Linear>()->forward(x) + m_positions[i].unsqueeze(0);
        h.push_back(p.transpose(0, 1));
    }
    std::vector<torch::Tensor> targets;
    std::size_t k = 0;
    for (std::size_t i = 0; i < M; ++i) {
        std::vector<torch::Tensor> fromSources;
        for (std::size_t j = 0; j < M; ++j) {
            if (i == j)
                continue;
            Pair &p = m_pairs[k++];
            torch::Tensor y = std::get<0>(p.attention->forward(h[i], h[j], h[j]));
            y = p.norm1(h[i] + y);
            y = p.norm2(y + p.feedForward->forward(y));
            // Nothing crosses from a missing source, and a missing target yields zeros.
            fromSources.push_back(y.mean(0) * (masks[i] * masks[j]).unsqueeze(1));
        }
        targets.push_back(torch::cat(fromSources, 1));
    }
    return torch::cat(targets, 1);
}

std::vector<Value> CrossAttentionFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

namespace {

class CrossAttentionFusionBlock final : public blocks::DescribedBlock {
public:
    CrossAttentionFusionBlock()
        : DescribedBlock({"fusion.cross_attention", "fusion", FL_TR("Blocks", "Cross-modal attention (MulT)").text,
                          "q_i = W_i x_i + PE; for each target i and source j != i: h = LN(q_i + MHA(q_i, q_j, q_j)), "
                          "h_ji = LN(h + FF(h)); z_i = mean_t [h_ji for j != i]; out = [z_1; ...; z_M] (Tsai et al. 2019)",
                          {{"in", {PortKind::Sequence, PortKind::Vector}, true, "two or more sequences (a vector counts as a one-step sequence)"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("d_model", 64, 8, 4096, "attention width"),
                           OptionSpec::integer("heads", 4, 1, 64, "attention heads (must divide d_model)"),
                           OptionSpec::real("dropout", 0.1, 0.0, 0.9, "attention dropout"), blocks::auxWeightOption()}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        if (!blocks::enoughInputs(in, 2, problems))
            return {};
        if (!blocks::attentionWidthOk(p, problems))
            return {};
        return {TensorShape::vector(options(p, in).outputSize())};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<CrossAttentionFusionImpl>(options(p, in));
    }

private:
    static CrossAttentionFusionOptions options(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in)
    {
        const std::vector<std::int64_t> lengths = blocks::stepsPerInput(in[0]);
        return CrossAttentionFusionOptions(blocks::lastDims(in[0]), lengths)
            .dModel(blocks::integer(p, "d_model"))
            .heads(blocks::integer(p, "heads"))
            .dropout(blocks::real(p, "dropout"));
    }
};

} // namespace

std::unique_ptr<BlockType> makeCrossAttentionFusionBlock() { return std::make_unique<CrossAttentionFusionBlock>(); }

lowering::Lowered CrossAttentionFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    const std::size_t n = o.inputCount();
    std::vector<Sym> h;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string positions = "positions" + std::to_string(i);
        h.push_back(o.add(item(o, *this, "projections", i, o.asSequence(o.input(i))), o.unsqueeze(o.weight(positions, ownTensor(*this, positions)), 0)));
    }
    std::vector<Sym> targets;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<Sym> from;
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j)
                continue;
            const std::string name = "cross_" + std::to_string(j) + "_to_" + std::to_string(i);
            const auto *attention = dynamic_cast<const torch::nn::MultiheadAttentionImpl *>(&child(*this, name + "_attention"));
            if (!attention)
                throw Refused{"its " + name + "_attention is not a multi-head attention"};
            Sym y = o.attention(*attention, name + "_attention.", h[i], h[j]);
            y = part(o, *this, name + "_norm1", o.add(h[i], y));
            y = part(o, *this, name + "_norm2", o.add(y, part(o, *this, name + "_ff", y)));
            from.push_back(o.mul(o.mean(y, {1}, false), o.unsqueeze(o.mul(o.mask(i), o.mask(j)), 1)));
        }
        targets.push_back(o.cat(from, 1));
    }
    return {o.cat(targets, 1), o.anyPresent(masks(o))};
}

} // namespace fuselab
