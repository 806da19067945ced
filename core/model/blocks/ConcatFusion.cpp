// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/ConcatFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

torch::Tensor ConcatFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    std::vector<torch::Tensor> parts;
    for (std::size_t i = 0; i < xs.size(); ++i)
        parts.push_back(xs[i] * masks[i].unsqueeze(1));
    return torch::cat(parts, 1);
}

std::vector<Value> ConcatFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

namespace {

class ConcatFusionBlock final : public BlockType {
public:
    std::string type() const override { return "fusion.concat"; }
    std::string category() const override { return "fusion"; }
    std::string title() const override { return FL_TR("Blocks", "Concatenation (early fusion)").text; }
    std::string math() const override { return "z = [m_1 x_1; m_2 x_2; ...; m_M x_M], m_i = 1 if modality i is present else 0"; }
    std::vector<PortSpec> inputs() const override
    {
        return {{"in", {PortKind::Vector}, true, "two or more modality vectors"}};
    }
    std::vector<PortSpec> outputs() const override { return {{"out", {PortKind::Vector}, false, "vector of the summed sizes"}}; }
    std::vector<OptionSpec> options() const override { return {blocks::auxWeightOption()}; }
    std::vector<TensorShape> infer(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        if (in[0].size() < 2) {
            problems.push_back({"in", Message(FL_TR("Blocks", "a fusion needs at least %1 inputs, it has %2"), "2", std::to_string(in[0].size()))});
            return {};
        }
        std::int64_t d = 0;
        for (auto &s : in[0])
            d += s.dims[0];
        return {TensorShape::vector(d)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        std::vector<std::int64_t> sizes;
        for (auto &s : in[0])
            sizes.push_back(s.dims[0]);
        return std::make_shared<ConcatFusionImpl>(ConcatFusionOptions().inFeatures(sizes));
    }
};

} // namespace

std::unique_ptr<BlockType> makeConcatFusionBlock() { return std::make_unique<ConcatFusionBlock>(); }

lowering::Lowered ConcatFusionImpl::lower(lowering::Ops &o) const
{
    return {o.cat(lowering::maskedInputs(o), 1), o.anyPresent(lowering::masks(o))};
}

} // namespace fuselab
