// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/OnnxExport.h"

#include "core/export/BlockWalk.h"
#include "core/export/OnnxGraph.h"
#include "core/formats/Protobuf.h"
#include "core/model/Lowering.h"
#include "core/model/SequenceHead.h"
#include "core/util/Error.h"
#include "core/util/FileIO.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <type_traits>

namespace fuselab {

namespace {

using namespace pb;
using namespace onnx;

using lowering::child;
using lowering::hasChild;
using lowering::Refused;
using lowering::Sym;

// The ONNX back end of the export operations (core/model/Lowering.h): one block's
// operators, batch first, inference only (dropout left out, batch normalisation with its
// running statistics); weights named `node_<id>.<path>`.
class OnnxOps final : public lowering::Ops {
public:
    OnnxOps(Builder &g, std::string prefix, std::vector<V> xs, std::vector<V> masks, std::vector<V> steps = {})
        : g(g), m_prefix(std::move(prefix)), m_xs(std::move(xs)), m_masks(std::move(masks)), m_steps(std::move(steps))
    {
    }
    void setInputs(std::vector<V> xs) { m_xs = std::move(xs); }
    Builder &g;

    V v(Sym s) const
    {
        if (!s.defined() || static_cast<std::size_t>(s.id) >= m_values.size())
            throw Refused{"a value the translation did not define"};
        return m_values[static_cast<std::size_t>(s.id)];
    }
    Sym sym(const V &x)
    {
        m_values.push_back(x);
        return {static_cast<int>(m_values.size()) - 1};
    }

    std::size_t inputCount() const override { return m_xs.size(); }
    Sym input(std::size_t i) override { return sym(m_xs.at(i)); }
    Sym mask(std::size_t i) override { return sym(m_masks.at(i)); }
    Sym steps(std::size_t i) override { return i < m_steps.size() && !m_steps[i].n.empty() ? sym(m_steps[i]) : Sym{}; }
    Sym weight(const std::string &path, const torch::Tensor &t) override { return sym(w(path, t)); }
    Sym constant(const std::string &name, const torch::Tensor &t) override { return sym(w(name, t)); }
    Sym scalar(double x) override { return sym(g.f32(static_cast<float>(x))); }

    Sym layer(const torch::nn::Module &m, const std::string &path, Sym x) override
    {
        if (const auto *own = dynamic_cast<const lowering::LowersItself *>(&m))
            return own->lowerLayer(*this, path, x);
        return sym(layerV(m, path, v(x)));
    }

    Sym add(Sym a, Sym b) override { return sym(g.add(v(a), v(b))); }
    Sym sub(Sym a, Sym b) override { return sym(g.sub(v(a), v(b))); }
    Sym mul(Sym a, Sym b) override { return sym(g.mul(v(a), v(b))); }
    // A runtime divisor as a product with its reciprocal (within a rounding of a / b): one
    // pattern less for runtimes that divide only same-shaped tensors.
    Sym div(Sym a, Sym b) override { return sym(g.runtime(v(b).n) ? g.divBy(v(a), v(b)) : g.div(v(a), v(b))); }
    Sym relu(Sym x) override { return sym(g.un("Relu", v(x))); }
    Sym tanh(Sym x) override { return sym(g.un("Tanh", v(x))); }
    Sym sigmoid(Sym x) override { return sym(g.un("Sigmoid", v(x))); }
    Sym gelu(Sym x) override { return sym(geluV(v(x), "none")); }
    Sym sqrt(Sym x) override { return sym(g.un("Sqrt", v(x))); }
    Sym square(Sym x) override { return sym(g.mul(v(x), v(x))); }
    Sym clampMin(Sym x, double m) override { return sym(g.op("Max", {v(x).n, g.f32(static_cast<float>(m)).n}, v(x).rank)); }

