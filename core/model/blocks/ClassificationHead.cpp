// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/ClassificationHead.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

ClassificationHeadImpl::ClassificationHeadImpl(ClassificationHeadOptions o) : options(std::move(o)) { reset(); }

void ClassificationHeadImpl::reset()
{
    m_layers = blocks::headLayers(options.inFeatures(), options.hidden(), options.classes(), options.dropout());
    register_module("layers", m_layers);
}

torch::Tensor ClassificationHeadImpl::forward(torch::Tensor x) { return m_layers->forward(x); }

std::vector<Value> ClassificationHeadImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runSingle(inputs, [this](const torch::Tensor &x) { return forward(x); });
}

namespace {

class ClassificationHeadBlock final : public BlockType {
public:
    explicit ClassificationHeadBlock(bool multiLabel) : m_multiLabel(multiLabel) {}
    std::string type() const override { return m_multiLabel ? "head.multilabel" : "head.classification"; }
    std::string category() const override { return "head"; }
    std::string title() const override { return m_multiLabel ? FL_TR("Blocks", "Multi-label head").text : FL_TR("Blocks", "Classification head").text; }
    std::string math() const override
    {
        return std::string("logits = W2 ReLU(W1 x + b1) + b2 (hidden > 0) or W x + b; ")
             + (m_multiLabel ? "p_k = sigmoid(logit_k), loss = binary cross-entropy per class"
                             : "p = softmax(logits), loss = cross-entropy");
    }
    std::vector<PortSpec> inputs() const override { return {{"in", {PortKind::Vector}, false, "feature vector"}}; }
    std::vector<PortSpec> outputs() const override { return {{"logits", {PortKind::Vector}, false, "one logit per class"}}; }
    std::vector<OptionSpec> options() const override
    {
        return {OptionSpec::integer("hidden", 0, 0, 65536, "hidden units of an MLP head, 0 = linear"),
                OptionSpec::real("dropout", 0.0, 0.0, 0.9, "dropout on the input features")};
    }
    std::vector<TensorShape> infer(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &,
                                   const InferContext &ctx, std::vector<BlockProblem> &problems) const override
    {
        if (ctx.numClasses < 1) {
            problems.push_back({"", Message(FL_TR("Blocks", "the experiment lists no classes (dataset.classes)"))});
            return {};
        }
        if (ctx.task && *ctx.task == Task::Sequence) {
            problems.push_back({"", Message(FL_TR("Blocks", "the dataset's labels are texts to produce (a sequence task): use head.rnn_decoder, "
                                                            "head.transformer_decoder or head.ctc"))});
            return {TensorShape::vector(ctx.numClasses)};
        }
        if (ctx.task && *ctx.task == Task::Regression) {
            problems.push_back({"", Message(FL_TR("Blocks", "the dataset's labels are numbers (regression): use head.regression"))});
            return {TensorShape::vector(ctx.numClasses)};
        }
        if (ctx.multiLabel && *ctx.multiLabel != m_multiLabel)
            problems.push_back({"", *ctx.multiLabel ? Message(FL_TR("Blocks", "the dataset is multi-label (a sample may have several classes): use head.multilabel"))
                                                    : Message(FL_TR("Blocks", "the dataset has one class per sample: use head.classification"))});
        return {TensorShape::vector(ctx.numClasses)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &ctx) const override
    {
        return std::make_shared<ClassificationHeadImpl>(ClassificationHeadOptions(in[0][0].last(), ctx.numClasses)
                                                            .hidden(blocks::integer(p, "hidden"))
                                                            .dropout(blocks::real(p, "dropout"))
                                                            .multiLabel(m_multiLabel));
    }

private:
    bool m_multiLabel;
};

// The graph's sink: whatever reaches it is the model's output (logits).
class OutputModule final : public BlockModule {
public:
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override { return {inputs.at(0).at(0)}; }
    lowering::Lowered lower(lowering::Ops &o) const override { return {o.input(0), o.mask(0)}; }
};

class OutputBlock final : public BlockType {
public:
    std::string type() const override { return "output"; }
    std::string category() const override { return "output"; }
    std::string title() const override { return FL_TR("Blocks", "Output").text; }
    std::string math() const override { return "the model's logits, one per class"; }
    std::vector<PortSpec> inputs() const override
    {
        return {{"logits", {PortKind::Vector, PortKind::Sequence}, false, "class logits, or per step token logits (a sequence head)"}};
    }
    std::vector<PortSpec> outputs() const override { return {}; }
    std::vector<OptionSpec> options() const override { return {}; }
    std::vector<TensorShape> infer(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &ctx, std::vector<BlockProblem> &problems) const override
    {
        if (in[0][0].kind == PortKind::Sequence) {
            if (ctx.task && *ctx.task != Task::Sequence)
                problems.push_back({"logits", Message(FL_TR("Blocks", "receives %1, a sequence, but the dataset's labels are not texts"),
                                                      in[0][0].toString())});
            else if (ctx.numClasses > 0 && in[0][0].last() != ctx.numClasses)
                problems.push_back({"logits", Message(FL_TR("Blocks", "receives %1 but the target vocabulary has %2 tokens"), in[0][0].toString(),
                                                      std::to_string(ctx.numClasses))});
            return {};
        }
        if (ctx.numClasses > 0 && in[0][0].dims[0] != ctx.numClasses)
            problems.push_back({"logits", Message(FL_TR("Blocks", "receives %1 but the dataset has %2 classes"), in[0][0].toString(),
                                                  std::to_string(ctx.numClasses))});
        return {};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &,
                                        const InferContext &) const override
    {
        return std::make_shared<OutputModule>();
    }
};

} // namespace

std::unique_ptr<BlockType> makeClassificationHeadBlock(bool multiLabel)
{
    return std::make_unique<ClassificationHeadBlock>(multiLabel);
}

std::unique_ptr<BlockType> makeOutputBlock() { return std::make_unique<OutputBlock>(); }

lowering::Lowered ClassificationHeadImpl::lower(lowering::Ops &o) const { return {lowering::part(o, *this, "layers", o.input(0)), o.mask(0)}; }

} // namespace fuselab
