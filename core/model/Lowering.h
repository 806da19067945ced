// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Lowering: a block says what it computes once, in its own file beside its forward(), and
// every export format writes it. A block's lower() calls the operations below; each export
// format is a back end of them (core/export): TorchScript source with aten calls, PyTorch
// code with PyTorch's own layers, ONNX operators. What differs between formats (sequence-
// first attention, packed sequences, PyTorch's layer classes, forms OpenCV's importer
// reads) lives inside the back ends' composite operations, never in a block. A back end
// that cannot write an operation throws Refused with the reason; the block is then not
// exported in that format, and the error names it. Nothing here knows which blocks exist.
#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fuselab::lowering {

// A block (or one of its operations) that a format cannot express, and why.
struct Refused {
    std::string why;
};

// A value of the program being written; the back end knows what it stands for.
struct Sym {
    int id = -1;
    bool defined() const { return id >= 0; }
};

// What a block hands on: its output and, per sample, whether it is present ([B], 1 = yes);
// for a sequence made from token ids, which of its steps are real ([B, T], 1 = a token, 0 =
// padding), as Value::steps in the forward (undefined: every step is real).
struct Lowered {
    Sym out, mask, steps;
};

constexpr std::int64_t kToEnd = std::numeric_limits<std::int64_t>::max();

// Dimensions count from 0 (the batch); negative ones from the end, as in PyTorch.
class Ops {
public:
    virtual ~Ops() = default;

    // The block's inputs: every port's edges in port order, each with its mask [B].
    virtual std::size_t inputCount() const = 0;
    virtual Sym input(std::size_t i) = 0;
    virtual Sym mask(std::size_t i) = 0;
    virtual Sym steps(std::size_t i) = 0; // the input's real steps (Lowered::steps), or undefined

    // A parameter or buffer of the block, by its path in the block ("cls", "factor0").
    virtual Sym weight(const std::string &path, const torch::Tensor &t) = 0;
    // A tensor the translation needs that is not one of the block's (a fixed weighting).
    virtual Sym constant(const std::string &name, const torch::Tensor &t) = 0;
    virtual Sym scalar(double v) = 0;

    // A LibTorch layer at `path` (ending in '.'): Sequential, Conv1d/2d, BatchNorm1d/2d,
    // LayerNorm, Linear, ReLU, GELU, Tanh, Sigmoid, MaxPool2d, AvgPool2d, Dropout (only
    // while training), Embedding (of ids of any type), or a FuseLab module that lowers
    // itself (LowersItself below).
    virtual Sym layer(const torch::nn::Module &m, const std::string &path, Sym x) = 0;

    // Elementwise, broadcasting as PyTorch does.
    virtual Sym add(Sym a, Sym b) = 0;
    virtual Sym sub(Sym a, Sym b) = 0;
    virtual Sym mul(Sym a, Sym b) = 0;
    virtual Sym div(Sym a, Sym b) = 0;
    virtual Sym relu(Sym x) = 0;
    virtual Sym tanh(Sym x) = 0;
    virtual Sym sigmoid(Sym x) = 0;
    virtual Sym gelu(Sym x) = 0; // exact (erf) form
    virtual Sym sqrt(Sym x) = 0;
    virtual Sym square(Sym x) = 0;
    virtual Sym clampMin(Sym x, double v) = 0;

    // Shapes.
    virtual Sym flatten(Sym x) = 0; // [B, ...] → [B, N]
    virtual Sym reshape(Sym x, const std::vector<std::int64_t> &sizes) = 0; // one -1 at most, no 0 (ONNX reads 0 as "keep")
    virtual Sym unsqueeze(Sym x, std::int64_t dim) = 0;
    virtual Sym squeeze(Sym x, std::int64_t dim) = 0;
    virtual Sym transpose(Sym x, std::int64_t a, std::int64_t b) = 0;
    virtual Sym permute(Sym x, const std::vector<std::int64_t> &order) = 0;
    virtual Sym contiguous(Sym x) = 0;
    virtual Sym cat(const std::vector<Sym> &xs, std::int64_t dim) = 0;
    virtual Sym stack(const std::vector<Sym> &xs, std::int64_t dim) = 0;
    virtual Sym slice(Sym x, std::int64_t dim, std::int64_t start, std::int64_t end = kToEnd) = 0;
    virtual Sym select(Sym x, std::int64_t dim, std::int64_t index) = 0;
    virtual Sym expandAs(Sym x, Sym like) = 0;
    virtual Sym matmul(Sym a, Sym b) = 0;
    virtual Sym mean(Sym x, const std::vector<std::int64_t> &dims, bool keep) = 0;
    virtual Sym sum(Sym x, const std::vector<std::int64_t> &dims, bool keep) = 0;
    virtual Sym amax(Sym x, std::int64_t dim) = 0;
    virtual Sym softmax(Sym x, std::int64_t dim) = 0;

