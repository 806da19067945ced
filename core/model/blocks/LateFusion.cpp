// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/LateFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

#include <sstream>

namespace fuselab {

torch::Tensor maskedSoftmax(const torch::Tensor &scores, const torch::Tensor &mask)
{
    const torch::Tensor present = mask > 0.5;
    const torch::Tensor filled = scores.masked_fill(~present, -1e9);
    return torch::softmax(filled, 1) * present.any(1, true).to(scores.dtype());
}

LateFusionImpl::LateFusionImpl(LateFusionOptions o) : options(std::move(o)) { reset(); }

void LateFusionImpl::reset()
{
    m_classifiers = torch::nn::ModuleList();
    for (auto d : options.inFeatures())
        m_classifiers->push_back(torch::nn::Linear(d, options.classes()));
    register_module("classifiers", m_classifiers);
    if (options.mode() == "learned")
        m_scores = register_parameter("scores", torch::zeros({static_cast<std::int64_t>(options.inFeatures().size())}));
}

torch::Tensor LateFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    const auto M = static_cast<std::int64_t>(xs.size());
    std::vector<torch::Tensor> logits;
    for (std::int64_t i = 0; i < M; ++i)
        logits.push_back(m_classifiers[i]->as<torch::nn::Linear>()->forward(xs[static_cast<std::size_t>(i)]));
    const torch::Tensor stacked = torch::stack(logits, 1);        // [B, M, C]
    const torch::Tensor mask = torch::stack(masks, 1);            // [B, M]
    torch::Tensor scores;
    if (options.mode() == "learned")
        scores = m_scores.unsqueeze(0).expand_as(mask);
    else if (options.mode() == "weighted") {
        std::vector<float> w(options.weights().begin(), options.weights().end());
        scores = torch::log(torch::tensor(w).clamp_min(1e-12)).to(mask.device()).unsqueeze(0).expand_as(mask);
    } else
        scores = torch::zeros_like(mask);
    m_lastWeights = maskedSoftmax(scores, mask);                  // weights renormalised over present modalities
    return (stacked * m_lastWeights.unsqueeze(2)).sum(1);
}

std::vector<Value> LateFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

namespace {

std::vector<double> parseWeights(const std::string &s)
{
    std::vector<double> w;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        w.push_back(std::stod(item));
    return w;
}

class LateFusionBlock final : public blocks::DescribedBlock {
public:
    LateFusionBlock()
        : DescribedBlock({"fusion.late", "fusion", FL_TR("Blocks", "Late fusion (decision level)").text,
                          "l_i = W_i x_i + b_i (one classifier per modality); a = softmax over present modalities of "
                          "0 (mean), log w_i (weighted) or learned s_i; logits = sum_i a_i l_i",
                          {{"in", {PortKind::Vector}, true, "two or more modality vectors"}},
                          {{"out", {PortKind::Vector}, false, "class logits"}},
                          {OptionSpec::choice("mode", "mean", {"mean", "weighted", "learned"}, "how the classifiers are combined"),
                           OptionSpec::text("weights", "", "weighted: comma-separated weights, one per input in edge order"),
                           blocks::auxWeightOption()}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &ctx, std::vector<BlockProblem> &problems) const override
    {
        if (!blocks::enoughInputs(in, 2, problems))
            return {};
        if (blocks::str(p, "mode") == "weighted") {
            std::vector<double> w;
            try {
                w = parseWeights(blocks::str(p, "weights"));
            } catch (const std::exception &) {
                problems.push_back({"weights", Message(FL_TR("Blocks", "must be comma-separated numbers"))});
                return {};
            }
            if (w.size() != in[0].size())
                problems.push_back({"weights", Message(FL_TR("Blocks", "%1 weights for %2 inputs"), std::to_string(w.size()), std::to_string(in[0].size()))});
            for (double x : w)
                if (!(x > 0))
                    problems.push_back({"weights", Message(FL_TR("Blocks", "weights must be positive"))});
            if (!problems.empty())
                return {};
        }
        if (ctx.numClasses < 1) {
            problems.push_back({"", Message(FL_TR("Blocks", "the experiment lists no classes (dataset.classes)"))});
            return {};
        }
        if (ctx.task && *ctx.task == Task::Regression) {
            problems.push_back({"", Message(FL_TR("Blocks", "late fusion averages class scores; for a number (regression) fuse the features "
                                                            "(concat, attention, gated) and end with head.regression"))});
            return {};
        }
        return {TensorShape::vector(ctx.numClasses)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &ctx) const override
    {
        LateFusionOptions o(blocks::lastDims(in[0]), ctx.numClasses);
        o.mode(blocks::str(p, "mode"));
        if (o.mode() == "weighted")
            o.weights(parseWeights(blocks::str(p, "weights")));
        return std::make_shared<LateFusionImpl>(o);
    }
};

} // namespace

std::unique_ptr<BlockType> makeLateFusionBlock() { return std::make_unique<LateFusionBlock>(); }

lowering::Lowered LateFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    const std::size_t n = o.inputCount();
    std::vector<Sym> logits;
    for (std::size_t i = 0; i < n; ++i)
        logits.push_back(item(o, *this, "classifiers", i, o.input(i)));
    const Sym stacked = o.stack(logits, 1), mask = o.stack(masks(o), 1);
    Sym scores;
    if (options.mode() == "learned") {
        scores = o.weight("scores", ownTensor(*this, "scores"));
    } else if (options.mode() == "weighted") {
        std::vector<float> w(options.weights().begin(), options.weights().end());
        scores = o.constant("log_weights", torch::log(torch::tensor(w).clamp_min(1e-12)));
    } else {
        scores = o.constant("zero_scores", torch::zeros({static_cast<std::int64_t>(n)}));
    }
    const Sym w = o.maskedSoftmax(o.expandAs(o.unsqueeze(scores, 0), mask), mask);
    return {o.sum(o.mul(stacked, o.unsqueeze(w, 2)), {1}, false), o.anyPresent(masks(o))};
}

} // namespace fuselab
