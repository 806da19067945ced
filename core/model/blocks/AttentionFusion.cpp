// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/AttentionFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"
#include "core/model/blocks/LateFusion.h"

namespace fuselab {

AttentionFusionImpl::AttentionFusionImpl(AttentionFusionOptions o) : options(std::move(o)) { reset(); }

void AttentionFusionImpl::reset()
{
    m_projections = torch::nn::ModuleList();
    for (auto d : options.inFeatures())
        m_projections->push_back(torch::nn::Linear(d, options.dim()));
    register_module("projections", m_projections);
    m_context = register_module("context", torch::nn::Linear(options.dim(), options.dim()));
    m_score = register_module("score", torch::nn::Linear(torch::nn::LinearOptions(options.dim(), 1).bias(false)));
}

torch::Tensor AttentionFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    std::vector<torch::Tensor> p;
    for (std::size_t i = 0; i < xs.size(); ++i)
        p.push_back(m_projections[i]->as<torch::nn::Linear>()->forward(xs[i]));
    const torch::Tensor P = torch::stack(p, 1);                          // [B, M, D]
    const torch::Tensor scores = m_score(torch::tanh(m_context(P))).squeeze(2); // [B, M]
    m_lastWeights = maskedSoftmax(scores, torch::stack(masks, 1));
    return (P * m_lastWeights.unsqueeze(2)).sum(1);
}

std::vector<Value> AttentionFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

std::unique_ptr<BlockType> makeAttentionFusionBlock()
{
    return std::make_unique<blocks::VectorFusionBlock<AttentionFusionImpl, AttentionFusionOptions>>(blocks::DescribedBlock::Description{"fusion.attention", "fusion", FL_TR("Blocks", "Attention fusion").text,
                          "p_i = W_i x_i + b_i; s_i = v^T tanh(U p_i + c); a = softmax over present modalities of s; z = sum_i a_i p_i",
                          {{"in", {PortKind::Vector}, true, "two or more modality vectors"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("dim", 128, 1, 65536, "projection size (and output size)"), blocks::auxWeightOption()}});
}

lowering::Lowered AttentionFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    std::vector<Sym> p;
    for (std::size_t i = 0; i < o.inputCount(); ++i)
        p.push_back(item(o, *this, "projections", i, o.input(i)));
    const Sym P = o.stack(p, 1);
    const Sym context = o.tanh(part(o, *this, "context", P));
    const Sym scores = o.squeeze(part(o, *this, "score", context), 2);
    const Sym w = o.maskedSoftmax(scores, o.stack(masks(o), 1));
    return {o.sum(o.mul(P, o.unsqueeze(w, 2)), {1}, false), o.anyPresent(masks(o))};
}

} // namespace fuselab
