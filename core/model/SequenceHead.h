// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Heads whose output is a text (a sequence of target tokens, core/data/TargetVocabulary.h):
// an RNN decoder with attention and a Transformer decoder over a memory of the encoders'
// vectors and sequences, and a CTC head over a time sequence. Their run() gives per-step
// logits [B, T, V] over the target vocabulary:
//  - decoders, while a TeacherForcing guard is alive on this thread: the logits of each
//    next token given the true previous ones (training and the validation loss);
//    otherwise those of greedy decoding, up to the head's maximum length (argmax of each
//    step is the token chosen; decoding stops when every sample has produced EOS);
//  - CTC: one distribution per time step, id 0 (<pad>) being CTC's blank.
#include "core/model/BlockModule.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace fuselab {

class FusionModelImpl;

class SequenceHead {
public:
    virtual ~SequenceHead() = default;
    virtual bool ctc() const = 0;
    virtual double labelSmoothing() const { return 0; }
    virtual std::int64_t maxLength() const = 0;
    // Beam search over the memory of the last run() (decoders): the ids of the best
    // hypothesis per sample (EOS excluded), scored by log-probability / length^penalty.
    virtual std::vector<std::vector<std::int64_t>> beamSearch(int width, double lengthPenalty) = 0;
    // The decoder's attention over its memory in the last run(), [B, T, S]; undefined when
    // the head has none to show.
    virtual torch::Tensor lastAttention() const { return {}; }
    // The memory's open slots in the last run(), [B, S] (0: padding or a missing input).
    virtual torch::Tensor lastMask() const { return {}; }
    // The memory the decoder attended to in the last run(), [B, S, D] (decoders).
    virtual torch::Tensor lastMemory() const { return {}; }
    // What each memory slot came from in the last run(): (input index, slot within it).
    virtual std::vector<std::pair<int, std::int64_t>> memorySlots() const { return {}; }
};

// The model's sequence head, or nullptr when it has none.
SequenceHead *findSequenceHead(FusionModelImpl &model);

// Teacher forcing: while alive, sequence decoders on this thread read `tokens` [B, T]
// (BOS and the target without its last token) as their previous outputs.
class TeacherForcing {
public:
    explicit TeacherForcing(torch::Tensor tokens);
    ~TeacherForcing();
    TeacherForcing(const TeacherForcing &) = delete;
    TeacherForcing &operator=(const TeacherForcing &) = delete;
    static const torch::Tensor *current(); // nullptr when none
private:
    torch::Tensor m_tokens;
    const torch::Tensor *m_previous;
};

// Token ids from a sequence head's logits [B, T, V]: per sample, the argmax of each step up
// to the first EOS (decoders), or CTC's best path with repeats merged and blanks dropped.
// Specials other than <unk> are dropped.
std::vector<std::vector<std::int64_t>> decodeLogits(const torch::Tensor &logits, bool ctc);

} // namespace fuselab
