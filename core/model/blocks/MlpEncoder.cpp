// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/MlpEncoder.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

MlpEncoderImpl::MlpEncoderImpl(MlpEncoderOptions o) : options(std::move(o)) { reset(); }

void MlpEncoderImpl::reset()
{
    m_layers = torch::nn::Sequential();
    std::int64_t in = options.inFeatures();
    for (std::int64_t i = 0; i < options.layers(); ++i) {
        m_layers->push_back(torch::nn::Linear(in, options.hidden()));
        m_layers->push_back(blocks::activation(options.activation()));
        if (options.dropout() > 0)
            m_layers->push_back(torch::nn::Dropout(options.dropout()));
        in = options.hidden();
    }
    register_module("layers", m_layers);
}

torch::Tensor MlpEncoderImpl::forward(torch::Tensor x) { return m_layers->forward(x.flatten(1)); }

std::vector<Value> MlpEncoderImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runSingle(inputs, [this](const torch::Tensor &x) { return forward(x); });
}

namespace {

class MlpEncoderBlock final : public blocks::DescribedBlock {
public:
    MlpEncoderBlock()
        : DescribedBlock({"encoder.mlp", "encoder", FL_TR("Blocks", "MLP encoder").text,
                          "x = flatten(x); repeat `layers` times: x = dropout(act(W x + b))",
                          {{"in", {PortKind::Vector, PortKind::Image, PortKind::Sequence}, false, "any float input (flattened)"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("hidden", 128, 1, 65536, "units per layer (and output size)"),
                           OptionSpec::integer("layers", 2, 1, 16, "number of fully connected layers"),
                           OptionSpec::choice("activation", "relu", {"relu", "gelu", "tanh"}, "non-linearity"),
                           OptionSpec::real("dropout", 0.0, 0.0, 0.9, "dropout after each layer")}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &,
                                   const InferContext &, std::vector<BlockProblem> &) const override
    {
        return {TensorShape::vector(blocks::integer(p, "hidden"))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<MlpEncoderImpl>(MlpEncoderOptions(blocks::features(in[0][0]))
                                                    .hidden(blocks::integer(p, "hidden"))
                                                    .layers(blocks::integer(p, "layers"))
                                                    .activation(blocks::str(p, "activation"))
                                                    .dropout(blocks::real(p, "dropout")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeMlpEncoderBlock() { return std::make_unique<MlpEncoderBlock>(); }

lowering::Lowered MlpEncoderImpl::lower(lowering::Ops &o) const { return {lowering::part(o, *this, "layers", o.flatten(o.input(0))), o.mask(0)}; }

} // namespace fuselab