    Sym flatten(Sym x) override { return sym(flat(v(x))); }
    Sym reshape(Sym x, const std::vector<std::int64_t> &sizes) override { return sym(g.reshape(v(x), sizes)); }
    Sym unsqueeze(Sym x, std::int64_t d) override { return sym(g.op("Unsqueeze", {v(x).n, g.i64({d})}, v(x).rank + 1)); }
    Sym squeeze(Sym x, std::int64_t d) override { return sym(g.op("Squeeze", {v(x).n, g.i64({d})}, v(x).rank - 1)); }
    Sym transpose(Sym x, std::int64_t a, std::int64_t b) override
    {
        const V in = v(x);
        std::vector<std::int64_t> perm;
        for (std::int64_t i = 0; i < in.rank; ++i)
            perm.push_back(i);
        std::swap(perm.at(static_cast<std::size_t>(a < 0 ? a + in.rank : a)), perm.at(static_cast<std::size_t>(b < 0 ? b + in.rank : b)));
        return sym(g.transpose(in, perm));
    }
    Sym permute(Sym x, const std::vector<std::int64_t> &order) override
    {
        std::vector<std::int64_t> perm = order; // Transpose's perm takes no negative axes
        for (std::int64_t &d : perm)
            if (d < 0)
                d += v(x).rank;
        return sym(g.transpose(v(x), perm));
    }
    Sym contiguous(Sym x) override { return x; }
    Sym cat(const std::vector<Sym> &xs, std::int64_t d) override { return sym(g.concat(vs(xs), d)); }
    Sym stack(const std::vector<Sym> &xs, std::int64_t d) override
    {
        std::vector<V> items;
        for (Sym x : xs)
            items.push_back(v(unsqueeze(x, d)));
        return sym(g.concat(items, d));
    }
    Sym slice(Sym x, std::int64_t d, std::int64_t start, std::int64_t end) override { return sym(g.slice(v(x), d, start, end)); }
    Sym select(Sym x, std::int64_t d, std::int64_t i) override { return squeeze(slice(x, d, i, i == -1 ? lowering::kToEnd : i + 1), d); } // [-1, 0) is empty
    Sym expandAs(Sym x, Sym like) override
    {
        return sym(g.op("Expand", {v(x).n, g.op("Shape", {v(like).n}, 1).n}, std::max(v(x).rank, v(like).rank)));
    }
    Sym matmul(Sym a, Sym b) override
    {
        const int ra = v(a).rank, rb = v(b).rank; // numpy's rule: a 1-D operand's dimension is contracted away
        const int rank = ra == 1 && rb == 1 ? 0 : ra == 1 ? rb - 1 : rb == 1 ? ra - 1 : std::max(ra, rb);
        return sym(g.op("MatMul", {v(a).n, v(b).n}, rank));
    }
    Sym mean(Sym x, const std::vector<std::int64_t> &dims, bool keep) override { return sym(g.reduce("ReduceMean", v(x), dims, keep)); }
    Sym sum(Sym x, const std::vector<std::int64_t> &dims, bool keep) override { return sym(g.reduce("ReduceSum", v(x), dims, keep)); }
    Sym amax(Sym x, std::int64_t d) override { return sym(g.reduce("ReduceMax", v(x), {d}, false)); }
    Sym softmax(Sym x, std::int64_t d) override { return sym(g.softmax(v(x), d)); }

    Sym globalAveragePool(Sym x) override { return sym(flat(g.op("GlobalAveragePool", {v(x).n}, 4))); }
    Sym anyPresent(const std::vector<Sym> &masks) override
    {
        if (masks.size() == 1)
            return masks[0];
        std::vector<std::string> n;
        for (Sym m : masks)
            n.push_back(v(m).n);
        return sym(g.op("Max", n, 1));
    }
    Sym maskedSoftmax(Sym scores, Sym mask) override
    {
        const V present = g.greater(v(mask), 0.5f);
        const V s = g.softmax(g.where(present, v(scores), g.f32(-1e9f)), 1);
        return sym(g.mul(s, g.reduce("ReduceMax", g.cast(present, kFloat), {1}, true)));
    }
    Sym appendOne(Sym x) override { return sym(g.concat({v(x), g.onesLike(v(x))}, 1)); }
    Sym asSequence(Sym x) override { return v(x).rank == 2 ? unsqueeze(x, 1) : x; }
    Sym perFeature(Sym f, Sym x) override
    {
        if (v(x).rank == 4)
            return sym(g.reshape(v(f), {0, -1, 1, 1}));
        if (v(x).rank == 3)
            return sym(g.reshape(v(f), {0, 1, -1}));
        return f;
    }
    Sym repeatBatch(Sym t, Sym like) override
    {
        const V batch = g.slice(g.op("Shape", {v(like).n}, 1), 0, 0, 1);
        const V rest = g.slice(g.op("Shape", {v(t).n}, 1), 0, 1, kEnd);
        return sym(g.op("Expand", {v(t).n, g.concat({batch, rest}, 0).n}, v(t).rank));
    }
    Sym leading(Sym table, Sym like, std::int64_t d) override
    {
        const V length = g.op("Slice", {g.op("Shape", {v(like).n}, 1).n, g.i64({d}), g.i64({d + 1})}, 1);
        return sym(g.op("Slice", {v(table).n, g.i64({0}), length.n, g.i64({0})}, v(table).rank));
    }

