// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/SequenceHeads.h"

#include "core/data/TargetVocabulary.h"
#include "core/model/blocks/BlockHelpers.h"
#include "core/model/blocks/TransformerEncoder.h"
#include "core/util/Message.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fuselab {

namespace {

std::int64_t memoryFeatures(const TensorShape &s) { return s.kind == PortKind::Image ? s.dims[0] : s.last(); }

// A mask with at least one open slot per sample: a sample whose every input is missing
// attends to all of its (zero) slots rather than to none (which is NaN).
torch::Tensor openMask(const torch::Tensor &mask)
{
    const torch::Tensor none = mask.sum(1, /*keepdim=*/true) == 0;
    return torch::where(none, torch::ones_like(mask), mask);
}

} // namespace

// ---- the memory -------------------------------------------------------------------------

DecoderMemoryImpl::DecoderMemoryImpl(const std::vector<TensorShape> &inputs, std::int64_t dim) : m_shapes(inputs)
{
    for (std::size_t i = 0; i < inputs.size(); ++i)
        m_project.push_back(register_module("project" + std::to_string(i), torch::nn::Linear(memoryFeatures(inputs[i]), dim)));
    m_source = register_module("source", torch::nn::Embedding(static_cast<std::int64_t>(std::max<std::size_t>(1, inputs.size())), dim));
    m_norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
}

namespace {
torch::Tensor asSlots(const torch::Tensor &x) // [B, S, D]
{
    if (x.dim() == 2)
        return x.unsqueeze(1);
    if (x.dim() == 4)
        return x.flatten(2).transpose(1, 2);
    return x;
}
} // namespace

std::pair<torch::Tensor, torch::Tensor> DecoderMemoryImpl::forward(const std::vector<Value> &inputs)
{
    std::vector<torch::Tensor> parts, masks;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const torch::Tensor slots = asSlots(inputs[i].x.to(torch::kFloat));
        const torch::Tensor source = m_source->weight[static_cast<std::int64_t>(i)];
        parts.push_back(m_norm->forward(m_project[i]->forward(slots)) + source);
        torch::Tensor m = inputs[i].mask.to(torch::kFloat).unsqueeze(1).expand({slots.size(0), slots.size(1)});
        if (inputs[i].steps.defined() && inputs[i].steps.sizes() == m.sizes())
            m = m * inputs[i].steps.to(m.device());
        masks.push_back(m);
    }
    return {torch::cat(parts, 1), torch::cat(masks, 1)};
}

lowering::Lowered DecoderMemoryImpl::lower(lowering::Ops &o) const
{
    using lowering::Sym;
    std::vector<Sym> parts, masks;
    const Sym source = o.weight("memory.source.weight", m_source->weight);
    for (std::size_t i = 0; i < m_shapes.size() && i < o.inputCount(); ++i) {
        const TensorShape &shape = m_shapes[i];
        Sym slots = o.input(i);
        if (shape.kind == PortKind::Image)
            slots = o.transpose(o.reshape(slots, {-1, shape.dims.at(0), shape.dims.at(1) * shape.dims.at(2)}), 1, 2);
        else if (shape.kind == PortKind::Vector)
            slots = o.unsqueeze(slots, 1);
        const Sym projected = o.layer(*m_project[i], "memory.project" + std::to_string(i) + ".", slots);
        parts.push_back(o.add(o.layer(*m_norm, "memory.norm.", projected), o.select(source, 0, static_cast<std::int64_t>(i))));
        Sym m = o.unsqueeze(o.mask(i), 1); // [B, 1]
        if (shape.kind != PortKind::Vector)
            m = o.expandAs(m, o.select(slots, 2, 0)); // [B, S]
        if (const Sym steps = o.steps(i); steps.defined())
            m = o.mul(m, steps);
        masks.push_back(m);
    }
    const Sym memory = o.cat(parts, 1), mask = o.cat(masks, 1);
    // openMask(): a sample with no open slot opens them all (1 - open slots, floored at 0, is 1
    // exactly for such a sample and 0 for every other).
    const Sym none = o.relu(o.sub(o.scalar(1.0), o.sum(mask, {1}, true)));
    return {memory, o.add(mask, o.mul(none, o.sub(o.scalar(1.0), mask)))};
}

