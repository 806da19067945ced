// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/RegressionHead.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

RegressionHeadImpl::RegressionHeadImpl(RegressionHeadOptions o) : options(std::move(o)) { reset(); }

void RegressionHeadImpl::reset()
{
    m_layers = blocks::headLayers(options.inFeatures(), options.hidden(), 1, options.dropout());
    register_module("layers", m_layers);
    m_mean = register_buffer("target_mean", torch::zeros({1}));
    m_std = register_buffer("target_std", torch::ones({1}));
}

torch::Tensor RegressionHeadImpl::forward(torch::Tensor x) { return m_layers->forward(x) * m_std + m_mean; }

std::vector<Value> RegressionHeadImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runSingle(inputs, [this](const torch::Tensor &x) { return forward(x); });
}

lowering::Lowered RegressionHeadImpl::lower(lowering::Ops &o) const
{
    const lowering::Sym z = lowering::part(o, *this, "layers", o.input(0));
    return {o.add(o.mul(z, o.weight("target_std", m_std)), o.weight("target_mean", m_mean)), o.mask(0)};
}

std::optional<BlockModule::RegressionOutput> RegressionHeadImpl::regressionOutput() const
{
    return RegressionOutput{options.loss(), options.huberDelta(), m_mean.item<double>(), m_std.item<double>()};
}

void RegressionHeadImpl::setTargetScale(double mean, double std)
{
    torch::NoGradGuard noGrad;
    m_mean.fill_(mean);
    m_std.fill_(std > 0 ? std : 1.0);
}

namespace {

class RegressionHeadBlock final : public BlockType {
public:
    std::string type() const override { return "head.regression"; }
    std::string category() const override { return "head"; }
    std::string title() const override { return FL_TR("Blocks", "Regression head").text; }
    std::string math() const override
    {
        return "y = mean + std · (W2 ReLU(W1 x + b1) + b2) (hidden > 0) or mean + std · (W x + b), mean and std of the training targets; "
               "loss = MSE or Huber of (y - target) / std";
    }
    std::vector<PortSpec> inputs() const override { return {{"in", {PortKind::Vector}, false, "feature vector"}}; }
    std::vector<PortSpec> outputs() const override { return {{"logits", {PortKind::Vector}, false, "the predicted number"}}; }
    std::vector<OptionSpec> options() const override
    {
        return {OptionSpec::integer("hidden", 0, 0, 65536, "hidden units of an MLP head, 0 = linear"),
                OptionSpec::real("dropout", 0.0, 0.0, 0.9, "dropout on the input features"),
                OptionSpec::choice("loss", "mse", {"mse", "huber"}, "mean squared error, or Huber (less swayed by outliers)"),
                OptionSpec::real("huber_delta", 1.0, 0.01, 100.0, "Huber's threshold, in standard deviations of the target")};
    }
    std::vector<TensorShape> infer(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &, const InferContext &ctx,
                                   std::vector<BlockProblem> &problems) const override
    {
        if (ctx.task && *ctx.task != Task::Regression)
            problems.push_back({"", Message(FL_TR("Blocks", "the dataset's labels are classes, not numbers: use head.classification or head.multilabel"))});
        return {TensorShape::vector(1)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<RegressionHeadImpl>(RegressionHeadOptions(in[0][0].last())
                                                        .hidden(blocks::integer(p, "hidden"))
                                                        .dropout(blocks::real(p, "dropout"))
                                                        .loss(p.at("loss").get<std::string>())
                                                        .huberDelta(blocks::real(p, "huber_delta")));
    }
};

} // namespace

std::unique_ptr<BlockType> makeRegressionHeadBlock() { return std::make_unique<RegressionHeadBlock>(); }

} // namespace fuselab