    // valid: float [B, T]
    Sym validFromIds(Sym ids) override
    {
        const V valid = g.cast(g.un("Not", g.bin("Equal", g.cast(v(ids), kInt64), {g.i64({0}), 0})), kFloat);
        return sym(g.reshape(valid, {0, -1}));
    }
    Sym validAll(Sym steps) override
    {
        const V first = g.slice(v(steps), 2, 0, 1); // [B, T, 1]
        return sym(g.reshape(g.add(g.mul(first, g.f32(0.0f)), g.f32(1.0f)), {0, -1}));
    }
    Sym validPrepend(Sym valid) override { return sym(g.concat({g.onesLike(v(valid)), v(valid)}, 1)); }
    Sym validAsFloat(Sym valid) override { return valid; }
    Sym maskedMean(Sym seq, Sym valid) override
    {
        const V w = g.reshape(v(valid), {0, -1, 1});
        return sym(g.divBy(g.reduce("ReduceSum", g.mul(v(seq), w), {1}, false), g.op("Max", {g.reduce("ReduceSum", w, {1}, false).n, g.f32(1.0f).n}, 2)));
    }
    Sym maskedMax(Sym seq, Sym valid) override
    {
        const V filled = g.where(g.greater(g.reshape(v(valid), {0, -1, 1}), 0.5f), v(seq), g.f32(-std::numeric_limits<float>::infinity()));
        const V m = g.reduce("ReduceMax", filled, {1}, false);
        return sym(g.where(g.un("IsInf", m), g.f32(0.0f), m));
    }
    Sym keyPadding(Sym valid) override
    {
        const V x = v(valid);
        return sym(g.bin("And", g.un("Not", g.greater(x, 0.5f)), g.greater(g.reduce("ReduceMax", x, {1}, true), 0.5f)));
    }

    Sym attention(const torch::nn::MultiheadAttentionImpl &a, const std::string &path, Sym query, Sym kv, Sym padding) override
    {
        const V p = padding.defined() ? v(padding) : V{};
        return sym(attentionV(a, path, v(query), v(kv), padding.defined() ? &p : nullptr));
    }
    Sym transformerLayers(const torch::nn::Module &layers, const std::string &path, Sym hs, Sym padding) override;
    Sym rnn(const torch::nn::Module &cell, const std::string &path, Sym steps, Sym valid, bool last) override;
    Sym recurrentCell(const torch::nn::Module &cell, const std::string &path, Sym x, Sym h, Sym *c) override;
    Sym scriptEncoder(const torch::jit::Module &, const std::string &, bool, const std::string &, Sym, Sym) override
    {
        throw Refused{"it runs a TorchScript module, whose code ONNX cannot hold (export TorchScript instead)"};
    }

private:
    std::vector<V> vs(const std::vector<Sym> &xs) const
    {
        std::vector<V> out;
        for (Sym x : xs)
            out.push_back(v(x));
        return out;
    }
    V flat(const V &x) { return g.op("Flatten", {x.n}, 2, {aInt("axis", 1)}); }
    V w(const std::string &path, const torch::Tensor &t) { return g.weight(m_prefix + path, t); }

    V linear(const torch::nn::LinearImpl &l, const std::string &path, const V &x) { return linearWith(l.weight, l.bias, path, x); }
    V linearWith(const torch::Tensor &wt, const torch::Tensor &b, const std::string &path, const V &x)
    {
        if (x.rank == 2) {
            std::vector<std::string> in = {x.n, w(path + "weight", wt).n};
            if (b.defined())
                in.push_back(w(path + "bias", b).n);
            return g.op("Gemm", in, 2, {aInt("transB", 1)});
        }
        V y = g.op("MatMul", {x.n, w(path + "weight_t", wt.t()).n}, x.rank);
        return b.defined() ? g.add(y, w(path + "bias", b)) : y;
    }

    V layerNorm(const V &x, std::size_t dims, const torch::Tensor &wt, const torch::Tensor &b, double eps, const std::string &path)
    {
        std::vector<std::int64_t> axes;
        for (std::size_t i = 0; i < dims; ++i)
            axes.push_back(-1 - static_cast<std::int64_t>(i));
        const V d = g.sub(x, g.reduce("ReduceMean", x, axes, true));
        const V var = g.reduce("ReduceMean", g.mul(d, d), axes, true);
        V y = g.divBy(d, g.un("Sqrt", g.add(var, g.f32(static_cast<float>(eps)))));
        if (wt.defined())
            y = g.mul(y, w(path + "weight", wt));
        if (b.defined())
            y = g.add(y, w(path + "bias", b));
        return y;
    }

    template <typename BN>
    V batchNorm(const BN &bn, const std::string &path, const V &x)
    {
        const auto &o = bn.options;
        if (!o.track_running_stats())
            throw Refused{"batch normalisation without running statistics"};
        const std::int64_t C = bn.running_mean.size(0);
        const std::string wt = o.affine() ? w(path + "weight", bn.weight).n : g.init(m_prefix + path + "ones", torch::ones({C}));
        const std::string b = o.affine() ? w(path + "bias", bn.bias).n : g.init(m_prefix + path + "zeros", torch::zeros({C}));
        return g.op("BatchNormalization", {x.n, wt, b, w(path + "running_mean", bn.running_mean).n, w(path + "running_var", bn.running_var).n},
                    x.rank, {aFloat("epsilon", static_cast<float>(o.eps()))});
    }

