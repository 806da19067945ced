// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The heads that produce text (core/model/SequenceHead.h): head.rnn_decoder,
// head.transformer_decoder and head.ctc.
#include "core/graph/BlockType.h"
#include "core/model/SequenceHead.h"

#include <memory>

namespace fuselab {

// What a decoder attends to: every input edge's vectors projected to `dim` and
// layer-normalised (so that no input dominates by its scale) — a vector is one slot, a
// sequence [T, D] T slots, an image feature map [C, H, W] H·W slots — concatenated,
// with a learned embedding of which input each slot came from, and a mask [B, S] of the
// slots whose input is present and which are real steps, not padding (Value::steps).
class DecoderMemoryImpl : public torch::nn::Module {
public:
    DecoderMemoryImpl(const std::vector<TensorShape> &inputs, std::int64_t dim);
    std::pair<torch::Tensor, torch::Tensor> forward(const std::vector<Value> &inputs);
    std::vector<std::pair<int, std::int64_t>> slots(const std::vector<Value> &inputs) const;
    // The same in the export operations (the head's inputs, the memory at "memory."):
    // out = memory [B, S, D], mask = open slots [B, S], at least one per sample.
    lowering::Lowered lower(lowering::Ops &ops) const;

private:
    std::vector<TensorShape> m_shapes;
    std::vector<torch::nn::Linear> m_project;
    torch::nn::Embedding m_source{nullptr};
    torch::nn::LayerNorm m_norm{nullptr}; // slots of every input on one scale
};
TORCH_MODULE(DecoderMemory);

// Shared by the two decoders: the memory, greedy decoding, beam search.
class DecoderHeadImpl : public BlockModule, public SequenceHead {
public:
    DecoderHeadImpl(const std::vector<TensorShape> &inputs, std::int64_t dim, std::int64_t vocab, std::int64_t maxLength, double smoothing);
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override;
    lowering::Lowered lower(lowering::Ops &ops) const override;
    bool ctc() const override { return false; }
    double labelSmoothing() const override { return m_smoothing; }
    std::int64_t maxLength() const override { return m_maxLength; }
    std::vector<std::vector<std::int64_t>> beamSearch(int width, double lengthPenalty) override;
    torch::Tensor lastAttention() const override { return m_attention; }
    torch::Tensor lastMask() const override { return m_lastMask; }
    torch::Tensor lastMemory() const override { return m_lastMemory; }
    std::vector<std::pair<int, std::int64_t>> memorySlots() const override { return m_slots; }

protected:
    // Logits [B, T, V] of each next token after `previous` [B, T] (BOS first), over the
    // memory [B, S, D] with its mask [B, S]; `attention`, when given, receives [B, T, S].
    virtual torch::Tensor teacherForced(const torch::Tensor &memory, const torch::Tensor &mask, const torch::Tensor &previous,
                                        torch::Tensor *attention) = 0;
    // Greedy decoding's logits [B, T, V]; the default recomputes the prefix each step.
    virtual torch::Tensor greedy(const torch::Tensor &memory, const torch::Tensor &mask, torch::Tensor *attention);

    std::int64_t m_vocab, m_maxLength;
    double m_smoothing;
    DecoderMemory m_memory{nullptr};
    torch::Tensor m_lastMemory, m_lastMask, m_attention;
    std::vector<std::pair<int, std::int64_t>> m_slots;
};

std::unique_ptr<BlockType> makeRnnDecoderBlock();
std::unique_ptr<BlockType> makeTransformerDecoderBlock();
std::unique_ptr<BlockType> makeCtcHeadBlock();

} // namespace fuselab
