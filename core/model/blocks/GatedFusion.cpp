// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/GatedFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

GatedFusionImpl::GatedFusionImpl(GatedFusionOptions o) : options(std::move(o)) { reset(); }

void GatedFusionImpl::reset()
{
    m_hidden = torch::nn::ModuleList();
    std::int64_t total = 0;
    for (auto d : options.inFeatures()) {
        m_hidden->push_back(torch::nn::Linear(torch::nn::LinearOptions(d, options.dim()).bias(false)));
        total += d;
    }
    register_module("hidden", m_hidden);
    const auto M = static_cast<std::int64_t>(options.inFeatures().size());
    // Two inputs: one sigmoid gate per feature; more: one logit per modality and feature.
    m_gate = register_module("gate", torch::nn::Linear(torch::nn::LinearOptions(total, M == 2 ? options.dim() : M * options.dim()).bias(false)));
}

torch::Tensor GatedFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    const auto M = static_cast<std::int64_t>(xs.size());
    const std::int64_t D = options.dim();
    std::vector<torch::Tensor> h;
    for (std::int64_t i = 0; i < M; ++i)
        h.push_back(torch::tanh(m_hidden[i]->as<torch::nn::Linear>()->forward(xs[static_cast<std::size_t>(i)])));
    const torch::Tensor H = torch::stack(h, 1);                              // [B, M, D]
    const torch::Tensor mask = torch::stack(masks, 1).unsqueeze(2);          // [B, M, 1]
    const torch::Tensor g = m_gate(torch::cat(xs, 1));
    torch::Tensor gates;
    if (M == 2) {
        const torch::Tensor z = torch::sigmoid(g);                            // weight of modality 1
        gates = torch::stack({z, 1 - z}, 1);
        // A missing modality hands its share to the other one.
        gates = gates * mask;
        gates = gates / gates.sum(1, true).clamp_min(1e-12);
    } else {
        const torch::Tensor logits = g.view({-1, M, D}).masked_fill(mask < 0.5, -1e9);
        gates = torch::softmax(logits, 1) * (mask.sum(1, true) > 0).to(g.dtype());
    }
    m_lastGates = gates;
    return (gates * H).sum(1);
}

std::vector<Value> GatedFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

std::unique_ptr<BlockType> makeGatedFusionBlock()
{
    return std::make_unique<blocks::VectorFusionBlock<GatedFusionImpl, GatedFusionOptions>>(blocks::DescribedBlock::Description{"fusion.gated", "fusion", FL_TR("Blocks", "Gated multimodal unit (GMU)").text,
                          "h_i = tanh(W_i x_i); M = 2: z = sigmoid(W_z [x_1; x_2]), h = z h_1 + (1 - z) h_2; "
                          "M > 2: z = softmax over modalities of W_z [x_1; ...; x_M] per feature, h = sum_i z_i h_i (Arevalo et al. 2017)",
                          {{"in", {PortKind::Vector}, true, "two or more modality vectors"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("dim", 128, 1, 65536, "hidden size (and output size)"), blocks::auxWeightOption()}});
}

lowering::Lowered GatedFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    const std::size_t n = o.inputCount();
    std::vector<Sym> h, xs;
    for (std::size_t i = 0; i < n; ++i) {
        h.push_back(o.tanh(item(o, *this, "hidden", i, o.input(i))));
        xs.push_back(o.input(i));
    }
    const Sym H = o.stack(h, 1);
    const Sym mask = o.unsqueeze(o.stack(masks(o), 1), 2);
    const Sym g = part(o, *this, "gate", o.cat(xs, 1));
    Sym gates;
    if (n == 2) {
        const Sym z = o.sigmoid(g);
        gates = o.mul(o.stack({z, o.sub(o.scalar(1.0), z)}, 1), mask);
        gates = o.div(gates, o.clampMin(o.sum(gates, {1}, true), 1e-12));
    } else {
        gates = o.maskedSoftmax(o.reshape(g, {-1, static_cast<std::int64_t>(n), options.dim()}), mask);
    }
    return {o.sum(o.mul(gates, H), {1}, false), o.anyPresent(masks(o))};
}

} // namespace fuselab