    template <std::size_t D, typename Conv>
    V conv(const torch::nn::ConvNdImpl<D, Conv> &c, const std::string &path, const V &x)
    {
        const auto &o = c.options;
        std::vector<std::int64_t> pad;
        visit([&](const auto &p) {
            if constexpr (std::is_same_v<std::decay_t<decltype(p)>, torch::ExpandingArray<D>>)
                pad = vec(p);
        }, o.padding());
        bool zeros = false;
        visit([&](const auto &p) { zeros = std::is_same_v<std::decay_t<decltype(p)>, torch::enumtype::kZeros>; }, o.padding_mode());
        if (pad.empty() || !zeros)
            throw Refused{"a convolution with 'same'/'valid' or non-zero padding mode"};
        std::vector<std::int64_t> pads = pad;
        pads.insert(pads.end(), pad.begin(), pad.end());
        std::vector<std::string> in = {x.n, w(path + "weight", c.weight).n};
        if (c.bias.defined())
            in.push_back(w(path + "bias", c.bias).n);
        return g.op("Conv", in, x.rank,
                    {aInts("kernel_shape", vec(o.kernel_size())), aInts("strides", vec(o.stride())), aInts("pads", pads),
                     aInts("dilations", vec(o.dilation())), aInt("group", o.groups())});
    }

    V geluV(const V &x, const std::string &approximate)
    {
        if (approximate == "tanh") {
            const V inner = g.mul(g.f32(static_cast<float>(std::sqrt(2.0 / M_PI))), g.add(x, g.mul(g.f32(0.044715f), g.mul(x, g.mul(x, x)))));
            return g.mul(g.mul(x, g.f32(0.5f)), g.add(g.f32(1.0f), g.un("Tanh", inner)));
        }
        const V e = g.un("Erf", g.div(x, g.f32(static_cast<float>(std::sqrt(2.0)))));
        return g.mul(g.mul(x, g.f32(0.5f)), g.add(g.f32(1.0f), e));
    }

    // A standard LibTorch layer (or a Sequential of them) applied to `x`; `path` ends in '.'.
    V layerV(const torch::nn::Module &m, const std::string &path, const V &x)
    {
        if (const auto *s = dynamic_cast<const torch::nn::SequentialImpl *>(&m)) {
            Sym y = sym(x);
            for (const auto &c : s->named_children())
                y = layer(*c.value(), path + c.key() + ".", y);
            return v(y);
        }
        if (const auto *c = dynamic_cast<const torch::nn::Conv2dImpl *>(&m))
            return conv(*c, path, x);
        if (const auto *c = dynamic_cast<const torch::nn::Conv1dImpl *>(&m))
            return conv(*c, path, x);
        if (const auto *n = dynamic_cast<const torch::nn::LayerNormImpl *>(&m)) {
            const auto &o = n->options;
            return layerNorm(x, o.normalized_shape().size(), o.elementwise_affine() ? n->weight : torch::Tensor(),
                             o.elementwise_affine() ? n->bias : torch::Tensor(), o.eps(), path);
        }
        if (const auto *bn = dynamic_cast<const torch::nn::BatchNorm2dImpl *>(&m))
            return batchNorm(*bn, path, x);
        if (const auto *bn = dynamic_cast<const torch::nn::BatchNorm1dImpl *>(&m))
            return batchNorm(*bn, path, x);
        if (dynamic_cast<const torch::nn::ReLUImpl *>(&m))
            return g.un("Relu", x);
        if (const auto *ge = dynamic_cast<const torch::nn::GELUImpl *>(&m))
            return geluV(x, ge->options.approximate());
        if (dynamic_cast<const torch::nn::TanhImpl *>(&m))
            return g.un("Tanh", x);
        if (dynamic_cast<const torch::nn::SigmoidImpl *>(&m))
            return g.un("Sigmoid", x);
        if (const auto *p = dynamic_cast<const torch::nn::MaxPool2dImpl *>(&m)) {
            const auto &o = p->options;
            std::vector<std::int64_t> pads = vec(o.padding());
            pads.insert(pads.end(), pads.begin(), pads.end());
            return g.op("MaxPool", {x.n}, x.rank,
                        {aInts("kernel_shape", vec(o.kernel_size())), aInts("strides", vec(o.stride())), aInts("pads", pads),
                         aInts("dilations", vec(o.dilation())), aInt("ceil_mode", o.ceil_mode())});
        }
        if (const auto *p = dynamic_cast<const torch::nn::AvgPool2dImpl *>(&m)) {
            const auto &o = p->options;
            if (o.divisor_override())
                throw Refused{"average pooling with a divisor override"};
            std::vector<std::int64_t> pads = vec(o.padding());
            pads.insert(pads.end(), pads.begin(), pads.end());
            return g.op("AveragePool", {x.n}, x.rank,
                        {aInts("kernel_shape", vec(o.kernel_size())), aInts("strides", vec(o.stride())), aInts("pads", pads),
                         aInt("ceil_mode", o.ceil_mode()), aInt("count_include_pad", o.count_include_pad())});
        }
        if (const auto *l = dynamic_cast<const torch::nn::LinearImpl *>(&m))
            return linear(*l, path, x);
        if (dynamic_cast<const torch::nn::DropoutImpl *>(&m))
            return x; // inference
        if (const auto *e = dynamic_cast<const torch::nn::EmbeddingImpl *>(&m)) {
            if (e->options.max_norm())
                throw Refused{"an embedding with max_norm"};
            const V ids = g.cast(x, kInt64);
            return g.op("Gather", {w(path + "weight", e->weight).n, ids.n}, x.rank + 1, {aInt("axis", 0)});
        }
        throw Refused{"its layer " + m.name() + " has no ONNX translation yet"};
    }