std::vector<std::pair<int, std::int64_t>> DecoderMemoryImpl::slots(const std::vector<Value> &inputs) const
{
    std::vector<std::pair<int, std::int64_t>> out;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const std::int64_t n = asSlots(inputs[i].x).size(1);
        for (std::int64_t k = 0; k < n; ++k)
            out.emplace_back(static_cast<int>(i), k);
    }
    return out;
}

// ---- decoders ---------------------------------------------------------------------------

DecoderHeadImpl::DecoderHeadImpl(const std::vector<TensorShape> &inputs, std::int64_t dim, std::int64_t vocab, std::int64_t maxLength,
                                 double smoothing)
    : m_vocab(vocab), m_maxLength(maxLength), m_smoothing(smoothing)
{
    m_memory = register_module("memory", DecoderMemory(inputs, dim));
}

std::vector<Value> DecoderHeadImpl::run(const std::vector<std::vector<Value>> &inputs)
{
    auto [memory, mask] = m_memory->forward(inputs.at(0));
    mask = openMask(mask);
    m_lastMemory = memory.detach();
    m_lastMask = mask.detach();
    m_slots = m_memory->slots(inputs.at(0));
    torch::Tensor attention, logits;
    if (const torch::Tensor *teacher = TeacherForcing::current())
        logits = teacherForced(memory, mask, *teacher, is_training() ? nullptr : &attention);
    else
        logits = greedy(memory, mask, &attention);
    m_attention = attention.defined() ? attention.detach() : torch::Tensor();
    return {{logits, anyPresent(inputs.at(0))}};
}

torch::Tensor DecoderHeadImpl::greedy(const torch::Tensor &memory, const torch::Tensor &mask, torch::Tensor *attention)
{
    const std::int64_t B = memory.size(0);
    torch::Tensor tokens = torch::full({B, 1}, TargetVocabulary::kBos, torch::TensorOptions().dtype(torch::kLong).device(memory.device()));
    torch::Tensor finished = torch::zeros({B}, torch::TensorOptions().dtype(torch::kBool).device(memory.device()));
    torch::Tensor logits, att;
    for (std::int64_t t = 0; t < m_maxLength; ++t) {
        logits = teacherForced(memory, mask, tokens, attention ? &att : nullptr);
        const torch::Tensor next = logits.select(1, t).argmax(1);
        tokens = torch::cat({tokens, next.unsqueeze(1)}, 1);
        finished = torch::logical_or(finished, next == TargetVocabulary::kEos);
        if (finished.all().item<bool>())
            break;
    }
    if (attention)
        *attention = att;
    return logits;
}

std::vector<std::vector<std::int64_t>> DecoderHeadImpl::beamSearch(int width, double lengthPenalty)
{
    torch::NoGradGuard noGrad;
    std::vector<std::vector<std::int64_t>> out;
    if (!m_lastMemory.defined())
        return out;
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(m_lastMemory.device());
    const std::int64_t K = std::max(1, width);
    for (std::int64_t b = 0; b < m_lastMemory.size(0); ++b) {
        struct Hyp {
            std::vector<std::int64_t> ids; // BOS first
            double logp = 0;
        };
        std::vector<Hyp> alive = {{{TargetVocabulary::kBos}, 0.0}};
        std::vector<Hyp> done;
        auto score = [&](const Hyp &h, std::size_t length) { return h.logp / std::pow(double(std::max<std::size_t>(1, length)), lengthPenalty); };
        for (std::int64_t t = 0; t < m_maxLength && !alive.empty(); ++t) {
            const auto n = static_cast<std::int64_t>(alive.size());
            torch::Tensor prefix = torch::empty({n, t + 1}, torch::kLong);
            for (std::int64_t k = 0; k < n; ++k)
                for (std::int64_t j = 0; j <= t; ++j)
                    prefix[k][j] = alive[static_cast<std::size_t>(k)].ids[static_cast<std::size_t>(j)];
            const torch::Tensor mem = m_lastMemory[b].unsqueeze(0).expand({n, -1, -1});
            const torch::Tensor mask = m_lastMask[b].unsqueeze(0).expand({n, -1});
            const torch::Tensor logp = torch::log_softmax(teacherForced(mem, mask, prefix.to(opts), nullptr).select(1, t).to(torch::kFloat), 1)
                                           .to(torch::kCPU);
            const auto [top, idx] = logp.topk(K, 1);
            std::vector<Hyp> next;
            for (std::int64_t k = 0; k < n; ++k)
                for (std::int64_t j = 0; j < K; ++j) {
                    Hyp h = alive[static_cast<std::size_t>(k)];
                    h.logp += top[k][j].item<double>();
                    h.ids.push_back(idx[k][j].item<std::int64_t>());
                    next.push_back(std::move(h));
                }
            std::sort(next.begin(), next.end(), [](const Hyp &a, const Hyp &c) { return a.logp > c.logp; });
            alive.clear();
            for (Hyp &h : next) {
                if (static_cast<std::int64_t>(alive.size()) >= K)
                    break;
                if (h.ids.back() == TargetVocabulary::kEos)
                    done.push_back(std::move(h));
                else
                    alive.push_back(std::move(h));
            }
            // Stop once the best finished hypothesis beats every live one even at its best
            // (log-probabilities only fall as a hypothesis grows, when lengthPenalty is 0).
            if (static_cast<std::int64_t>(done.size()) >= K && lengthPenalty == 0)
                break;
        }
        for (Hyp &h : alive)
            done.push_back(std::move(h)); // ran out of length
        const Hyp *best = nullptr;
        double bestScore = -std::numeric_limits<double>::infinity();
        for (const Hyp &h : done) {
            const std::size_t length = h.ids.size() - 1; // tokens after BOS, EOS included
            const double s = score(h, length);
            if (!best || s > bestScore) {
                best = &h;
                bestScore = s;
            }
        }
        std::vector<std::int64_t> ids;
        if (best)
            for (std::size_t j = 1; j < best->ids.size() && best->ids[j] != TargetVocabulary::kEos; ++j)
                ids.push_back(best->ids[j]);
        out.push_back(std::move(ids));
    }
    return out;
}

