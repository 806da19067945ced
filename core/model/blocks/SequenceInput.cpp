// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/SequenceInput.h"

namespace fuselab {

SequenceInputImpl::SequenceInputImpl(SequenceInputOptions o) : options(std::move(o))
{
    if (options.vocab() > 0)
        m_embedding = register_module("embedding", torch::nn::Embedding(torch::nn::EmbeddingOptions(options.vocab(), options.embeddingDim())
                                                                              .padding_idx(0)));
}

torch::Tensor SequenceInputImpl::forward(const torch::Tensor &x)
{
    return m_embedding ? m_embedding(x.to(torch::kLong)) : x;
}

torch::Tensor SequenceInputImpl::valid(const torch::Tensor &x) const
{
    if (m_embedding)
        return x.ne(0);
    return torch::ones({x.size(0), x.size(1)}, x.options().dtype(torch::kBool));
}

torch::Tensor maskedMean(const torch::Tensor &x, const torch::Tensor &valid)
{
    const torch::Tensor w = valid.to(x.dtype()).unsqueeze(2);
    return (x * w).sum(1) / w.sum(1).clamp_min(1.0);
}

torch::Tensor maskedMax(const torch::Tensor &x, const torch::Tensor &valid)
{
    const torch::Tensor filled = x.masked_fill(~valid.unsqueeze(2), -std::numeric_limits<float>::infinity());
    const torch::Tensor m = std::get<0>(filled.max(1));
    return torch::where(torch::isinf(m), torch::zeros_like(m), m);
}

std::pair<lowering::Sym, lowering::Sym> SequenceInputImpl::lowerSequence(lowering::Ops &o, const std::string &path, lowering::Sym x) const
{
    if (m_embedding)
        return {o.validFromIds(x), o.layer(*m_embedding, path + "embedding.", x)};
    return {o.validAll(x), x};
}

} // namespace fuselab