    // torch::nn::MultiheadAttention on batch-first [B, T, D] (query) and [B, S, D] (key and
    // value), no dropout; `padding` bool [B, S], true = ignore that key. The 1/sqrt(head
    // size) scale is folded into the query's weights.
    V attentionV(const torch::nn::MultiheadAttentionImpl &a, const std::string &path, const V &query, const V &kv, const V *padding)
    {
        const auto &o = a.options;
        if (!a._qkv_same_embed_dim || a.bias_k.defined() || o.add_zero_attn())
            throw Refused{"its attention has separate key/value sizes or extra key/value biases"};
        const std::int64_t D = o.embed_dim(), H = o.num_heads(), hd = D / H;
        const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
        torch::NoGradGuard noGrad;
        const torch::Tensor W = a.in_proj_weight.detach();
        const torch::Tensor b = a.in_proj_bias.defined() ? a.in_proj_bias.detach() : torch::Tensor();
        auto part = [](const torch::Tensor &t, std::int64_t i, std::int64_t n) { return t.defined() ? t.narrow(0, i * n, n) : torch::Tensor(); };
        const V q = linearWith(part(W, 0, D) * scale, b.defined() ? part(b, 0, D) * scale : b, path + "in_proj_q_scaled.", query);
        const V k = linearWith(part(W, 1, D), part(b, 1, D), path + "in_proj_k.", kv);
        const V vv = linearWith(part(W, 2, D), part(b, 2, D), path + "in_proj_v.", kv);
        const V qh = g.transpose(g.reshape(q, {0, 0, H, hd}), {0, 2, 1, 3});
        const V kh = g.transpose(g.reshape(k, {0, 0, H, hd}), {0, 2, 3, 1});
        const V vh = g.transpose(g.reshape(vv, {0, 0, H, hd}), {0, 2, 1, 3});
        V scores = g.op("MatMul", {qh.n, kh.n}, 4);
        if (padding)
            scores = g.where(g.reshape(*padding, {0, 1, 1, -1}), g.f32(-std::numeric_limits<float>::infinity()), scores);
        const V wts = g.softmax(scores, -1);
        const V out = g.reshape(g.transpose(g.op("MatMul", {wts.n, vh.n}, 4), {0, 2, 1, 3}), {0, 0, D});
        return linear(*a.out_proj, path + "out_proj.", out);
    }

