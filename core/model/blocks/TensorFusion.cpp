// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/TensorFusion.h"
#include "core/util/Message.h"

#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/Builtin.h"

namespace fuselab {

namespace {
constexpr std::int64_t kMaxProduct = std::int64_t(1) << 22; // 4M features per sample
}

std::int64_t TensorFusionOptions::productSize() const
{
    std::int64_t n = 1;
    for (auto d : inFeatures_) {
        n *= (projDim_ > 0 ? projDim_ : d) + 1;
        if (n > (std::int64_t(1) << 40))
            break;
    }
    return n;
}

TensorFusionImpl::TensorFusionImpl(TensorFusionOptions o) : options(std::move(o)) { reset(); }

void TensorFusionImpl::reset()
{
    if (options.projDim() > 0) {
        m_projections = torch::nn::ModuleList();
        for (auto d : options.inFeatures())
            m_projections->push_back(torch::nn::Linear(d, options.projDim()));
        register_module("projections", m_projections);
    }
    if (options.outFeatures() > 0)
        m_out = register_module("out", torch::nn::Linear(options.productSize(), options.outFeatures()));
}

torch::Tensor TensorFusionImpl::outerProduct(const std::vector<torch::Tensor> &xs)
{
    torch::Tensor z;
    for (const torch::Tensor &x : xs) {
        const torch::Tensor withOne = torch::cat({x, torch::ones({x.size(0), 1}, x.options())}, 1);
        z = z.defined() ? torch::bmm(z.unsqueeze(2), withOne.unsqueeze(1)).flatten(1) : withOne;
    }
    return z;
}

torch::Tensor TensorFusionImpl::forward(const std::vector<torch::Tensor> &xs, const std::vector<torch::Tensor> &masks)
{
    std::vector<torch::Tensor> v;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        torch::Tensor x = m_projections ? m_projections[i]->as<torch::nn::Linear>()->forward(xs[i]) : xs[i];
        v.push_back(x * masks[i].unsqueeze(1));
    }
    const torch::Tensor z = outerProduct(v);
    return m_out ? torch::relu(m_out(z)) : z;
}

std::vector<Value> TensorFusionImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    return runFusion(inputs, [this](const auto &xs, const auto &masks) { return forward(xs, masks); });
}

namespace {

class TensorFusionBlock final : public blocks::DescribedBlock {
public:
    TensorFusionBlock()
        : DescribedBlock({"fusion.tensor", "fusion", FL_TR("Blocks", "Tensor fusion (TFN)").text,
                          "p_i = W_i x_i (proj_dim > 0) or x_i; z = vec([p_1; 1] ⊗ [p_2; 1] ⊗ ... ⊗ [p_M; 1]); "
                          "out = ReLU(W z + b) (out_features > 0) or z (Zadeh et al. 2017)",
                          {{"in", {PortKind::Vector}, true, "two or more modality vectors"}},
                          {blocks::vectorOut()},
                          {OptionSpec::integer("proj_dim", 0, 0, 4096, "project each input to this size first, 0 = no projection"),
                           OptionSpec::integer("out_features", 64, 0, 65536, "size of the post-fusion layer, 0 = the raw product"),
                           blocks::auxWeightOption()}})
    {
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                   const InferContext &, std::vector<BlockProblem> &problems) const override
    {
        if (!blocks::enoughInputs(in, 2, problems))
            return {};
        const TensorFusionOptions o = options(p, in);
        const std::int64_t n = o.productSize();
        if (n > kMaxProduct) {
            problems.push_back({"in", Message(FL_TR("Blocks", "the outer product would have %1 features per sample (limit %2); set proj_dim (e.g. 32) or use fusion.low_rank"),
                                              std::to_string(n), std::to_string(kMaxProduct))});
            return {};
        }
        return {TensorShape::vector(o.outFeatures() > 0 ? o.outFeatures() : n)};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &) const override
    {
        return std::make_shared<TensorFusionImpl>(options(p, in));
    }

private:
    static TensorFusionOptions options(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in)
    {
        return TensorFusionOptions(blocks::lastDims(in[0])).projDim(blocks::integer(p, "proj_dim")).outFeatures(blocks::integer(p, "out_features"));
    }
};

} // namespace

std::unique_ptr<BlockType> makeTensorFusionBlock() { return std::make_unique<TensorFusionBlock>(); }

lowering::Lowered TensorFusionImpl::lower(lowering::Ops &o) const
{
    using namespace lowering;
    Sym z;
    for (std::size_t i = 0; i < o.inputCount(); ++i) {
        Sym x = o.input(i);
        if (hasChild(*this, "projections"))
            x = item(o, *this, "projections", i, x);
        const Sym v = o.appendOne(o.mul(x, o.unsqueeze(o.mask(i), 1)));
        z = i == 0 ? v : o.flatten(o.matmul(o.unsqueeze(z, 2), o.unsqueeze(v, 1)));
    }
    if (hasChild(*this, "out"))
        z = o.relu(part(o, *this, "out", z));
    return {z, o.anyPresent(masks(o))};
}

} // namespace fuselab
