// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/TransformerEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

#include <cmath>

namespace fuselab {

torch::Tensor sinusoidalPositions(std::int64_t length, std::int64_t d)
{
    const torch::Tensor pos = torch::arange(length, torch::kFloat).unsqueeze(1);
    const torch::Tensor i = torch::arange(0, d, 2, torch::kFloat);
    const torch::Tensor angle = pos * torch::exp(-std::log(10000.0) * i / double(d));
    torch::Tensor pe = torch::zeros({length, d});
    pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)}, torch::sin(angle));
    pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                  torch::cos(angle).index({torch::indexing::Slice(), torch::indexing::Slice(0, d / 2)}));
    return pe;
}

TransformerEncoderImpl::TransformerEncoderImpl(TransformerEncoderOptions o) : options(std::move(o)) { reset(); }

void TransformerEncoderImpl::reset()
{
    m_input = register_module("input", SequenceInput(SequenceInputOptions().vocab(options.vocab()).embeddingDim(options.dModel())));
    if (options.vocab() == 0)
        m_projection = register_module("projection", torch::nn::Linear(options.inFeatures(), options.dModel()));
    auto layer = torch::nn::TransformerEncoderLayer(torch::nn::TransformerEncoderLayerOptions(options.dModel(), options.heads())
                                                        .dim_feedforward(options.ffDim())
                                                        .dropout(options.dropout()));
    m_encoder = register_module("encoder", torch::nn::TransformerEncoder(torch::nn::TransformerEncoderOptions(layer, options.layers())));
    if (options.pooling() == "cls")
        m_cls = register_parameter("cls", torch::randn({1, 1, options.dModel()}) * 0.02);
    m_positions = register_buffer("positions", sinusoidalPositions(options.maxLength() + 1, options.dModel()));
}

torch::Tensor TransformerEncoderImpl::forward(const torch::Tensor &x)
{
    torch::Tensor valid = m_input->valid(x);
    torch::Tensor h = m_input(x);
    if (m_projection)
        h = m_projection(h);
    const std::int64_t B = h.size(0);
    if (m_cls.defined()) {
        h = torch::cat({m_cls.expand({B, 1, options.dModel()}), h}, 1);
        valid = torch::cat({torch::ones({B, 1}, valid.options()), valid}, 1);
    }
    h = h + m_positions.index({torch::indexing::Slice(0, h.size(1))}).unsqueeze(0);
    // A row with no real step would make attention undefined: let it attend to everything.
    const torch::Tensor anyValid = valid.any(1, /*keepdim=*/true);
    const torch::Tensor padding = (~valid) & anyValid;
    h = m_encoder->forward(h.transpose(0, 1), /*src_mask=*/torch::Tensor(), /*src_key_padding_mask=*/padding).transpose(0, 1); // [B, T, D]
    if (options.pooling() == "cls")
        return h.select(1, 0);
    if (m_cls.defined())
        h = h.slice(1, 1);
    if (options.pooling() == "mean")
        return maskedMean(h, m_cls.defined() ? valid.slice(1, 1) : valid);
    return h;
}

std::vector<Value> TransformerEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    const Value &in = inputs.at(0).at(0);
    Value out{forward(in.x), in.mask};
    if (options.pooling() == "sequence") // which steps are padding, for a decoder's attention
        out.steps = m_input->valid(in.x).to(torch::kFloat);
    return {out};
}

namespace {

class TransformerEncoderBlock final : public blocks::DescribedBlock {
public:
    TransformerEncoderBlock()
        : DescribedBlock({"encoder.transformer", "encoder", FL_TR("Blocks", "Transformer encoder").text,
                          "h_0 = Embed(x) (or W x) + PE; [CLS] prepended when pooling = cls; "
                          "per layer: h = LN(h + MHA(h)); h = LN(h + W2 ReLU(W1 h)); padding masked; "
                          "out = h_CLS | mean over real steps | h",
                          {{"in", {PortKind::Tokens, PortKind::Sequence}, false, "token ids or a float sequence"}},
                          {{"out", {PortKind::Vector, PortKind::Sequence}, false, "vector, or sequence when pooling = sequence"}},
                          {OptionSpec::integer("d_model", 64, 8, 4096, "model width"),
                           OptionSpec::integer("heads", 4, 1, 64, "attention heads (must divide d_model)"),
                           OptionSpec::integer("layers", 2, 1, 24, "encoder layers"),
                           OptionSpec::integer("ff_dim", 128, 8, 16384, "feed-forward width"),
                           OptionSpec::real("dropout", 0.1, 0.0, 0.9, "dropout inside the layers"),
                           OptionSpec::choice("pooling", "cls", {"cls", "mean", "sequence"}, "what to pass on")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        const std::int64_t d = blocks::integer(p, "d_model"), heads = blocks::integer(p, "heads");
        if (d % heads != 0)
            problems.push_back({"heads", Message(FL_TR("Blocks", "%1 heads do not divide d_model = %2"), std::to_string(heads), std::to_string(d))});
        if (d % 2 != 0)
            problems.push_back({"d_model", Message(FL_TR("Blocks", "must be even (sinusoidal positions pair sines and cosines)"))});
        if (!problems.empty())
            return {};
        if (blocks::str(p, "pooling") == "sequence")
            return {TensorShape::sequence(in[0][0].dims[0], d)};
        return {TensorShape::vector(d)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        const TensorShape &s = in[0][0];
        return std::make_shared<TransformerEncoderImpl>(TransformerEncoderOptions(s.kind == PortKind::Sequence ? s.dims[1] : 0, s.dims[0])
                                                            .vocab(s.kind == PortKind::Tokens ? s.vocab : 0)
                                                            .dModel(blocks::integer(p, "d_model"))
                                                            .heads(blocks::integer(p, "heads"))
                                                            .layers(blocks::integer(p, "layers"))
                                                            .ffDim(blocks::integer(p, "ff_dim"))
                                                            .dropout(blocks::real(p, "dropout"))
                                                            .pooling(blocks::str(p, "pooling")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeTransformerEncoderBlock() { return std::make_unique<TransformerEncoderBlock>(); }

lowering::Lowered TransformerEncoderImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    auto [valid, h] = m_input->lowerSequence(o, "input.", o.input(0));
    if (hasChild(*this, "projection"))
        h = part(o, *this, "projection", h);
    const bool cls = m_cls.defined();
    if (cls) {
        h = o.cat({o.repeatBatch(o.weight("cls", ownTensor(*this, "cls")), h), h}, 1);
        valid = o.validPrepend(valid);
    }
    h = o.add(h, o.unsqueeze(o.leading(o.weight("positions", ownTensor(*this, "positions")), h, 1), 0));
    const Sym padding = o.keyPadding(valid);
    const torch::nn::Module &encoder = child(*this, "encoder");
    h = o.transformerLayers(child(encoder, "layers"), "encoder.layers.", h, padding);
    if (hasChild(encoder, "norm"))
        h = o.layer(child(encoder, "norm"), "encoder.norm.", h);
    if (options.pooling() == "cls")
        return {o.select(h, 1, 0), o.mask(0)};
    if (cls) {
        h = o.slice(h, 1, 1);
        valid = o.slice(valid, 1, 1);
    }
    if (options.pooling() == "sequence")
        return {h, o.mask(0), o.validAsFloat(valid)};
    return {options.pooling() == "mean" ? o.maskedMean(h, valid) : h, o.mask(0)};
}

} // namespace fuselab
