// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/SequenceHead.h"

#include "core/data/TargetVocabulary.h"
#include "core/model/FusionModel.h"

namespace fuselab {

namespace {
thread_local const torch::Tensor *t_teacher = nullptr;
}

TeacherForcing::TeacherForcing(torch::Tensor tokens) : m_tokens(std::move(tokens)), m_previous(t_teacher) { t_teacher = &m_tokens; }
TeacherForcing::~TeacherForcing() { t_teacher = m_previous; }
const torch::Tensor *TeacherForcing::current() { return t_teacher; }

SequenceHead *findSequenceHead(FusionModelImpl &model)
{
    for (const auto &s : model.steps())
        if (auto *h = dynamic_cast<SequenceHead *>(s.module.get()))
            return h;
    return nullptr;
}

std::vector<std::vector<std::int64_t>> decodeLogits(const torch::Tensor &logits, bool ctc)
{
    const torch::Tensor ids = logits.argmax(2).to(torch::kCPU).to(torch::kLong).contiguous();
    const std::int64_t B = ids.size(0), T = ids.size(1);
    const auto *p = ids.data_ptr<std::int64_t>();
    std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(B));
    for (std::int64_t b = 0; b < B; ++b) {
        std::int64_t previous = -1;
        for (std::int64_t t = 0; t < T; ++t) {
            const std::int64_t id = p[b * T + t];
            if (ctc) {
                const bool repeat = id == previous;
                previous = id;
                if (repeat || id == TargetVocabulary::kPad || id == TargetVocabulary::kBos || id == TargetVocabulary::kEos)
                    continue;
            } else {
                if (id == TargetVocabulary::kEos)
                    break;
                if (id == TargetVocabulary::kPad || id == TargetVocabulary::kBos)
                    continue;
            }
            out[static_cast<std::size_t>(b)].push_back(id);
        }
    }
    return out;
}

} // namespace fuselab
