// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/CnnEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

CnnEncoderImpl::CnnEncoderImpl(CnnEncoderOptions o) : options(std::move(o)) { reset(); }

void CnnEncoderImpl::reset()
{
    m_features = torch::nn::Sequential();
    std::int64_t in = options.inChannels();
    for (std::int64_t i = 0; i < options.layers(); ++i) {
        const std::int64_t out = options.channels() << i;
        m_features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, options.kernelSize())
                                                    .padding(options.kernelSize() / 2)
                                                    .bias(!options.batchNorm())));
        if (options.batchNorm())
            m_features->push_back(torch::nn::BatchNorm2d(out));
        m_features->push_back(torch::nn::ReLU());
        if (options.pool() == "avg")
            m_features->push_back(torch::nn::AvgPool2d(2));
        else
            m_features->push_back(torch::nn::MaxPool2d(2));
        in = out;
    }
    register_module("features", m_features);
    m_dropout = register_module("dropout", torch::nn::Dropout(options.dropout()));
    if (options.outFeatures() > 0)
        m_projection = register_module("projection", torch::nn::Linear(options.pooledSize(options.height(), options.width()),
                                                                        options.outFeatures()));
}

torch::Tensor CnnEncoderImpl::forward(torch::Tensor x)
{
    x = blocks::inLayoutOf(x, m_features[0]->as<torch::nn::Conv2dImpl>()->weight);
    x = m_features->forward(x);
    if (ActivationTap *tap = activationTap())
        tap->record(this, x);
    x = options.flatten() ? x.flatten(1) : x.mean({2, 3});
    x = m_dropout(x);
    return m_projection ? m_projection(x) : x;
}

std::vector<Value> CnnEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runSingle(inputs, [this](const torch::Tensor &x) { return forward(x); });
}

namespace {

class CnnEncoderBlock final : public BlockType {
public:
    std::string type() const override { return "encoder.cnn"; }
    std::string category() const override { return "encoder"; }
    std::string title() const override { return FL_TR("Blocks", "CNN encoder").text; }
    std::string math() const override
    {
        return "for each of `layers` blocks: x = pool2x2(ReLU(BN(conv_kxk(x)))), channels = channels*2^i; "
               "z = mean over H,W (or flatten(x) when flatten); out = W dropout(z) + b when out_features > 0";
    }
    std::vector<PortSpec> inputs() const override { return {{"in", {PortKind::Image}, false, "image [c, h, w]"}}; }
    std::vector<PortSpec> outputs() const override { return {{"out", {PortKind::Vector}, false, "vector"}}; }
    std::vector<OptionSpec> options() const override
    {
        return {OptionSpec::integer("layers", 3, 1, 8, "number of conv blocks, each halving height and width"),
                OptionSpec::integer("channels", 32, 1, 1024, "channels of the first block (doubling per block)"),
                OptionSpec::integer("kernel_size", 3, 1, 11, "odd convolution kernel size"),
                OptionSpec::boolean("batch_norm", true, "batch normalisation after each convolution"),
                OptionSpec::choice("pool", "max", {"max", "avg"}, "2x2 pooling"),
                OptionSpec::real("dropout", 0.0, 0.0, 0.9, "dropout before the projection"),
                OptionSpec::integer("out_features", 0, 0, 65536, "size of a final linear projection, 0 = none"),
                OptionSpec::boolean("flatten", false, "flatten the last feature map instead of averaging over it")};
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        const TensorShape &s = in[0][0];
        const std::int64_t layers = blocks::integer(p, "layers");
        if (blocks::integer(p, "kernel_size") % 2 == 0)
            problems.push_back({"kernel_size", Message(FL_TR("Blocks", "must be odd so that convolutions keep the size"))});
        const std::int64_t need = std::int64_t(1) << layers;
        if (s.dims[1] < need || s.dims[2] < need)
            problems.push_back({"in", Message(FL_TR("Blocks", "image %1x%2 is too small for %3 pooling layers (needs at least %4x%4); use fewer layers"),
                                              std::to_string(s.dims[1]), std::to_string(s.dims[2]), std::to_string(layers), std::to_string(need))});
        if (!problems.empty())
            return {};
        return {TensorShape::vector(options(p, s).outputSize(s.dims[1], s.dims[2]))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<CnnEncoderImpl>(options(p, in[0][0]));
    }

private:
    static CnnEncoderOptions options(const nlohmann::json &p, const TensorShape &s)
    {
        return CnnEncoderOptions(s.dims[0])
            .layers(blocks::integer(p, "layers"))
            .channels(blocks::integer(p, "channels"))
            .kernelSize(blocks::integer(p, "kernel_size"))
            .batchNorm(blocks::flag(p, "batch_norm"))
            .pool(blocks::str(p, "pool"))
            .dropout(blocks::real(p, "dropout"))
            .outFeatures(blocks::integer(p, "out_features"))
            .flatten(blocks::flag(p, "flatten"))
            .height(s.dims[1])
            .width(s.dims[2]);
    }
};

} // namespace

std::unique_ptr<BlockType> makeCnnEncoderBlock() { return std::make_unique<CnnEncoderBlock>(); }

lowering::Lowered CnnEncoderImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    Sym y = part(o, *this, "features", o.input(0));
    y = options.flatten() ? o.flatten(y) : o.globalAveragePool(y);
    y = part(o, *this, "dropout", y);
    if (hasChild(*this, "projection"))
        y = part(o, *this, "projection", y);
    return {y, o.mask(0)};
}

} // namespace fuselab