    // Composite operations: each back end writes them in its own best form.
    virtual Sym globalAveragePool(Sym x) = 0;                     // [B, C, H, W] → [B, C]
    virtual Sym anyPresent(const std::vector<Sym> &masks) = 0;   // elementwise maximum
    // Softmax over dim 1 of the entries whose mask is > 0.5 (scores broadcast against the
    // mask); a row with none present gets zeros.
    virtual Sym maskedSoftmax(Sym scores, Sym mask) = 0;
    virtual Sym appendOne(Sym x) = 0;                  // [B, D] → [B, D + 1], the last a 1
    virtual Sym asSequence(Sym x) = 0;                 // [B, D] → [B, 1, D]; a sequence as it is
    // v [B, C] shaped to scale x per feature: x [B, C, H, W] → [B, C, 1, 1], x [B, T, C] →
    // [B, 1, C], x [B, C] → v.
    virtual Sym perFeature(Sym v, Sym x) = 0;
    virtual Sym repeatBatch(Sym t, Sym like) = 0;      // t [1, ...] along like's batch
    virtual Sym leading(Sym table, Sym like, std::int64_t likeDim) = 0; // table[0 : like.size(likeDim)]

    // Sequences. `valid` is the back end's own [B, T] mask of real steps.
    virtual Sym validFromIds(Sym ids) = 0;   // ids != 0 (0 pads)
    virtual Sym validAll(Sym steps) = 0;     // every step of [B, T, ...]
    virtual Sym validPrepend(Sym valid) = 0; // one real step in front
    virtual Sym validAsFloat(Sym valid) = 0; // [B, T] 0/1 in the model's float type
    virtual Sym maskedMean(Sym seq, Sym valid) = 0; // [B, T, D] → [B, D] over real steps
    virtual Sym maskedMax(Sym seq, Sym valid) = 0;  // idem, max; zeros where a row has none
    virtual Sym keyPadding(Sym valid) = 0;          // keys attention skips (none in a row without any)

    // torch::nn::MultiheadAttention over batch-first [B, T, D] queries and [B, S, D] keys
    // (= values); `padding` from keyPadding(), or undefined.
    virtual Sym attention(const torch::nn::MultiheadAttentionImpl &a, const std::string &path, Sym query, Sym kv, Sym padding = {}) = 0;
    // The TransformerEncoderLayers of `layers` (a ModuleList at `path`) over batch-first h.
    virtual Sym transformerLayers(const torch::nn::Module &layers, const std::string &path, Sym h, Sym padding) = 0;
    // A GRU or LSTM (`cell` at `path`, batch first) over the real steps of `steps`, as
    // LibTorch's packed sequences compute it (lengths at least 1). last: [B, dirs·H], the
    // last layer's final states, forward then reverse; otherwise the outputs [B, T, dirs·H].
    virtual Sym rnn(const torch::nn::Module &cell, const std::string &path, Sym steps, Sym valid, bool last) = 0;
    // One step of a GRUCell or LSTMCell at `path`: the new hidden state from x [B, D] and h
    // [B, H]; an LSTM also reads and replaces *c, its cell state (nullptr for a GRU).
    virtual Sym recurrentCell(const torch::nn::Module &cell, const std::string &path, Sym x, Sym h, Sym *c) = 0;
    // A TorchScript module as an encoder: forward(x) or, idsMask, forward(ids, ids != 0);
    // its result (a tensor, a tuple or a Hugging Face-style dictionary) reduced as `output`
    // (auto | mean | first | pooled | sequence) and zeroed where `present` is 0.
    virtual Sym scriptEncoder(const torch::jit::Module &m, const std::string &path, bool idsMask, const std::string &output, Sym x, Sym present) = 0;
};