lowering::Lowered DecoderHeadImpl::lower(lowering::Ops &ops) const { return m_memory->lower(ops); }

namespace {

// head.rnn_decoder: Luong attention with input feeding.
//   x_t = [E(y_{t-1}); o_{t-1}],  h_t = GRU/LSTM(x_t, h_{t-1}),  h_0 = tanh(W_0 mean(memory))
//   a_t = softmax(memory · W_a h_t) over present slots,  c_t = Σ a_t memory
//   o_t = tanh(W_c [h_t; c_t]),  logits_t = W_o dropout(o_t)
class RnnDecoderImpl final : public DecoderHeadImpl, public lowering::DecodesStepwise {
public:
    RnnDecoderImpl(const std::vector<TensorShape> &inputs, std::int64_t hidden, std::int64_t embed, std::string cell, double dropout,
                   std::int64_t vocab, std::int64_t maxLength, double smoothing)
        : DecoderHeadImpl(inputs, hidden, vocab, maxLength, smoothing), m_hidden(hidden), m_lstm(cell == "lstm")
    {
        m_embed = register_module("embed", torch::nn::Embedding(vocab, embed));
        if (m_lstm)
            m_lstmCell = register_module("cell", torch::nn::LSTMCell(embed + hidden, hidden));
        else
            m_gruCell = register_module("cell", torch::nn::GRUCell(embed + hidden, hidden));
        m_init = register_module("init", torch::nn::Linear(hidden, hidden));
        m_attend = register_module("attend", torch::nn::Linear(torch::nn::LinearOptions(hidden, hidden).bias(false)));
        m_combine = register_module("combine", torch::nn::Linear(2 * hidden, hidden));
        m_dropout = register_module("dropout", torch::nn::Dropout(dropout));
        m_out = register_module("out", torch::nn::Linear(hidden, vocab));
    }

