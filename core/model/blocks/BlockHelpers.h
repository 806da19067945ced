// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared pieces of the built-in blocks' descriptors.
#include "core/graph/BlockType.h"
#include "core/model/BlockModule.h"

#include <memory>

namespace fuselab::blocks {

inline std::int64_t integer(const nlohmann::json &p, const char *k) { return p.at(k).get<std::int64_t>(); }
inline double real(const nlohmann::json &p, const char *k) { return p.at(k).get<double>(); }
inline bool flag(const nlohmann::json &p, const char *k) { return p.at(k).get<bool>(); }
inline std::string str(const nlohmann::json &p, const char *k) { return p.at(k).get<std::string>(); }

// A head's layers: dropout on the input (when > 0), then a linear layer to `out`, or an MLP
// with one ReLU hidden layer of `hidden` units.
inline torch::nn::Sequential headLayers(std::int64_t in, std::int64_t hidden, std::int64_t out, double dropout)
{
    torch::nn::Sequential layers;
    if (dropout > 0)
        layers->push_back(torch::nn::Dropout(dropout));
    if (hidden > 0) {
        layers->push_back(torch::nn::Linear(in, hidden));
        layers->push_back(torch::nn::ReLU());
        layers->push_back(torch::nn::Linear(hidden, out));
    } else {
        layers->push_back(torch::nn::Linear(in, out));
    }
    return layers;
}

// A descriptor that builds an XxxImpl from its options: the common shape of most blocks.
template <typename Impl, typename Options>
std::shared_ptr<BlockModule> make(const Options &o)
{
    return std::make_shared<Impl>(o);
}

// Flattened feature count of any shape (MLP and autoencoder inputs).
inline std::int64_t features(const TensorShape &s) { return s.numel(); }

inline torch::nn::AnyModule activation(const std::string &name)
{
    if (name == "gelu")
        return torch::nn::AnyModule(torch::nn::GELU());
    if (name == "tanh")
        return torch::nn::AnyModule(torch::nn::Tanh());
    return torch::nn::AnyModule(torch::nn::ReLU());
}

// A block type whose description is data: subclasses supply only infer() and create().
class DescribedBlock : public BlockType {
public:
    struct Description {
        std::string type, category, title, math;
        std::vector<PortSpec> inputs, outputs;
        std::vector<OptionSpec> options;
    };
    explicit DescribedBlock(Description d) : m_d(std::move(d)) {}
    std::string type() const override { return m_d.type; }
    std::string category() const override { return m_d.category; }
    std::string title() const override { return m_d.title; }
    std::string math() const override { return m_d.math; }
    std::vector<PortSpec> inputs() const override { return m_d.inputs; }
    std::vector<PortSpec> outputs() const override { return m_d.outputs; }
    std::vector<OptionSpec> options() const override { return m_d.options; }

private:
    Description m_d;
};

// Fusions: at least `min` inputs on port 0, with a reason when not.
inline bool enoughInputs(const std::vector<std::vector<TensorShape>> &in, std::size_t min, std::vector<BlockProblem> &problems)
{
    if (in[0].size() >= min)
        return true;
    problems.push_back({"in", Message(FL_TR("Blocks", "a fusion needs at least %1 inputs, it has %2"), std::to_string(min), std::to_string(in[0].size()))});
    return false;
}

// Tokens each input gives an attention fusion: a sequence's length, 1 for a vector.
inline std::vector<std::int64_t> stepsPerInput(const std::vector<TensorShape> &shapes)
{
    std::vector<std::int64_t> steps;
    for (const TensorShape &s : shapes)
        steps.push_back(s.kind == PortKind::Sequence ? s.dims[0] : 1);
    return steps;
}

// Multi-head attention's width rule over the "d_model" and "heads" options (even, for the
// sinusoidal positions); false with the problem on "heads" when broken.
inline bool attentionWidthOk(const nlohmann::json &p, std::vector<BlockProblem> &problems)
{
    if (integer(p, "d_model") % integer(p, "heads") == 0 && integer(p, "d_model") % 2 == 0)
        return true;
    problems.push_back({"heads", Message(FL_TR("Blocks", "heads must divide d_model, and d_model must be even"))});
    return false;
}

inline std::vector<std::int64_t> lastDims(const std::vector<TensorShape> &shapes)
{
    std::vector<std::int64_t> d;
    for (auto &s : shapes)
        d.push_back(s.last());
    return d;
}

// An image batch in the memory layout of a convolution's weights: once a model is switched
// to channels-last (FusionModel::setChannelsLast), its first convolution gets NHWC input too.
inline torch::Tensor inLayoutOf(const torch::Tensor &x, const torch::Tensor &convWeight)
{
    if (x.dim() == 4 && convWeight.suggest_memory_format() == at::MemoryFormat::ChannelsLast)
        return x.contiguous(at::MemoryFormat::ChannelsLast);
    return x;
}

// Every fusion block's "aux_weight": FusionModel gives each of the block's inputs a linear
// classifier used only in training (its loss, times the weight, joins the task loss: each
// encoder must learn to classify alone, which counters modality competition).
inline OptionSpec auxWeightOption()
{
    return OptionSpec::real("aux_weight", 0.0, 0.0, 10.0,
                            "training only: each input gets its own linear classifier, whose loss times this weight is added "
                            "to the task loss (every encoder learns to classify alone); 0 = off; not used in evaluation or export");
}

inline PortSpec vectorOut() { return {"out", {PortKind::Vector}, false, "vector"}; }

// A fusion of two or more vectors into vector[dim], whose options are its input sizes and
// `dim` (attention fusion, GMU).
template <typename Impl, typename Options>
class VectorFusionBlock final : public DescribedBlock {
public:
    explicit VectorFusionBlock(Description d) : DescribedBlock(std::move(d)) {}
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        if (!enoughInputs(in, 2, problems))
            return {};
        return {TensorShape::vector(integer(p, "dim"))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<Impl>(Options(lastDims(in[0])).dim(integer(p, "dim")));
    }
};

} // namespace fuselab::blocks