    std::string m_prefix;
    std::vector<V> m_xs, m_masks, m_steps;
    std::vector<V> m_values;
};

// PyTorch's gate blocks (LSTM i f g o, GRU r z n) in ONNX's order (LSTM i o f c, GRU z r h).
torch::Tensor onnxGates(const torch::Tensor &t, bool lstm, std::int64_t H)
{
    const std::vector<std::int64_t> order = lstm ? std::vector<std::int64_t>{0, 3, 1, 2} : std::vector<std::int64_t>{1, 0, 2};
    std::vector<torch::Tensor> chunks;
    for (std::int64_t i : order)
        chunks.push_back(t.detach().narrow(0, i * H, H));
    return torch::cat(chunks, 0);
}

// One step of a GRUCell/LSTMCell as a one-step ONNX GRU/LSTM (linear_before_reset as PyTorch).
Sym OnnxOps::recurrentCell(const torch::nn::Module &cell, const std::string &path, Sym xs, Sym hs, Sym *c)
{
    const auto *gru = dynamic_cast<const torch::nn::GRUCellImpl *>(&cell);
    const auto *lstm = dynamic_cast<const torch::nn::LSTMCellImpl *>(&cell);
    if ((!gru && !lstm) || (lstm != nullptr) != (c != nullptr))
        throw Refused{"its recurrent cell is neither a GRUCell nor an LSTMCell"};
    const std::int64_t H = lstm ? lstm->options.hidden_size() : gru->options.hidden_size();
    const torch::Tensor wi = lstm ? lstm->weight_ih : gru->weight_ih, wh = lstm ? lstm->weight_hh : gru->weight_hh;
    torch::Tensor bi = lstm ? lstm->bias_ih : gru->bias_ih, bh = lstm ? lstm->bias_hh : gru->bias_hh;
    if (!bi.defined())
        bi = torch::zeros({wi.size(0)});
    if (!bh.defined())
        bh = torch::zeros({wh.size(0)});
    const std::string base = path + "onnx_cell.";
    const bool isLstm = lstm != nullptr;
    std::vector<std::string> inputs = {g.op("Unsqueeze", {v(xs).n, g.i64({0})}, 3).n, w(base + "W", onnxGates(wi, isLstm, H).unsqueeze(0)).n,
                                       w(base + "R", onnxGates(wh, isLstm, H).unsqueeze(0)).n,
                                       w(base + "B", torch::cat({onnxGates(bi, isLstm, H), onnxGates(bh, isLstm, H)}, 0).unsqueeze(0)).n, "",
                                       g.op("Unsqueeze", {v(hs).n, g.i64({0})}, 3).n};
    std::vector<Attr> attrs = {aInt("hidden_size", H)};
    if (!isLstm)
        attrs.push_back(aInt("linear_before_reset", 1));
    else
        inputs.push_back(g.op("Unsqueeze", {v(*c).n, g.i64({0})}, 3).n);
    const auto outs = g.opN(isLstm ? "LSTM" : "GRU", inputs, attrs, isLstm ? 3 : 2);
    if (isLstm)
        *c = sym(g.op("Squeeze", {outs[2], g.i64({0})}, 2));
    return sym(g.op("Squeeze", {outs[1], g.i64({0})}, 2));
}

// LibTorch's packed GRU/LSTM (pack_padded_sequence, unsorted) as ONNX GRU/LSTM operators,
// one per layer, with sequence_lens: same results, lengths clamped to 1 as FuseLab does.
Sym OnnxOps::rnn(const torch::nn::Module &cell, const std::string &path, Sym stepsSym, Sym validSym, bool last)
{
    const auto *gru = dynamic_cast<const torch::nn::GRUImpl *>(&cell);
    const auto *lstmCell = dynamic_cast<const torch::nn::LSTMImpl *>(&cell);
    if (!gru && !lstmCell)
        throw Refused{"its recurrent layer is neither a GRU nor an LSTM"};
    const bool lstm = lstmCell != nullptr;
    const torch::nn::detail::RNNOptionsBase &o = lstm ? lstmCell->options_base : gru->options_base;
    if (o.proj_size() > 0)
        throw Refused{"an LSTM with projections"};
    const V valid = v(validSym);
    const V lengths = g.cast(g.op("Max", {g.reduce("ReduceSum", valid, {1}, false).n, g.f32(1.0f).n}, 1), kInt32);
    const std::int64_t dirs = o.bidirectional() ? 2 : 1, H = o.hidden_size();
    auto reorder = [&](const torch::Tensor &t) { return onnxGates(t, lstm, H); };
    V X = g.transpose(v(stepsSym), {1, 0, 2}); // [T, B, D]
    V hn;
    for (std::int64_t l = 0; l < o.num_layers(); ++l) {
        std::vector<torch::Tensor> wi, rr, b;
        for (std::int64_t d = 0; d < dirs; ++d) {
            const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
            wi.push_back(reorder(param(cell, "weight_ih" + suffix)));
            rr.push_back(reorder(param(cell, "weight_hh" + suffix)));
            b.push_back(torch::cat({reorder(param(cell, "bias_ih" + suffix)), reorder(param(cell, "bias_hh" + suffix))}, 0));
        }
        const std::string base = path + "onnx_l" + std::to_string(l) + ".";
        std::vector<Attr> attrs = {aInt("hidden_size", H), aStr("direction", dirs == 2 ? "bidirectional" : "forward")};
        if (!lstm)
            attrs.push_back(aInt("linear_before_reset", 1));
        const auto outs = g.opN(lstm ? "LSTM" : "GRU",
                                {X.n, w(base + "W", torch::stack(wi)).n, w(base + "R", torch::stack(rr)).n, w(base + "B", torch::stack(b)).n, lengths.n},
                                attrs, 2);
        X = g.reshape(g.transpose({outs[0], 4}, {0, 2, 1, 3}), {0, 0, -1}); // [T, dirs, B, H] → [T, B, dirs·H]
        hn = {outs[1], 3};                                                    // [dirs, B, H]
    }
    if (last)
        return sym(g.reshape(g.transpose(hn, {1, 0, 2}), {0, -1})); // forward's last state, then the reverse's
    return sym(g.transpose(X, {1, 0, 2}));
}

Sym OnnxOps::transformerLayers(const torch::nn::Module &layers, const std::string &path, Sym hs, Sym paddingSym)
{
    V h = v(hs);
    const V padding = v(paddingSym);
    for (const auto &item : layers.named_children()) {
        const auto *layerImpl = dynamic_cast<const torch::nn::TransformerEncoderLayerImpl *>(item.value().get());
        if (!layerImpl)
            throw Refused{"its encoder has a layer that is not a TransformerEncoderLayer"};
        const std::string pre = path + item.key() + ".";
        const bool relu = lowering::transformerActivation(layerImpl->options) == "relu"; // else gelu
        const auto &attn = dynamic_cast<const torch::nn::MultiheadAttentionImpl &>(child(*layerImpl, "self_attn"));
        const V a = attentionV(attn, pre + "self_attn.", h, h, &padding);
        const V r = layerV(child(*layerImpl, "norm1"), pre + "norm1.", g.add(h, a));
        V f = layerV(child(*layerImpl, "linear1"), pre + "linear1.", r);
        f = relu ? g.un("Relu", f) : geluV(f, "none");
        f = layerV(child(*layerImpl, "linear2"), pre + "linear2.", f);
        h = layerV(child(*layerImpl, "norm2"), pre + "norm2.", g.add(r, f));
    }
    return sym(h);
}

} // namespace

namespace {

// A ModelProto around a graph: IR version 8 (ONNX 1.10 to 1.12), opset 17, metadata.
void writeOnnxModel(const Builder &g, const std::string &name, const std::string &inputs, const std::string &outputs,
                    const std::vector<std::pair<std::string, std::string>> &meta, const std::string &producerVersion, const std::string &path)
{
    if (g.weightBytes() > (std::size_t{1} << 31) - (std::size_t{1} << 24))
        throw Error(Message::plain("ONNX export: the model's weights are over 2 GB, more than one ONNX file holds"));
    std::string graph = g.graph();
    bytesField(graph, 2, name);
    graph += inputs;
    graph += outputs;
    std::string model;
    intField(model, 1, 8);
    bytesField(model, 2, "FuseLab");
    bytesField(model, 3, producerVersion);
    bytesField(model, 4, "org.fuselab");
    bytesField(model, 7, graph);
    std::string opset;
    bytesField(opset, 1, "");
    intField(opset, 2, kOnnxOpset);
    bytesField(model, 8, opset);
    for (const auto &[k, v] : meta) {
        std::string e;
        bytesField(e, 1, k);
        bytesField(e, 2, v);
        bytesField(model, 14, e);
    }
    writeFileAtomically(path, model);
}

std::vector<std::int64_t> batchDims(const torch::Tensor &t)
{
    std::vector<std::int64_t> d = t.sizes().vec();
    d.at(0) = -1;
    return d;
}

} // namespace

std::string onnxDecoderStepPath(const std::string &modelPath)
{
    const std::string stem = modelPath.size() > 5 && modelPath.compare(modelPath.size() - 5, 5, ".onnx") == 0 ? modelPath.substr(0, modelPath.size() - 5) : modelPath;
    return stem + "-decoder-step.onnx";
}

OnnxWritten saveOnnx(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
              const std::vector<torch::Tensor> &example, const std::string &path, const std::string &producerVersion)
{
    // Every block's output rank, from FuseLab's own forward on the example batch.
    std::map<std::string, std::vector<Value>> trace;
    const FusionModelImpl::Step *seq = exporting::sequenceStep(model);
    const auto *decoder = seq ? dynamic_cast<const lowering::DecodesStepwise *>(seq->module.get()) : nullptr;
    torch::Tensor memoryExample, slotsExample;
    {
        torch::NoGradGuard noGrad;
        FusionModel shared = model; // the same module (the holder is const, the run is not)
        const bool training = shared->is_training();
        shared->eval();
        const std::int64_t B = example.empty() ? 1 : example[0].size(0);
        shared->forward(example, torch::ones({B, static_cast<std::int64_t>(example.size())}), &trace);
        if (decoder) {
            auto *head = dynamic_cast<SequenceHead *>(seq->module.get());
            memoryExample = head->lastMemory();
            slotsExample = head->lastMask();
        }
        shared->train(training);
    }
    Builder g;
    std::string inputs;
    std::set<int> used; // inputs the graph does not read are not declared (OpenCV refuses unused inputs)
    for (const FusionModelImpl::Step &s : model->steps())
        if (s.column >= 0)
            used.insert(s.column);
    for (std::size_t m = 0; m < example.size(); ++m) {
        if (!used.count(static_cast<int>(m)))
            continue;
        std::vector<std::int64_t> dims = example[m].sizes().vec();
        dims[0] = -1;
        const bool ids = example[m].scalar_type() == torch::kLong || example[m].scalar_type() == torch::kInt;
        bytesField(inputs, 11, valueInfo("x" + std::to_string(m), ids ? kInt64 : kFloat, dims, m < inputNames.size() ? inputNames[m] : std::string()));
    }
    bytesField(inputs, 11, valueInfo("present", kFloat, {-1, static_cast<std::int64_t>(example.size())}, "1 where a sample has that input, else 0"));
    const V present{"present", 2};
    g.declareInput("present", true);
    for (int m : used)
        g.declareInput("x" + std::to_string(m), false);
    struct Out {
        V x, mask, steps;
    };
    std::map<std::string, Out> out;
    std::string outputs;
    exporting::forEachBlock(model, FL_TR("Export", "block %1 (%2) cannot be exported to ONNX: %3"),
                            [&](const FusionModelImpl::Step &s, const exporting::StepInputs &in) {
                                std::vector<V> xs, masks, steps;
                                if (in.column >= 0) {
                                    xs.push_back({"x" + std::to_string(in.column), static_cast<int>(example.at(static_cast<std::size_t>(in.column)).dim())});
                                    masks.push_back(g.reshape(g.slice(present, 1, in.column, in.column + 1), {-1}));
                                } else {
                                    for (const std::string &from : in.from) {
                                        xs.push_back(out.at(from).x);
                                        masks.push_back(out.at(from).mask);
                                        steps.push_back(out.at(from).steps);
                                    }
                                }
                                OnnxOps ops(g, moduleName(s.node) + ".", xs, masks, steps);
                                const lowering::Lowered r = s.module->lower(ops);
                                Out result{ops.v(r.out), ops.v(r.mask), r.steps.defined() ? ops.v(r.steps) : V{}};
                                if (!decoder || &s != seq)
                                    result.x.rank = static_cast<int>(trace.at(s.node).at(0).x.dim()); // as FuseLab computes it
                                if (decoder && &s == seq) {
                                    // The encoder's outputs: the memory, its open slots and the decoder's first state.
                                    g.rawNode("Identity", {result.x.n}, "memory");
                                    g.rawNode("Identity", {result.mask.n}, "slots");
                                    bytesField(outputs, 12, valueInfo("memory", kFloat, batchDims(memoryExample), "what the decoder attends to"));
                                    bytesField(outputs, 12, valueInfo("slots", kFloat, batchDims(slotsExample), "1 for the memory's open slots"));
                                    ops.setInputs({result.x, result.mask});
                                    const std::vector<Sym> state = decoder->lowerStart(ops);
                                    for (std::size_t k = 0; k < state.size(); ++k) {
                                        g.rawNode("Identity", {ops.v(state[k]).n}, "state" + std::to_string(k));
                                        bytesField(outputs, 12, valueInfo("state" + std::to_string(k), kFloat, {-1, decoder->stateFeatures(k)},
                                                                          "the decoder's state before the first step"));
                                    }
                                }
                                out[s.node] = result;
                            });
    const std::string &outputNode = model->analysis().outputNode;
    std::vector<std::pair<std::string, std::string>> meta = {{"class_names", nlohmann::json(classes).dump()},
                                                             {"input_names", nlohmann::json(inputNames).dump()}};
    OnnxWritten written;
    if (!decoder) {
        g.rawNode("Identity", {out.at(outputNode).x.n}, "logits");
        const torch::Tensor &logits = trace.at(outputNode).at(0).x;
        bytesField(outputs, 12, valueInfo("logits", kFloat, batchDims(logits),
                                          seq ? "per time step, scores of each token before softmax (CTC: id 0 is the blank)"
                                              : "class scores before softmax (sigmoid for multi-label)"));
        writeOnnxModel(g, "fuselab", inputs, outputs, meta, producerVersion, path);
        written.openCvObstacle = g.openCvObstacle();
        return written;
    }
    // A decoder: this graph encodes; a second one takes one decoding step.
    Builder step;
    std::string stepInputs, stepOutputs;
    const auto declare = [&](const std::string &name, int type, const std::vector<std::int64_t> &dims, const std::string &doc) {
        bytesField(stepInputs, 11, valueInfo(name, type, dims, doc));
        step.declareInput(name, true);
    };
    declare("memory", kFloat, batchDims(memoryExample), "the encoder's memory");
    declare("slots", kFloat, batchDims(slotsExample), "the encoder's open slots");
    declare("token", kInt64, {-1}, "the previous token (<bos> = 2 first)");
    std::vector<V> stepXs = {{"memory", 3}, {"slots", 2}, {"token", 1}};
    for (std::size_t k = 0; k < decoder->stateCount(); ++k) {
        declare("state" + std::to_string(k), kFloat, {-1, decoder->stateFeatures(k)}, "the decoder's state");
        stepXs.push_back({"state" + std::to_string(k), 2});
    }
    OnnxOps ops(step, moduleName(seq->node) + ".", stepXs, {});
    const std::vector<Sym> r = exporting::lowerStep(model, *seq, FL_TR("Export", "block %1 (%2) cannot be exported to ONNX: %3"),
                                                    [&] { return decoder->lowerStep(ops); });
    step.rawNode("Identity", {ops.v(r.at(0)).n}, "logits");
    bytesField(stepOutputs, 12, valueInfo("logits", kFloat, {-1, static_cast<std::int64_t>(classes.size())}, "scores of the next token before softmax"));
    for (std::size_t k = 1; k < r.size(); ++k) {
        const std::string name = "state" + std::to_string(k - 1) + "_out";
        step.rawNode("Identity", {ops.v(r[k]).n}, name);
        bytesField(stepOutputs, 12, valueInfo(name, kFloat, {-1, decoder->stateFeatures(k - 1)}, "the state after this step"));
    }
    writeOnnxModel(g, "fuselab_encoder", inputs, outputs, meta, producerVersion, path);
    writeOnnxModel(step, "fuselab_decoder_step", stepInputs, stepOutputs, meta, producerVersion, onnxDecoderStepPath(path));
    written.openCvObstacle = "the decoding loop";
    written.decoderStep = onnxDecoderStepPath(path);
    return written;
}

} // namespace fuselab