    // The decoding's state: h, c (an LSTM's cell state; zeros for a GRU), o (input feeding).
    std::size_t stateCount() const override { return 3; }
    std::int64_t stateFeatures(std::size_t) const override { return m_hidden; }
    std::vector<lowering::Sym> lowerStart(lowering::Ops &o) const override
    {
        const lowering::Sym memory = o.input(0), mask = o.input(1);
        const lowering::Sym mean = o.div(o.sum(o.mul(memory, o.unsqueeze(mask, 2)), {1}, false), o.clampMin(o.sum(mask, {1}, true), 1.0));
        const lowering::Sym h = o.tanh(o.layer(*m_init, "init.", mean));
        const lowering::Sym zeros = o.mul(h, o.scalar(0.0)); // [B, hidden]
        return {h, zeros, zeros};
    }
    std::vector<lowering::Sym> lowerStep(lowering::Ops &o) const override
    {
        const lowering::Sym memory = o.input(0), mask = o.input(1), token = o.input(2);
        lowering::Sym h = o.input(3), c = o.input(4);
        const lowering::Sym feed = o.input(5);
        const lowering::Sym emb = o.layer(*m_dropout, "dropout.", o.layer(*m_embed, "embed.", token));
        const lowering::Sym x = o.cat({emb, feed}, 1);
        if (m_lstm)
            h = o.recurrentCell(*m_lstmCell, "cell.", x, h, &c);
        else
            h = o.recurrentCell(*m_gruCell, "cell.", x, h, nullptr);
        // masked_fill(closed, -1e9) as arithmetic: open slots keep their score exactly.
        const lowering::Sym scores = o.squeeze(o.matmul(memory, o.unsqueeze(o.layer(*m_attend, "attend.", h), 2)), 2);
        const lowering::Sym filled = o.add(o.mul(scores, mask), o.mul(o.sub(mask, o.scalar(1.0)), o.scalar(1e9)));
        const lowering::Sym a = o.softmax(filled, 1);
        const lowering::Sym ctx = o.squeeze(o.matmul(o.unsqueeze(a, 1), memory), 1);
        const lowering::Sym out = o.tanh(o.layer(*m_combine, "combine.", o.cat({h, ctx}, 1)));
        return {o.layer(*m_out, "out.", o.layer(*m_dropout, "dropout.", out)), h, c, out};
    }

protected:
    torch::Tensor teacherForced(const torch::Tensor &memory, const torch::Tensor &mask, const torch::Tensor &previous,
                                torch::Tensor *attention) override
    {
        const std::int64_t B = memory.size(0), T = previous.size(1);
        const torch::Tensor mean = (memory * mask.unsqueeze(2)).sum(1) / mask.sum(1, true).clamp_min(1);
        torch::Tensor h = torch::tanh(m_init->forward(mean));
        torch::Tensor c = torch::zeros_like(h);
        torch::Tensor feed = torch::zeros({B, m_hidden}, memory.options());
        const torch::Tensor emb = m_dropout->forward(m_embed->forward(previous));
        const torch::Tensor closed = mask == 0;
        std::vector<torch::Tensor> logits, weights;
        for (std::int64_t t = 0; t < T; ++t) {
            const torch::Tensor x = torch::cat({emb.select(1, t), feed}, 1);
            if (m_lstm) {
                std::tie(h, c) = m_lstmCell->forward(x, std::make_tuple(h, c));
            } else {
                h = m_gruCell->forward(x, h);
            }
            const torch::Tensor scores = torch::bmm(memory, m_attend->forward(h).unsqueeze(2)).squeeze(2).masked_fill(closed, -1e9);
            const torch::Tensor a = torch::softmax(scores, 1);
            const torch::Tensor ctx = torch::bmm(a.unsqueeze(1), memory).squeeze(1);
            feed = torch::tanh(m_combine->forward(torch::cat({h, ctx}, 1)));
            logits.push_back(m_out->forward(m_dropout->forward(feed)));
            if (attention)
                weights.push_back(a);
        }
        if (attention)
            *attention = torch::stack(weights, 1);
        return torch::stack(logits, 1);
    }

private:
    std::int64_t m_hidden;
    bool m_lstm;
    torch::nn::Embedding m_embed{nullptr};
    torch::nn::GRUCell m_gruCell{nullptr};
    torch::nn::LSTMCell m_lstmCell{nullptr};
    torch::nn::Linear m_init{nullptr}, m_attend{nullptr}, m_combine{nullptr}, m_out{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
};

// head.transformer_decoder: token embeddings · sqrt(d) plus sinusoidal positions, then
// post-norm decoder layers (causal self-attention, cross-attention over the memory, a
// feed-forward block), then a linear layer to the vocabulary.
class TransformerDecoderHeadImpl final : public DecoderHeadImpl {
public:
    TransformerDecoderHeadImpl(const std::vector<TensorShape> &inputs, std::int64_t d, std::int64_t heads, std::int64_t layers,
                               std::int64_t ff, double dropout, std::int64_t vocab, std::int64_t maxLength, double smoothing)
        : DecoderHeadImpl(inputs, d, vocab, maxLength, smoothing), m_d(d)
    {
        m_embed = register_module("embed", torch::nn::Embedding(vocab, d));
        m_decoder = register_module("decoder", torch::nn::TransformerDecoder(torch::nn::TransformerDecoderOptions(
                                                   torch::nn::TransformerDecoderLayerOptions(d, heads).dim_feedforward(ff).dropout(dropout), layers)));
        m_out = register_module("out", torch::nn::Linear(d, vocab));
        m_positions = register_buffer("positions", sinusoidalPositions(maxLength + 1, d));
    }
    lowering::Lowered lower(lowering::Ops &) const override
    {
        throw lowering::Refused{"the exporters do not write the Transformer decoder's decoding steps yet (head.rnn_decoder exports in "
                                "every format; safetensors holds this one's weights)"};
    }

protected:
    torch::Tensor teacherForced(const torch::Tensor &memory, const torch::Tensor &mask, const torch::Tensor &previous,
                                torch::Tensor *) override
    {
        const std::int64_t T = previous.size(1);
        const torch::Tensor positions = m_positions.narrow(0, 0, std::min<std::int64_t>(T, m_positions.size(0)));
        torch::Tensor x = m_embed->forward(previous.narrow(1, 0, positions.size(0))) * std::sqrt(double(m_d)) + positions.unsqueeze(0);
        const torch::Tensor causal =
            torch::full({x.size(1), x.size(1)}, -std::numeric_limits<float>::infinity(), memory.options()).triu(1);
        const torch::Tensor y = m_decoder->forward(x.transpose(0, 1), memory.transpose(0, 1), causal, {}, {}, mask == 0);
        return m_out->forward(y.transpose(0, 1));
    }

private:
    std::int64_t m_d;
    torch::nn::Embedding m_embed{nullptr};
    torch::nn::TransformerDecoder m_decoder{nullptr};
    torch::nn::Linear m_out{nullptr};
    torch::Tensor m_positions;
};

// head.ctc: per time step of a sequence, logits over the vocabulary with id 0 as CTC's
// blank; vectors on "context" (another modality) are appended to every step first.
class CtcHeadImpl final : public BlockModule, public SequenceHead {
public:
    CtcHeadImpl(std::vector<int> inputRanks, std::int64_t features, std::int64_t context, std::int64_t hidden, double dropout, std::int64_t vocab,
                std::int64_t steps)
        : m_steps(steps), m_inputRanks(std::move(inputRanks))
    {
        m_layers = register_module("layers", blocks::headLayers(features + context, hidden, vocab, dropout));
    }
    std::vector<Value> run(const std::vector<std::vector<Value>> &inputs) override
    {
        const std::vector<Value> &in = inputs.at(0);
        const Value *seq = nullptr;
        for (const Value &v : in)
            if (v.x.dim() == 3)
                seq = &v;
        const torch::Tensor x = seq->x.to(torch::kFloat);
        std::vector<torch::Tensor> parts = {x};
        for (const Value &v : in)
            if (v.x.dim() == 2) // another modality's vector, at every step; zeros when it is missing
                parts.push_back(v.x.to(torch::kFloat).unsqueeze(1).expand({x.size(0), x.size(1), v.x.size(1)}));
        return {{m_layers->forward(torch::cat(parts, 2)), seq->mask}};
    }
    lowering::Lowered lower(lowering::Ops &o) const override
    {
        // The inputs' ranks are known from their shapes: one time sequence, vectors beside it.
        lowering::Sym seq;
        lowering::Sym seqMask;
        std::vector<std::size_t> vectors;
        for (std::size_t i = 0; i < o.inputCount() && i < m_inputRanks.size(); ++i)
            if (m_inputRanks[i] == 3) {
                seq = o.input(i);
                seqMask = o.mask(i);
            } else if (m_inputRanks[i] == 2) {
                vectors.push_back(i);
            }
        if (!seq.defined())
            throw lowering::Refused{"it has no time sequence"};
        std::vector<lowering::Sym> parts = {seq};
        // Each vector at every step: broadcast against the sequence's first feature, zeroed.
        const lowering::Sym zeros = o.mul(o.slice(seq, 2, 0, 1), o.scalar(0.0)); // [B, T, 1]
        for (std::size_t i : vectors)
            parts.push_back(o.add(o.unsqueeze(o.input(i), 1), zeros));
        return {o.layer(*m_layers, "layers.", parts.size() == 1 ? seq : o.cat(parts, 2)), seqMask};
    }
    bool ctc() const override { return true; }
    std::int64_t maxLength() const override { return m_steps; }
    std::vector<std::vector<std::int64_t>> beamSearch(int, double) override { return {}; }

private:
    std::int64_t m_steps;
    std::vector<int> m_inputRanks; // per input edge: 3 for the time sequence, 2 for vectors
    torch::nn::Sequential m_layers{nullptr};
};

void checkSequenceTask(const InferContext &ctx, std::vector<BlockProblem> &problems)
{
    if (ctx.task && *ctx.task != Task::Sequence)
        problems.push_back({"", Message(FL_TR("Blocks", "this head produces a text, and the dataset's labels are %1: use head.classification, "
                                                        "head.multilabel or head.regression"),
                                        taskName(*ctx.task))});
    else if (ctx.numClasses < TargetVocabulary::kSpecials + 1)
        problems.push_back({"", Message(FL_TR("Blocks", "the experiment has no target vocabulary (dataset.classes)"))});
}

const PortSpec kMemoryPort = {"memory", {PortKind::Vector, PortKind::Sequence, PortKind::Image}, true,
                              "what the decoder attends to: vectors (one slot each), sequences (one slot per step), feature maps (one "
                              "slot per position)"};

// What the two decoders' descriptors share: the memory port, per-step logits of the
// target vocabulary up to max_length, and the options of decoding and its loss after the
// decoder's own.
class DecoderBlock : public BlockType {
public:
    std::string category() const final { return "head"; }
    std::vector<PortSpec> inputs() const final { return {kMemoryPort}; }
    std::vector<PortSpec> outputs() const final { return {{"logits", {PortKind::Sequence}, false, "per output step, one logit per token"}}; }
    std::vector<OptionSpec> options() const final
    {
        std::vector<OptionSpec> o = ownOptions();
        o.push_back(OptionSpec::integer("max_length", 49, 1, 1025, "longest output, in tokens, EOS included (target.max_length + 1)"));
        o.push_back(OptionSpec::real("label_smoothing", 0.1, 0.0, 0.5, "share of the probability spread over the vocabulary in the loss"));
        o.push_back(OptionSpec::real("dropout", 0.1, 0.0, 0.9, "dropout on embeddings and outputs"));
        return o;
    }
    std::vector<TensorShape> infer(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &, const InferContext &ctx,
                                   std::vector<BlockProblem> &problems) const final
    {
        checkSequenceTask(ctx, problems);
        checkOptions(p, problems);
        return {TensorShape::sequence(blocks::integer(p, "max_length"), std::max<std::int64_t>(ctx.numClasses, 1))};
    }

protected:
    virtual std::vector<OptionSpec> ownOptions() const = 0;
    virtual void checkOptions(const nlohmann::json &, std::vector<BlockProblem> &) const {}
};

class RnnDecoderBlock final : public DecoderBlock {
public:
    std::string type() const override { return "head.rnn_decoder"; }
    std::string title() const override { return FL_TR("Blocks", "RNN decoder").text; }
    std::string math() const override
    {
        return "x_t = [E(y_{t-1}); o_{t-1}], h_t = GRU(x_t, h_{t-1}), a_t = softmax(M W_a h_t), c_t = a_t M, o_t = tanh(W_c [h_t; c_t]), "
               "p(y_t) = softmax(W_o o_t); loss = cross-entropy with label smoothing, teacher forcing";
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &ctx) const override
    {
        return std::make_shared<RnnDecoderImpl>(in[0], blocks::integer(p, "hidden"), blocks::integer(p, "embed"), blocks::str(p, "cell"),
                                                blocks::real(p, "dropout"), ctx.numClasses, blocks::integer(p, "max_length"),
                                                blocks::real(p, "label_smoothing"));
    }

protected:
    std::vector<OptionSpec> ownOptions() const override
    {
        return {OptionSpec::choice("cell", "gru", {"gru", "lstm"}, "recurrent cell"),
                OptionSpec::integer("hidden", 256, 8, 4096, "state and attention size"),
                OptionSpec::integer("embed", 128, 8, 4096, "token embedding size")};
    }
};

class TransformerDecoderBlock final : public DecoderBlock {
public:
    std::string type() const override { return "head.transformer_decoder"; }
    std::string title() const override { return FL_TR("Blocks", "Transformer decoder").text; }
    std::string math() const override
    {
        return "h_0 = E(y_{<t}) sqrt(d) + PE; per layer: causal self-attention, cross-attention over the memory M, feed-forward (post-norm); "
               "p(y_t) = softmax(W h_L); loss = cross-entropy with label smoothing, teacher forcing";
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &ctx) const override
    {
        return std::make_shared<TransformerDecoderHeadImpl>(in[0], blocks::integer(p, "d_model"), blocks::integer(p, "heads"),
                                                            blocks::integer(p, "layers"), blocks::integer(p, "ff"), blocks::real(p, "dropout"),
                                                            ctx.numClasses, blocks::integer(p, "max_length"), blocks::real(p, "label_smoothing"));
    }

protected:
    std::vector<OptionSpec> ownOptions() const override
    {
        return {OptionSpec::integer("d_model", 128, 8, 4096, "model width"), OptionSpec::integer("heads", 4, 1, 64, "attention heads (must divide d_model)"),
                OptionSpec::integer("layers", 2, 1, 24, "decoder layers"), OptionSpec::integer("ff", 256, 8, 16384, "feed-forward width")};
    }
    void checkOptions(const nlohmann::json &p, std::vector<BlockProblem> &problems) const override { blocks::attentionWidthOk(p, problems); }
};

class CtcHeadBlock final : public BlockType {
public:
    std::string type() const override { return "head.ctc"; }
    std::string category() const override { return "head"; }
    std::string title() const override { return FL_TR("Blocks", "CTC head").text; }
    std::string math() const override
    {
        return "logits_t = W [x_t; context] + b per time step, id 0 = blank; loss = CTC (Graves et al. 2006); decoding: best path, repeats "
               "merged, blanks dropped";
    }
    std::vector<PortSpec> inputs() const override
    {
        return {{"in", {PortKind::Sequence, PortKind::Vector}, true,
                 "one time sequence (frames), at least as long as the longest target; vectors of other modalities are appended to every step"}};
    }
    std::vector<PortSpec> outputs() const override { return {{"logits", {PortKind::Sequence}, false, "per time step, one logit per token"}}; }
    std::vector<OptionSpec> options() const override
    {
        return {OptionSpec::integer("hidden", 0, 0, 65536, "hidden units of an MLP per step, 0 = linear"),
                OptionSpec::real("dropout", 0.1, 0.0, 0.9, "dropout on the input features")};
    }
    std::vector<TensorShape> infer(const nlohmann::json &, const std::vector<std::vector<TensorShape>> &in, const InferContext &ctx,
                                   std::vector<BlockProblem> &problems) const override
    {
        checkSequenceTask(ctx, problems);
        const TensorShape *seq = timeSequence(in[0]);
        if (!seq || std::count_if(in[0].begin(), in[0].end(), [](const TensorShape &s) { return s.kind == PortKind::Sequence; }) != 1) {
            problems.push_back({"in", Message(FL_TR("Blocks", "needs exactly one time sequence (and any number of vectors)"))});
            return {TensorShape::sequence(1, std::max<std::int64_t>(ctx.numClasses, 1))};
        }
        return {TensorShape::sequence(seq->dims[0], std::max<std::int64_t>(ctx.numClasses, 1))};
    }
    std::shared_ptr<BlockModule> create(const nlohmann::json &p, const std::vector<std::vector<TensorShape>> &in,
                                        const InferContext &ctx) const override
    {
        std::int64_t context = 0;
        for (const TensorShape &s : in[0])
            if (s.kind == PortKind::Vector)
                context += s.last();
        const TensorShape *seq = timeSequence(in[0]);
        std::vector<int> ranks;
        for (const TensorShape &s : in[0])
            ranks.push_back(s.kind == PortKind::Vector ? 2 : s.kind == PortKind::Image ? 4 : 3);
        return std::make_shared<CtcHeadImpl>(std::move(ranks), seq->last(), context, blocks::integer(p, "hidden"), blocks::real(p, "dropout"), ctx.numClasses,
                                             seq->dims[0]);
    }

private:
    static const TensorShape *timeSequence(const std::vector<TensorShape> &in)
    {
        for (const TensorShape &s : in)
            if (s.kind == PortKind::Sequence)
                return &s;
        return nullptr;
    }
};

} // namespace

std::unique_ptr<BlockType> makeRnnDecoderBlock() { return std::make_unique<RnnDecoderBlock>(); }
std::unique_ptr<BlockType> makeTransformerDecoderBlock() { return std::make_unique<TransformerDecoderBlock>(); }
std::unique_ptr<BlockType> makeCtcHeadBlock() { return std::make_unique<CtcHeadBlock>(); }

} // namespace fuselab
