// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/Conv1dEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

Conv1dEncoderImpl::Conv1dEncoderImpl(Conv1dEncoderOptions o) : options(std::move(o)) { reset(); }

void Conv1dEncoderImpl::reset()
{
    m_input = register_module("input", SequenceInput(SequenceInputOptions().vocab(options.vocab()).embeddingDim(options.embeddingDim())));
    m_convs = torch::nn::Sequential();
    std::int64_t in = options.vocab() > 0 ? options.embeddingDim() : options.inFeatures();
    for (std::int64_t i = 0; i < options.layers(); ++i) {
        m_convs->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(in, options.channels(), options.kernelSize())
                                                 .padding(options.kernelSize() / 2)));
        m_convs->push_back(torch::nn::ReLU());
        in = options.channels();
    }
    register_module("convs", m_convs);
}

torch::Tensor Conv1dEncoderImpl::forward(const torch::Tensor &x)
{
    const torch::Tensor valid = m_input->valid(x);
    const torch::Tensor mask = valid.to(torch::kFloat).unsqueeze(1);
    torch::Tensor h = m_input(x).transpose(1, 2) * mask;     // [B, D, T], padding zeroed
    h = (m_convs->forward(h) * mask).transpose(1, 2);       // [B, T, C]
    if (options.output() == "max")
        return maskedMax(h, valid);
    if (options.output() == "mean")
        return maskedMean(h, valid);
    return h;
}

std::vector<Value> Conv1dEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    const Value &in = inputs.at(0).at(0);
    Value out{forward(in.x), in.mask};
    if (options.output() == "sequence") // which steps are padding, for a decoder's attention
        out.steps = m_input->valid(in.x).to(torch::kFloat);
    return {out};
}

namespace {

class Conv1dEncoderBlock final : public blocks::DescribedBlock {
public:
    Conv1dEncoderBlock()
        : DescribedBlock({"encoder.conv1d", "encoder", FL_TR("Blocks", "1-D convolution encoder").text,
                          "e = Embed(x) (or x); per layer: h = ReLU(conv1d_k(h)) with same padding; out = max_t h | mean_t h | h",
                          {{"in", {PortKind::Tokens, PortKind::Sequence}, false, "token ids or a float sequence"}},
                          {{"out", {PortKind::Vector, PortKind::Sequence}, false, "vector, or sequence when output = sequence"}},
                          {OptionSpec::integer("embedding_dim", 64, 1, 4096, "embedding size (token input)"),
                           OptionSpec::integer("channels", 128, 1, 4096, "filters per layer"),
                           OptionSpec::integer("kernel_size", 5, 1, 31, "odd kernel width in steps"),
                           OptionSpec::integer("layers", 2, 1, 8, "convolution layers"),
                           OptionSpec::choice("output", "max", {"max", "mean", "sequence"}, "pooling over time")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        if (blocks::integer(p, "kernel_size") % 2 == 0) {
            problems.push_back({"kernel_size", Message(FL_TR("Blocks", "must be odd so that the sequence keeps its length"))});
            return {};
        }
        const std::int64_t c = blocks::integer(p, "channels");
        if (blocks::str(p, "output") == "sequence")
            return {TensorShape::sequence(in[0][0].dims[0], c)};
        return {TensorShape::vector(c)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        const TensorShape &s = in[0][0];
        return std::make_shared<Conv1dEncoderImpl>(Conv1dEncoderOptions(s.kind == PortKind::Sequence ? s.dims[1] : 0)
                                                       .vocab(s.kind == PortKind::Tokens ? s.vocab : 0)
                                                       .embeddingDim(blocks::integer(p, "embedding_dim"))
                                                       .channels(blocks::integer(p, "channels"))
                                                       .kernelSize(blocks::integer(p, "kernel_size"))
                                                       .layers(blocks::integer(p, "layers"))
                                                       .output(blocks::str(p, "output")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeConv1dEncoderBlock() { return std::make_unique<Conv1dEncoderBlock>(); }

lowering::Lowered Conv1dEncoderImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    const auto [valid, steps] = m_input->lowerSequence(o, "input.", o.input(0));
    const Sym mask = o.unsqueeze(o.validAsFloat(valid), 1);
    Sym h = o.mul(o.transpose(steps, 1, 2), mask);
    h = o.transpose(o.mul(part(o, *this, "convs", h), mask), 1, 2);
    if (options.output() == "max")
        h = o.maskedMax(h, valid);
    else if (options.output() == "mean")
        h = o.maskedMean(h, valid);
    if (options.output() == "sequence")
        return {h, o.mask(0), o.validAsFloat(valid)};
    return {h, o.mask(0)};
}

} // namespace fuselab
