// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/BottleneckFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"
#include "core/model/blocks/TransformerEncoder.h"

namespace fuselab {

BottleneckFusionImpl::BottleneckFusionImpl(BottleneckFusionOptions o) : options(std::move(o)) { reset(); }

void BottleneckFusionImpl::reset()
{
    const std::size_t M = options.inFeatures().size();
    const std::int64_t D = options.dModel();
    m_projections = torch::nn::ModuleList();
    m_positions.clear();
    for (std::size_t i = 0; i < M; ++i) {
        m_projections->push_back(torch::nn::Linear(options.inFeatures()[i], D));
        m_positions.push_back(register_buffer("positions" + std::to_string(i), sinusoidalPositions(options.lengths()[i], D)));
    }
    register_module("projections", m_projections);
    m_bottleneck = register_parameter("bottleneck", torch::randn({1, options.bottlenecks(), D}) * 0.02);
    m_layers.clear();
    for (std::int64_t l = 0; l < options.layers(); ++l)
        for (std::size_t i = 0; i < M; ++i) {
            const std::string name = layerName(l, i);
            Layer layer;
            layer.attention = register_module(name + "_attention",
                                               torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(D, options.heads()).dropout(options.dropout())));
            layer.norm1 = register_module(name + "_norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
            layer.norm2 = register_module(name + "_norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
            layer.feedForward = register_module(name + "_ff", torch::nn::Sequential(torch::nn::Linear(D, 2 * D), torch::nn::ReLU(), torch::nn::Linear(2 * D, D)));
            m_layers.push_back(layer);
        }
}

torch::Tensor BottleneckFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    const std::size_t M = xs.size();
    std::vector<torch::Tensor> h; // [B, T_i, D], batch first
    for (std::size_t i = 0; i < M; ++i) {
        const torch::Tensor x = xs[i].dim() == 2 ? xs[i].unsqueeze(1) : xs[i]; // a vector is a one-token sequence
        h.push_back(m_projections[i]->as<torch::nn::Linear>()->forward(x) + m_positions[i].unsqueeze(0));
    }
    torch::Tensor z = m_bottleneck.expand({h[0].size(0), -1, -1});
    const torch::Tensor present = torch::stack(masks, 1);            // [B, M]
    const torch::Tensor weight = present.unsqueeze(2).unsqueeze(3);  // [B, M, 1, 1]
    const torch::Tensor count = weight.sum(1).clamp_min(1.0);        // [B, 1, 1]
    std::size_t k = 0;
    for (std::int64_t l = 0; l < options.layers(); ++l) {
        std::vector<torch::Tensor> copies;
        for (std::size_t i = 0; i < M; ++i) {
            Layer &layer = m_layers[k++];
            const std::int64_t T = h[i].size(1);
            const torch::Tensor s = torch::cat({h[i], z}, 1);
            const torch::Tensor t = s.transpose(0, 1); // LibTorch's attention is sequence first
            const torch::Tensor a = std::get<0>(layer.attention->forward(t, t, t)).transpose(0, 1);
            torch::Tensor y = layer.norm1(s + a);
            y = layer.norm2(y + layer.feedForward->forward(y));
            h[i] = y.slice(1, 0, T);
            copies.push_back(y.slice(1, T));
        }
        // A missing modality's copy does not count.
        z = (torch::stack(copies, 1) * weight).sum(1) / count;
    }
    std::vector<torch::Tensor> pooled;
    for (const torch::Tensor &t : h)
        pooled.push_back(t.mean({1}));
    return (torch::stack(pooled, 1) * present.unsqueeze(2)).sum(1) / present.sum({1}, true).clamp_min(1.0);
}

std::vector<Value> BottleneckFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

lowering::Lowered BottleneckFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    const std::size_t M = o.inputCount();
    std::vector<Sym> h;
    for (std::size_t i = 0; i < M; ++i) {
        const std::string positions = "positions" + std::to_string(i);
        h.push_back(o.add(item(o, *this, "projections", i, o.asSequence(o.input(i))), o.unsqueeze(o.weight(positions, m_positions.at(i)), 0)));
    }
    Sym z = o.repeatBatch(o.weight("bottleneck", m_bottleneck), h.at(0));
    const Sym present = o.stack(masks(o), 1);
    const Sym weight = o.unsqueeze(o.unsqueeze(present, 2), 3);
    const Sym count = o.clampMin(o.sum(weight, {1}, false), 1.0);
    for (std::int64_t l = 0; l < options.layers(); ++l) {
        std::vector<Sym> copies;
        for (std::size_t i = 0; i < M; ++i) {
            const std::string name = layerName(l, i);
            const std::int64_t T = options.lengths().at(i);
            const Sym s = o.cat({h[i], z}, 1);
            const Sym a = o.attention(*m_layers.at(static_cast<std::size_t>(l) * M + i).attention, name + "_attention.", s, s);
            Sym y = part(o, *this, name + "_norm1", o.add(s, a));
            y = part(o, *this, name + "_norm2", o.add(y, part(o, *this, name + "_ff", y)));
            h[i] = o.slice(y, 1, 0, T);
            copies.push_back(o.slice(y, 1, T));
        }
        z = o.div(o.sum(o.mul(o.stack(copies, 1), weight), {1}, false), count);
    }
    std::vector<Sym> pooled;
    for (Sym t : h)
        pooled.push_back(o.mean(t, {1}, false));
    const Sym out = o.div(o.sum(o.mul(o.stack(pooled, 1), o.unsqueeze(present, 2)), {1}, false), o.clampMin(o.sum(present, {1}, true), 1.0));
    return {out, o.anyPresent(masks(o))};
}

namespace {

class BottleneckFusionBlock final : public blocks::DescribedBlock {
public:
    BottleneckFusionBlock()
        : DescribedBlock({"fusion.bottleneck", "fusion", FL_TR("Blocks", "Attention bottlenecks (MBT)").text,
                          "q_i = W_i x_i + PE; z = B shared tokens; per layer, for each modality i: [q_i; z_i] = LN/FF(MHA([q_i; z])) "
                          "(a Transformer layer), then z = mean over present i of z_i; out = mean over present i of mean_t q_i "
                          "(Nagrani et al. 2021)",
                          {{"in", {PortKind::Sequence, PortKind::Vector}, true, "two or more sequences (a vector counts as a one-step sequence)"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("d_model", 64, 8, 4096, "token width"),
                           OptionSpec::integer("heads", 4, 1, 64, "attention heads (must divide d_model)"),
                           OptionSpec::integer("bottlenecks", 4, 1, 256, "shared bottleneck tokens: the only path between modalities"),
                           OptionSpec::integer("layers", 2, 1, 24, "fusion layers"),
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
        return {TensorShape::vector(blocks::integer(p, "d_model"))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        const std::vector<std::int64_t> lengths = blocks::stepsPerInput(in[0]);
        return std::make_shared<BottleneckFusionImpl>(BottleneckFusionOptions(blocks::lastDims(in[0]), lengths)
                                                          .dModel(blocks::integer(p, "d_model"))
                                                          .heads(blocks::integer(p, "heads"))
                                                          .bottlenecks(blocks::integer(p, "bottlenecks"))
                                                          .layers(blocks::integer(p, "layers"))
                                                          .dropout(blocks::real(p, "dropout")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeBottleneckFusionBlock() { return std::make_unique<BottleneckFusionBlock>(); }

} // namespace fuselab
