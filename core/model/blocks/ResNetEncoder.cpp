// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/ResNetEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

namespace nn = torch::nn;

ResidualBlockImpl::ResidualBlockImpl(std::int64_t in, std::int64_t out, std::int64_t stride)
{
    m_conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
    m_bn1 = register_module("bn1", nn::BatchNorm2d(out));
    m_conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
    m_bn2 = register_module("bn2", nn::BatchNorm2d(out));
    if (stride != 1 || in != out)
        m_shortcut = register_module("shortcut", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                                                                nn::BatchNorm2d(out)));
}

torch::Tensor ResidualBlockImpl::forward(torch::Tensor x)
{
    torch::Tensor y = torch::relu(m_bn1(m_conv1(x)));
    y = m_bn2(m_conv2(y));
    return torch::relu(y + (m_shortcut ? m_shortcut->forward(x) : x));
}

ResNetEncoderImpl::ResNetEncoderImpl(ResNetEncoderOptions o) : options(std::move(o)) { reset(); }

void ResNetEncoderImpl::reset()
{
    m_net = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(options.inChannels(), options.channels(), 3).padding(1).bias(false)),
                           nn::BatchNorm2d(options.channels()), nn::ReLU());
    std::int64_t in = options.channels();
    for (std::int64_t s = 0; s < options.stages(); ++s) {
        const std::int64_t out = options.channels() << s;
        for (std::int64_t b = 0; b < options.blocks(); ++b) {
            m_net->push_back(ResidualBlock(in, out, (s > 0 && b == 0) ? 2 : 1));
            in = out;
        }
    }
    register_module("net", m_net);
}

torch::Tensor ResNetEncoderImpl::forward(torch::Tensor x)
{
    const torch::Tensor y = m_net->forward(blocks::inLayoutOf(x, m_net[0]->as<torch::nn::Conv2dImpl>()->weight));
    if (ActivationTap *tap = activationTap())
        tap->record(this, y);
    return y.mean({2, 3});
}

std::vector<Value> ResNetEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runSingle(inputs, [this](const torch::Tensor &x) { return forward(x); });
}

namespace {

class ResNetEncoderBlock final : public blocks::DescribedBlock {
public:
    ResNetEncoderBlock()
        : DescribedBlock({"encoder.resnet", "encoder", FL_TR("Blocks", "ResNet encoder").text,
                          "x = ReLU(BN(conv3x3(x))); per stage s, per block: x = ReLU(BN(conv3x3(ReLU(BN(conv3x3(x))))) + shortcut(x)), "
                          "stride 2 at the start of stages s > 0; z = mean over H,W",
                          {{"in", {PortKind::Image}, false, "image [c, h, w]"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("stages", 3, 1, 5, "stages; each after the first halves the size"),
                           OptionSpec::integer("blocks", 2, 1, 8, "residual blocks per stage"),
                           OptionSpec::integer("channels", 16, 1, 512, "channels of the first stage (doubling per stage)")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        const std::int64_t need = std::int64_t(1) << (blocks::integer(p, "stages") - 1);
        if (in[0][0].dims[1] < need || in[0][0].dims[2] < need) {
            problems.push_back({"in", Message(FL_TR("Blocks", "image too small for %1 stages (needs at least %2x%2)"),
                                              std::to_string(blocks::integer(p, "stages")), std::to_string(need))});
            return {};
        }
        return {TensorShape::vector(blocks::integer(p, "channels") << (blocks::integer(p, "stages") - 1))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<ResNetEncoderImpl>(ResNetEncoderOptions(in[0][0].dims[0])
                                                       .stages(blocks::integer(p, "stages"))
                                                       .blocks(blocks::integer(p, "blocks"))
                                                       .channels(blocks::integer(p, "channels")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeResNetEncoderBlock() { return std::make_unique<ResNetEncoderBlock>(); }

lowering::Sym ResidualBlockImpl::lowerLayer(lowering::Ops &o, const std::string &path, lowering::Sym x) const
{
    lowering::Sym y = o.relu(o.layer(*m_bn1, path + "bn1.", o.layer(*m_conv1, path + "conv1.", x)));
    y = o.layer(*m_bn2, path + "bn2.", o.layer(*m_conv2, path + "conv2.", y));
    const lowering::Sym shortcut = lowering::hasChild(*this, "shortcut") ? o.layer(lowering::child(*this, "shortcut"), path + "shortcut.", x) : x;
    return o.relu(o.add(y, shortcut));
}

lowering::Lowered ResNetEncoderImpl::lower(lowering::Ops &o) const
{
    return {o.globalAveragePool(lowering::part(o, *this, "net", o.input(0))), o.mask(0)};
}

} // namespace fuselab