// A FuseLab module inside a block (a residual block, a sequence input) that writes its own
// computation; layer() asks it.
class LowersItself {
public:
    virtual ~LowersItself() = default;
    virtual Sym lowerLayer(Ops &ops, const std::string &path, Sym x) const = 0;
};

// A head that writes a text token by token (core/model/SequenceHead.h). Its lower() writes
// the memory it attends to: out = memory [B, S, D], mask = the open slots [B, S] (at least one
// per sample). Two programs of their own inputs give the decoding; each export format wraps
// them in the same decoding loop (greedy and beam search, core/export), so every format
// decodes as FuseLab does:
//   start: inputs (memory, slots) → the decoder's state, stateCount() tensors
//   step:  inputs (memory, slots, previous token [B] int64, state...) → (logits [B, V], state...)
class DecodesStepwise {
public:
    virtual ~DecodesStepwise() = default;
    virtual std::size_t stateCount() const = 0;
    virtual std::int64_t stateFeatures(std::size_t k) const = 0; // state k is [B, stateFeatures(k)]
    virtual std::vector<Sym> lowerStart(Ops &ops) const = 0;
    virtual std::vector<Sym> lowerStep(Ops &ops) const = 0;
};

// The child module `name` of m, or Refused.
// A Transformer layer's activation as PyTorch names it ("relu", "gelu"); Refused for a
// custom function (no format can write one).
inline std::string transformerActivation(const torch::nn::TransformerEncoderLayerOptions &o)
{
    std::string act;
    c10::visit(
        [&](const auto &v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, torch::enumtype::kReLU>)
                act = "relu";
            else if constexpr (std::is_same_v<V, torch::enumtype::kGELU>)
                act = "gelu";
        },
        o.activation());
    if (act.empty())
        throw Refused{"its transformer layer has a custom activation"};
    return act;
}

inline const torch::nn::Module &child(const torch::nn::Module &m, const std::string &name)
{
    for (const auto &c : m.named_children())
        if (c.key() == name)
            return *c.value();
    throw Refused{"it has no part named " + name};
}

inline bool hasChild(const torch::nn::Module &m, const std::string &name)
{
    for (const auto &c : m.named_children())
        if (c.key() == name)
            return true;
    return false;
}

// A parameter or buffer of m itself (not of its children), or Refused. Returned by value:
// named_parameters() builds a temporary dictionary.
inline torch::Tensor ownTensor(const torch::nn::Module &m, const std::string &name)
{
    const auto parameters = m.named_parameters(false);
    if (const torch::Tensor *t = parameters.find(name))
        return *t;
    const auto buffers = m.named_buffers(false);
    if (const torch::Tensor *t = buffers.find(name))
        return *t;
    throw Refused{"it has no tensor named " + name};
}

// Lowers m's child `name` as a layer at "name.".
inline Sym part(Ops &ops, const torch::nn::Module &m, const std::string &name, Sym x) { return ops.layer(child(m, name), name + ".", x); }
// Element i of the ModuleList `list`, at "list.i.".
inline Sym item(Ops &ops, const torch::nn::Module &m, const std::string &list, std::size_t i, Sym x)
{
    return ops.layer(child(child(m, list), std::to_string(i)), list + "." + std::to_string(i) + ".", x);
}
// Every input times its mask (as a column): what most fusions start from.
inline std::vector<Sym> maskedInputs(Ops &ops)
{
    std::vector<Sym> s;
    for (std::size_t i = 0; i < ops.inputCount(); ++i)
        s.push_back(ops.mul(ops.input(i), ops.unsqueeze(ops.mask(i), 1)));
    return s;
}
inline std::vector<Sym> masks(Ops &ops)
{
    std::vector<Sym> m;
    for (std::size_t i = 0; i < ops.inputCount(); ++i)
        m.push_back(ops.mask(i));
    return m;
}

} // namespace fuselab::lowering
