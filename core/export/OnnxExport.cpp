// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/OnnxExport.h"

#include "core/export/ModuleTree.h"
#include "core/export/Protobuf.h"
#include "core/model/blocks/AttentionFusion.h"
#include "core/model/blocks/AudioCnnEncoder.h"
#include "core/model/blocks/AutoencoderEncoder.h"
#include "core/model/blocks/AutoencoderFusion.h"
#include "core/model/blocks/ClassificationHead.h"
#include "core/model/blocks/CnnEncoder.h"
#include "core/model/blocks/Conv1dEncoder.h"
#include "core/model/blocks/CrossAttentionFusion.h"
#include "core/model/blocks/FilmFusion.h"
#include "core/model/blocks/GatedFusion.h"
#include "core/model/blocks/InputBlock.h"
#include "core/model/blocks/LateFusion.h"
#include "core/model/blocks/LowRankFusion.h"
#include "core/model/blocks/MlpEncoder.h"
#include "core/model/blocks/ResNetEncoder.h"
#include "core/model/blocks/RnnEncoder.h"
#include "core/model/blocks/SequenceInput.h"
#include "core/model/blocks/TensorFusion.h"
#include "core/model/blocks/TransformerEncoder.h"
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

using exporting::child;
using exporting::hasChild;
using exporting::Refused;

// ONNX TensorProto.DataType
constexpr int kFloat = 1, kInt32 = 6, kInt64 = 7, kBool = 9;
constexpr std::int64_t kEnd = std::numeric_limits<std::int64_t>::max();

// A value in the graph and its rank (the exporter knows every rank; shapes past the batch
// are fixed by the operators).
struct V {
    std::string n;
    int rank = 0;
};

struct Attr {
    std::string name;
    int type = 0; // AttributeProto.AttributeType
    float f = 0;
    std::int64_t i = 0;
    std::string s;
    std::vector<std::int64_t> ints;

    std::string encode() const
    {
        std::string a;
        bytesField(a, 1, name);
        intField(a, 20, type);
        if (type == 1)
            floatField(a, 2, f);
        else if (type == 2)
            intField(a, 3, i);
        else if (type == 3)
            bytesField(a, 4, s);
        else if (type == 7)
            for (std::int64_t v : ints)
                intField(a, 8, v);
        return a;
    }
};
Attr aInt(const std::string &n, std::int64_t v) { return {n, 2, 0, v, {}, {}}; }
Attr aFloat(const std::string &n, float v) { return {n, 1, v, 0, {}, {}}; }
Attr aStr(const std::string &n, const std::string &v) { return {n, 3, 0, 0, v, {}}; }
Attr aInts(const std::string &n, std::vector<std::int64_t> v) { return {n, 7, 0, 0, {}, std::move(v)}; }

template <std::size_t D>
std::vector<std::int64_t> vec(const torch::ExpandingArray<D> &a)
{
    return std::vector<std::int64_t>(a->begin(), a->end());
}

std::string tensorProto(const std::string &name, const torch::Tensor &t)
{
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    int type = kFloat;
    if (c.scalar_type() == torch::kLong)
        type = kInt64;
    else if (c.scalar_type() == torch::kInt)
        type = kInt32;
    else
        c = c.to(torch::kFloat).contiguous();
    std::string p;
    for (std::int64_t d : c.sizes())
        intField(p, 1, d);
    intField(p, 2, type);
    bytesField(p, 8, name);
    bytesField(p, 9, std::string(static_cast<const char *>(c.data_ptr()), static_cast<std::size_t>(c.nbytes())));
    return p;
}

// ValueInfoProto of a tensor; dims < 0 are the dynamic batch.
std::string valueInfo(const std::string &name, int elemType, const std::vector<std::int64_t> &dims, const std::string &doc = {})
{
    std::string shape;
    for (std::int64_t d : dims) {
        std::string dim;
        if (d < 0)
            bytesField(dim, 2, "batch");
        else
            intField(dim, 1, d);
        bytesField(shape, 1, dim);
    }
    std::string tensor;
    intField(tensor, 1, elemType);
    bytesField(tensor, 2, shape);
    std::string type;
    bytesField(type, 1, tensor);
    std::string v;
    bytesField(v, 1, name);
    bytesField(v, 2, type);
    if (!doc.empty())
        bytesField(v, 3, doc);
    return v;
}

// A handle of the tensor (by value: named_parameters() returns a temporary dictionary, and
// a reference into it dangled; found by ASan on test_onnx).
torch::Tensor param(const torch::nn::Module &m, const std::string &name)
{
    const auto parameters = m.named_parameters(false);
    if (const torch::Tensor *t = parameters.find(name))
        return *t;
    const auto buffers = m.named_buffers(false);
    if (const torch::Tensor *t = buffers.find(name))
        return *t;
    throw Refused{"it has no tensor named " + name};
}

// The graph being written: nodes and initializers, and the operators FuseLab's blocks need.
class Onnx {
public:
    std::vector<std::string> opN(const std::string &type, const std::vector<std::string> &inputs, const std::vector<Attr> &attrs, int outputs)
    {
        std::string node;
        for (const std::string &in : inputs)
            bytesField(node, 1, in);
        std::vector<std::string> outs;
        for (int i = 0; i < outputs; ++i) {
            outs.push_back("v" + std::to_string(m_values++));
            bytesField(node, 2, outs.back());
        }
        bytesField(node, 3, type + "_" + std::to_string(m_nodes++));
        bytesField(node, 4, type);
        for (const Attr &a : attrs)
            bytesField(node, 5, a.encode());
        bytesField(m_graph, 1, node);
        return outs;
    }
    V op(const std::string &type, const std::vector<std::string> &inputs, int rank, const std::vector<Attr> &attrs = {})
    {
        return {opN(type, inputs, attrs, 1)[0], rank};
    }
    void rawNode(const std::string &type, const std::vector<std::string> &inputs, const std::string &output)
    {
        std::string node;
        for (const std::string &in : inputs)
            bytesField(node, 1, in);
        bytesField(node, 2, output);
        bytesField(node, 3, type + "_" + std::to_string(m_nodes++));
        bytesField(node, 4, type);
        bytesField(m_graph, 1, node);
    }

    // A weight (float32 unless integer), named `name` or, if taken, name with a suffix.
    std::string init(const std::string &name, const torch::Tensor &t)
    {
        std::string n = name;
        for (int k = 2; m_names.count(n); ++k)
            n = name + "_" + std::to_string(k);
        m_names.insert(n);
        m_bytes += static_cast<std::size_t>(t.numel()) * (t.scalar_type() == torch::kLong || t.scalar_type() == torch::kDouble ? 8 : 4);
        bytesField(m_graph, 5, tensorProto(n, t));
        return n;
    }
    V weight(const std::string &name, const torch::Tensor &t) { return {init(name, t), static_cast<int>(t.dim())}; }
    std::string i64(const std::vector<std::int64_t> &v)
    {
        const auto it = m_ints.find(v);
        if (it != m_ints.end())
            return it->second;
        const std::string n = init("const_i" + std::to_string(m_ints.size()), torch::tensor(v, torch::kLong));
        m_ints[v] = n;
        return n;
    }
    V f32(float v)
    {
        const auto it = m_floats.find(v);
        if (it != m_floats.end())
            return {it->second, 0};
        const std::string n = init("const_f" + std::to_string(m_floats.size()), torch::full({}, v));
        m_floats[v] = n;
        return {n, 0};
    }

    // elementwise (numpy broadcasting)
    V bin(const char *type, const V &a, const V &b) { return op(type, {a.n, b.n}, std::max(a.rank, b.rank)); }
    V add(const V &a, const V &b) { return bin("Add", a, b); }
    V sub(const V &a, const V &b) { return bin("Sub", a, b); }
    V mul(const V &a, const V &b) { return bin("Mul", a, b); }
    V div(const V &a, const V &b) { return bin("Div", a, b); }
    // a / b where b broadcasts, as a · (1 / b) (within a rounding of a / b): one pattern
    // less for runtimes that divide only same-shaped tensors
    V divBy(const V &a, const V &b) { return mul(a, un("Reciprocal", b)); }
    V un(const char *type, const V &a) { return op(type, {a.n}, a.rank); }
    V reshape(const V &x, const std::vector<std::int64_t> &shape) { return op("Reshape", {x.n, i64(shape)}, static_cast<int>(shape.size())); }
    V transpose(const V &x, const std::vector<std::int64_t> &perm) { return op("Transpose", {x.n}, x.rank, {aInts("perm", perm)}); }
    V cast(const V &x, int to) { return op("Cast", {x.n}, x.rank, {aInt("to", to)}); }
    V greater(const V &x, float v) { return bin("Greater", x, f32(v)); }
    V where(const V &c, const V &a, const V &b) { return op("Where", {c.n, a.n, b.n}, std::max({c.rank, a.rank, b.rank})); }
    V softmax(const V &x, std::int64_t axis) { return op("Softmax", {x.n}, x.rank, {aInt("axis", axis)}); }
    V reduce(const char *type, const V &x, const std::vector<std::int64_t> &axes, bool keep)
    {
        const int rank = keep ? x.rank : x.rank - static_cast<int>(axes.size());
        if (std::string(type) == "ReduceSum") // axes an input from opset 13 on
            return op(type, {x.n, i64(axes)}, rank, {aInt("keepdims", keep)});
        return op(type, {x.n}, rank, {aInts("axes", axes), aInt("keepdims", keep)});
    }
    V slice(const V &x, std::int64_t axis, std::int64_t start, std::int64_t end)
    {
        return op("Slice", {x.n, i64({start}), i64({end}), i64({axis})}, x.rank);
    }
    V concat(const std::vector<V> &xs, std::int64_t axis)
    {
        if (xs.size() == 1)
            return xs[0];
        std::vector<std::string> names;
        for (const V &x : xs)
            names.push_back(x.n);
        return op("Concat", names, xs[0].rank, {aInt("axis", axis)});
    }
    // [B, ...] items stacked along a new axis 1
    V stack(const std::vector<V> &xs)
    {
        std::vector<V> r;
        for (const V &x : xs)
            r.push_back(x.rank == 1 ? reshape(x, {-1, 1}) : reshape(x, {0, 1, -1}));
        return concat(r, 1);
    }
    // a [B] mask as a column [B, 1] (to scale a [B, D] batch)
    V column(const V &mask) { return reshape(mask, {-1, 1}); }
    // ones [B, 1] in x's batch (x of rank >= 2, finite)
    V onesLike(const V &x)
    {
        V first = slice(x, 1, 0, 1);
        if (first.rank > 2)
            first = reshape(first, {0, 1});
        return add(mul(first, f32(0.0f)), f32(1.0f));
    }

    std::string graph() const { return m_graph; }
    std::size_t weightBytes() const { return m_bytes; }

private:
    std::string m_graph;
    std::set<std::string> m_names;
    std::map<std::vector<std::int64_t>, std::string> m_ints;
    std::map<float, std::string> m_floats;
    int m_values = 0, m_nodes = 0;
    std::size_t m_bytes = 0;
};

// One block's translation.
class Block {
public:
    Block(Onnx &g, std::string prefix) : g(g), m_prefix(std::move(prefix)) {}
    Onnx &g;

    V weight(const std::string &path, const torch::Tensor &t) { return g.weight(m_prefix + path, t); }

    V linear(const torch::nn::LinearImpl &l, const std::string &path, const V &x) { return linearWith(l.weight, l.bias, path, x); }
    V linearWith(const torch::Tensor &w, const torch::Tensor &b, const std::string &path, const V &x)
    {
        if (x.rank == 2) {
            std::vector<std::string> in = {x.n, weight(path + "weight", w).n};
            if (b.defined())
                in.push_back(weight(path + "bias", b).n);
            return g.op("Gemm", in, 2, {aInt("transB", 1)});
        }
        V y = g.op("MatMul", {x.n, weight(path + "weight_t", w.t()).n}, x.rank);
        return b.defined() ? g.add(y, weight(path + "bias", b)) : y;
    }

    V layerNorm(const V &x, std::size_t dims, const torch::Tensor &w, const torch::Tensor &b, double eps, const std::string &path)
    {
        std::vector<std::int64_t> axes;
        for (std::size_t i = 0; i < dims; ++i)
            axes.push_back(-1 - static_cast<std::int64_t>(i));
        const V d = g.sub(x, g.reduce("ReduceMean", x, axes, true));
        const V var = g.reduce("ReduceMean", g.mul(d, d), axes, true);
        V y = g.divBy(d, g.un("Sqrt", g.add(var, g.f32(static_cast<float>(eps)))));
        if (w.defined())
            y = g.mul(y, weight(path + "weight", w));
        if (b.defined())
            y = g.add(y, weight(path + "bias", b));
        return y;
    }

    template <typename BN>
    V batchNorm(const BN &bn, const std::string &path, const V &x)
    {
        const auto &o = bn.options;
        if (!o.track_running_stats())
            throw Refused{"batch normalisation without running statistics"};
        const std::int64_t C = bn.running_mean.size(0);
        const std::string w = o.affine() ? weight(path + "weight", bn.weight).n : g.init(m_prefix + path + "ones", torch::ones({C}));
        const std::string b = o.affine() ? weight(path + "bias", bn.bias).n : g.init(m_prefix + path + "zeros", torch::zeros({C}));
        return g.op("BatchNormalization", {x.n, w, b, weight(path + "running_mean", bn.running_mean).n, weight(path + "running_var", bn.running_var).n},
                    x.rank, {aFloat("epsilon", static_cast<float>(o.eps()))});
    }

    template <std::size_t D, typename Conv>
    V conv(const torch::nn::ConvNdImpl<D, Conv> &c, const std::string &path, const V &x)
    {
        const auto &o = c.options;
        std::vector<std::int64_t> pad;
        visit([&](const auto &v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, torch::ExpandingArray<D>>)
                pad = vec(v);
        }, o.padding());
        bool zeros = false;
        visit([&](const auto &v) { zeros = std::is_same_v<std::decay_t<decltype(v)>, torch::enumtype::kZeros>; }, o.padding_mode());
        if (pad.empty() || !zeros)
            throw Refused{"a convolution with 'same'/'valid' or non-zero padding mode"};
        std::vector<std::int64_t> pads = pad;
        pads.insert(pads.end(), pad.begin(), pad.end());
        std::vector<std::string> in = {x.n, weight(path + "weight", c.weight).n};
        if (c.bias.defined())
            in.push_back(weight(path + "bias", c.bias).n);
        return g.op("Conv", in, x.rank,
                    {aInts("kernel_shape", vec(o.kernel_size())), aInts("strides", vec(o.stride())), aInts("pads", pads),
                     aInts("dilations", vec(o.dilation())), aInt("group", o.groups())});
    }

    V gelu(const V &x, const std::string &approximate)
    {
        if (approximate == "tanh") {
            const V inner = g.mul(g.f32(static_cast<float>(std::sqrt(2.0 / M_PI))), g.add(x, g.mul(g.f32(0.044715f), g.mul(x, g.mul(x, x)))));
            return g.mul(g.mul(x, g.f32(0.5f)), g.add(g.f32(1.0f), g.un("Tanh", inner)));
        }
        const V e = g.un("Erf", g.div(x, g.f32(static_cast<float>(std::sqrt(2.0)))));
        return g.mul(g.mul(x, g.f32(0.5f)), g.add(g.f32(1.0f), e));
    }

    // A standard LibTorch layer (or a Sequential of them) applied to `x`; `path` ends in '.'.
    V layer(const torch::nn::Module &m, const std::string &path, const V &x)
    {
        if (const auto *s = dynamic_cast<const torch::nn::SequentialImpl *>(&m)) {
            V y = x;
            for (const auto &c : s->named_children())
                y = layer(*c.value(), path + c.key() + ".", y);
            return y;
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
            return gelu(x, ge->options.approximate());
        if (const auto *r = dynamic_cast<const ResidualBlockImpl *>(&m)) {
            V y = g.un("Relu", layer(child(*r, "bn1"), path + "bn1.", layer(child(*r, "conv1"), path + "conv1.", x)));
            y = layer(child(*r, "bn2"), path + "bn2.", layer(child(*r, "conv2"), path + "conv2.", y));
            const V shortcut = hasChild(*r, "shortcut") ? layer(child(*r, "shortcut"), path + "shortcut.", x) : x;
            return g.un("Relu", g.add(y, shortcut));
        }
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
            return g.op("Gather", {weight(path + "weight", e->weight).n, ids.n}, x.rank + 1, {aInt("axis", 0)});
        }
        throw Refused{"its layer " + m.name() + " has no ONNX translation yet"};
    }

    // masks [B] each → "present in any"
    V anyPresent(const std::vector<V> &masks)
    {
        if (masks.size() == 1)
            return masks[0];
        std::vector<std::string> n;
        for (const V &m : masks)
            n.push_back(m.n);
        return g.op("Max", n, 1);
    }
    // softmax over axis 1 of the present entries; all-missing rows give zeros
    V maskedSoftmax(const V &scores, const V &mask)
    {
        const V present = g.greater(mask, 0.5f);
        const V w = g.softmax(g.where(present, scores, g.f32(-1e9f)), 1);
        return g.mul(w, g.reduce("ReduceMax", g.cast(present, kFloat), {1}, true));
    }
    // (seq [B, T, D], valid [B, T] float) → [B, D]
    V maskedMean(const V &seq, const V &valid)
    {
        const V w = g.reshape(valid, {0, -1, 1});
        return g.divBy(g.reduce("ReduceSum", g.mul(seq, w), {1}, false), g.op("Max", {g.reduce("ReduceSum", w, {1}, false).n, g.f32(1.0f).n}, 2));
    }
    V maskedMax(const V &seq, const V &valid)
    {
        const V filled = g.where(g.greater(g.reshape(valid, {0, -1, 1}), 0.5f), seq, g.f32(-std::numeric_limits<float>::infinity()));
        const V m = g.reduce("ReduceMax", filled, {1}, false);
        return g.where(g.un("IsInf", m), g.f32(0.0f), m);
    }

    // A SequenceInput: (valid [B, T] float, steps [B, T, D]).
    std::pair<V, V> sequenceInput(const torch::nn::Module &input, const std::string &path, const V &x)
    {
        if (hasChild(input, "embedding")) {
            const V valid = g.cast(g.un("Not", g.bin("Equal", g.cast(x, kInt64), {g.i64({0}), 0})), kFloat);
            return {g.reshape(valid, {0, -1}), layer(child(input, "embedding"), path + "embedding.", x)};
        }
        const V first = g.slice(x, 2, 0, 1); // [B, T, 1]
        return {g.reshape(g.add(g.mul(first, g.f32(0.0f)), g.f32(1.0f)), {0, -1}), x};
    }

    // torch::nn::MultiheadAttention on batch-first [B, T, D] (query) and [B, S, D] (key and
    // value), no dropout; `padding` bool [B, S], true = ignore that key. The 1/sqrt(head
    // size) scale is folded into the query's weights.
    V attention(const torch::nn::MultiheadAttentionImpl &a, const std::string &path, const V &query, const V &kv, const V *padding = nullptr)
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
        const V v = linearWith(part(W, 2, D), part(b, 2, D), path + "in_proj_v.", kv);
        const V qh = g.transpose(g.reshape(q, {0, 0, H, hd}), {0, 2, 1, 3});
        const V kh = g.transpose(g.reshape(k, {0, 0, H, hd}), {0, 2, 3, 1});
        const V vh = g.transpose(g.reshape(v, {0, 0, H, hd}), {0, 2, 1, 3});
        V scores = g.op("MatMul", {qh.n, kh.n}, 4);
        if (padding)
            scores = g.where(g.reshape(*padding, {0, 1, 1, -1}), g.f32(-std::numeric_limits<float>::infinity()), scores);
        const V w = g.softmax(scores, -1);
        const V out = g.reshape(g.transpose(g.op("MatMul", {w.n, vh.n}, 4), {0, 2, 1, 3}), {0, 0, D});
        return linear(*a.out_proj, path + "out_proj.", out);
    }

    V rnn(const RnnEncoderImpl &r, const V &x);
    V transformer(const TransformerEncoderImpl &t, const V &x);

private:
    std::string m_prefix;
};

// LibTorch's packed GRU/LSTM (pack_padded_sequence, unsorted) as ONNX GRU/LSTM operators,
// one per layer, with sequence_lens: same results, lengths clamped to 1 as FuseLab does.
V Block::rnn(const RnnEncoderImpl &r, const V &x)
{
    const auto &o = r.options;
    const auto [valid, steps] = sequenceInput(child(r, "input"), "input.", x);
    const V lengths = g.cast(g.op("Max", {g.reduce("ReduceSum", valid, {1}, false).n, g.f32(1.0f).n}, 1), kInt32);
    const bool lstm = o.cell() == "lstm";
    const torch::nn::Module &cell = child(r, lstm ? "lstm" : "gru");
    const std::int64_t dirs = o.bidirectional() ? 2 : 1, H = o.hidden();
    // PyTorch's gate blocks (LSTM i f g o, GRU r z n) in ONNX's order (LSTM i o f c, GRU z r h).
    const std::vector<std::int64_t> order = lstm ? std::vector<std::int64_t>{0, 3, 1, 2} : std::vector<std::int64_t>{1, 0, 2};
    auto reorder = [&](const torch::Tensor &t) {
        std::vector<torch::Tensor> chunks;
        for (std::int64_t i : order)
            chunks.push_back(t.detach().narrow(0, i * H, H));
        return torch::cat(chunks, 0);
    };
    V X = g.transpose(steps, {1, 0, 2}); // [T, B, D]
    V hn;
    for (std::int64_t l = 0; l < o.layers(); ++l) {
        std::vector<torch::Tensor> w, rr, b;
        for (std::int64_t d = 0; d < dirs; ++d) {
            const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
            w.push_back(reorder(param(cell, "weight_ih" + suffix)));
            rr.push_back(reorder(param(cell, "weight_hh" + suffix)));
            b.push_back(torch::cat({reorder(param(cell, "bias_ih" + suffix)), reorder(param(cell, "bias_hh" + suffix))}, 0));
        }
        const std::string base = std::string(lstm ? "lstm." : "gru.") + "onnx_l" + std::to_string(l) + ".";
        std::vector<Attr> attrs = {aInt("hidden_size", H), aStr("direction", dirs == 2 ? "bidirectional" : "forward")};
        if (!lstm)
            attrs.push_back(aInt("linear_before_reset", 1));
        const auto outs = g.opN(lstm ? "LSTM" : "GRU",
                                {X.n, weight(base + "W", torch::stack(w)).n, weight(base + "R", torch::stack(rr)).n, weight(base + "B", torch::stack(b)).n,
                                 lengths.n},
                                attrs, 2);
        X = g.reshape(g.transpose({outs[0], 4}, {0, 2, 1, 3}), {0, 0, -1}); // [T, dirs, B, H] → [T, B, dirs·H]
        hn = {outs[1], 3};                                                    // [dirs, B, H]
    }
    if (o.output() == "last")
        return g.reshape(g.transpose(hn, {1, 0, 2}), {0, -1}); // forward's last state, then the reverse's
    const V seq = g.transpose(X, {1, 0, 2});
    return o.output() == "mean" ? maskedMean(seq, valid) : seq;
}

V Block::transformer(const TransformerEncoderImpl &t, const V &x)
{
    auto [valid, h] = sequenceInput(child(t, "input"), "input.", x);
    if (hasChild(t, "projection"))
        h = layer(child(t, "projection"), "projection.", h);
    const auto params = t.named_parameters(false);
    const torch::Tensor *cls = params.find("cls");
    if (cls) {
        h = g.concat({g.add(g.mul(g.slice(h, 1, 0, 1), g.f32(0.0f)), weight("cls", *cls)), h}, 1);
        valid = g.concat({g.onesLike(valid), valid}, 1);
    }
    const V length = g.op("Slice", {g.op("Shape", {h.n}, 1).n, g.i64({1}), g.i64({2})}, 1);
    const V pos = g.op("Slice", {weight("positions", param(t, "positions")).n, g.i64({0}), length.n, g.i64({0})}, 2);
    h = g.add(h, pos);
    const V padding = g.bin("And", g.un("Not", g.greater(valid, 0.5f)), g.greater(g.reduce("ReduceMax", valid, {1}, true), 0.5f));
    const auto &encoder = child(t, "encoder");
    for (const auto &item : child(encoder, "layers").named_children()) {
        const auto *layerImpl = dynamic_cast<const torch::nn::TransformerEncoderLayerImpl *>(item.value().get());
        if (!layerImpl)
            throw Refused{"its encoder has a layer that is not a TransformerEncoderLayer"};
        const std::string pre = "encoder.layers." + item.key() + ".";
        bool relu = false, isGelu = false;
        visit([&](const auto &v) {
            using T = std::decay_t<decltype(v)>;
            relu = std::is_same_v<T, torch::enumtype::kReLU>;
            isGelu = std::is_same_v<T, torch::enumtype::kGELU>;
        }, layerImpl->options.activation());
        if (!relu && !isGelu)
            throw Refused{"its transformer layer has a custom activation"};
        const auto &attn = dynamic_cast<const torch::nn::MultiheadAttentionImpl &>(child(*layerImpl, "self_attn"));
        const V a = attention(attn, pre + "self_attn.", h, h, &padding);
        const V r = layer(child(*layerImpl, "norm1"), pre + "norm1.", g.add(h, a));
        V f = layer(child(*layerImpl, "linear1"), pre + "linear1.", r);
        f = relu ? g.un("Relu", f) : gelu(f, "none");
        f = layer(child(*layerImpl, "linear2"), pre + "linear2.", f);
        h = layer(child(*layerImpl, "norm2"), pre + "norm2.", g.add(r, f));
    }
    if (hasChild(encoder, "norm"))
        h = layer(child(encoder, "norm"), "encoder.norm.", h);
    if (t.options.pooling() == "cls")
        return g.reshape(g.slice(h, 1, 0, 1), {0, -1});
    if (cls) {
        h = g.slice(h, 1, 1, kEnd);
        valid = g.slice(valid, 1, 1, kEnd);
    }
    return t.options.pooling() == "mean" ? maskedMean(h, valid) : h;
}

// One block: (output, mask) from its inputs (every port's edges in port order) and masks.
std::pair<V, V> block(Block &e, const std::string &type, const BlockModule &m, const std::vector<V> &xs, const std::vector<V> &masks)
{
    Onnx &g = e.g;
    const V &x = xs.at(0);
    if (type == "output" || type == "input.image" || type == "input.text")
        return {x, masks[0]};
    if (type == "input.audio") {
        const auto &o = dynamic_cast<const InputImpl &>(m).options;
        V a = x;
        if (o.perUtterance()) {
            const V d = g.sub(a, g.reduce("ReduceMean", a, {1, 2}, true));
            const V sd = g.un("Sqrt", g.reduce("ReduceMean", g.mul(d, d), {1, 2}, true));
            a = g.divBy(d, g.add(sd, g.f32(1e-5f)));
        }
        return {o.audioAsSequence() ? g.transpose(a, {0, 2, 1}) : g.op("Unsqueeze", {a.n, g.i64({1})}, 4), masks[0]};
    }
    if (type == "encoder.cnn") {
        const auto &c = dynamic_cast<const CnnEncoderImpl &>(m);
        V y = e.layer(child(c, "features"), "features.", x);
        y = c.options.flatten() ? g.op("Flatten", {y.n}, 2, {aInt("axis", 1)}) : g.op("Flatten", {g.op("GlobalAveragePool", {y.n}, 4).n}, 2, {aInt("axis", 1)});
        if (hasChild(c, "projection"))
            y = e.layer(child(c, "projection"), "projection.", y);
        return {y, masks[0]};
    }
    if (type == "encoder.audio_cnn") {
        const auto &c = dynamic_cast<const AudioCnnEncoderImpl &>(m);
        const V y = e.layer(child(c, "features"), "features.", x);
        return {g.reduce("ReduceMax", g.reduce("ReduceMean", y, {3}, false), {2}, false), masks[0]};
    }
    if (type == "encoder.rnn")
        return {e.rnn(dynamic_cast<const RnnEncoderImpl &>(m), x), masks[0]};
    if (type == "encoder.transformer")
        return {e.transformer(dynamic_cast<const TransformerEncoderImpl &>(m), x), masks[0]};
    if (type == "head.classification" || type == "head.multilabel")
        return {e.layer(child(dynamic_cast<const ClassificationHeadImpl &>(m), "layers"), "layers.", x), masks[0]};
    if (type == "encoder.mlp")
        return {e.layer(child(dynamic_cast<const MlpEncoderImpl &>(m), "layers"), "layers.", g.op("Flatten", {x.n}, 2, {aInt("axis", 1)})), masks[0]};
    if (type == "encoder.resnet") {
        const V y = e.layer(child(dynamic_cast<const ResNetEncoderImpl &>(m), "net"), "net.", x);
        return {g.op("Flatten", {g.op("GlobalAveragePool", {y.n}, 4).n}, 2, {aInt("axis", 1)}), masks[0]};
    }
    if (type == "encoder.autoencoder") // the code; the decoder only trains
        return {e.layer(child(dynamic_cast<const AutoencoderEncoderImpl &>(m), "encoder"), "encoder.", g.op("Flatten", {x.n}, 2, {aInt("axis", 1)})),
                masks[0]};
    if (type == "encoder.conv1d") {
        const auto &c = dynamic_cast<const Conv1dEncoderImpl &>(m);
        const auto [valid, steps] = e.sequenceInput(child(c, "input"), "input.", x);
        const V mask = g.reshape(valid, {0, 1, -1});
        V h = g.mul(g.transpose(steps, {0, 2, 1}), mask);
        h = g.transpose(g.mul(e.layer(child(c, "convs"), "convs.", h), mask), {0, 2, 1});
        if (c.options.output() == "max")
            return {e.maskedMax(h, valid), masks[0]};
        if (c.options.output() == "mean")
            return {e.maskedMean(h, valid), masks[0]};
        return {h, masks[0]};
    }
    const auto scaledInputs = [&] { // each fusion input times its mask
        std::vector<V> s;
        for (std::size_t i = 0; i < xs.size(); ++i)
            s.push_back(g.mul(xs[i], g.column(masks[i])));
        return s;
    };
    if (type == "fusion.concat")
        return {g.concat(scaledInputs(), 1), e.anyPresent(masks)};
    if (type == "fusion.autoencoder")
        return {e.layer(child(dynamic_cast<const AutoencoderFusionImpl &>(m), "encoder"), "encoder.", g.concat(scaledInputs(), 1)), e.anyPresent(masks)};
    if (type == "fusion.attention") {
        const auto &a = dynamic_cast<const AttentionFusionImpl &>(m);
        std::vector<V> p;
        for (std::size_t i = 0; i < xs.size(); ++i)
            p.push_back(e.layer(child(child(a, "projections"), std::to_string(i)), "projections." + std::to_string(i) + ".", xs[i]));
        const V P = g.stack(p);
        const V ctx = g.un("Tanh", e.layer(child(a, "context"), "context.", P));
        const V scores = g.reshape(e.layer(child(a, "score"), "score.", ctx), {0, -1});
        const V w = e.maskedSoftmax(scores, g.stack(masks));
        return {g.reduce("ReduceSum", g.mul(P, g.reshape(w, {0, -1, 1})), {1}, false), e.anyPresent(masks)};
    }
    if (type == "fusion.gated") {
        const auto &gf = dynamic_cast<const GatedFusionImpl &>(m);
        std::vector<V> h;
        for (std::size_t i = 0; i < xs.size(); ++i)
            h.push_back(g.un("Tanh", e.layer(child(child(gf, "hidden"), std::to_string(i)), "hidden." + std::to_string(i) + ".", xs[i])));
        const V Hs = g.stack(h);
        const V mask = g.reshape(g.stack(masks), {0, -1, 1});
        const V gl = e.layer(child(gf, "gate"), "gate.", g.concat(xs, 1));
        V gates;
        if (xs.size() == 2) {
            const V z = g.un("Sigmoid", gl);
            gates = g.mul(g.stack({z, g.sub(g.f32(1.0f), z)}), mask);
            gates = g.divBy(gates, g.op("Max", {g.reduce("ReduceSum", gates, {1}, true).n, g.f32(1e-12f).n}, 3));
        } else {
            const V logits = g.where(g.bin("Less", mask, g.f32(0.5f)), g.f32(-1e9f), g.reshape(gl, {-1, static_cast<std::int64_t>(xs.size()), gf.options.dim()}));
            gates = g.mul(g.softmax(logits, 1), g.cast(g.greater(g.reduce("ReduceSum", mask, {1}, true), 0.0f), kFloat));
        }
        return {g.reduce("ReduceSum", g.mul(gates, Hs), {1}, false), e.anyPresent(masks)};
    }
    if (type == "fusion.late") {
        const auto &l = dynamic_cast<const LateFusionImpl &>(m);
        std::vector<V> logits;
        for (std::size_t i = 0; i < xs.size(); ++i)
            logits.push_back(e.layer(child(child(l, "classifiers"), std::to_string(i)), "classifiers." + std::to_string(i) + ".", xs[i]));
        const V stacked = g.stack(logits), mask = g.stack(masks);
        V scores;
        const std::int64_t n = static_cast<std::int64_t>(xs.size());
        if (l.options.mode() == "learned") {
            scores = g.reshape(e.weight("scores", param(l, "scores")), {1, n});
        } else if (l.options.mode() == "weighted") {
            std::vector<float> w(l.options.weights().begin(), l.options.weights().end());
            scores = e.weight("log_weights", torch::log(torch::tensor(w).clamp_min(1e-12)).view({1, -1}));
        } else {
            scores = e.weight("zero_scores", torch::zeros({1, n}));
        }
        const V w = e.maskedSoftmax(scores, mask);
        return {g.reduce("ReduceSum", g.mul(stacked, g.reshape(w, {0, -1, 1})), {1}, false), e.anyPresent(masks)};
    }
    if (type == "fusion.tensor") {
        const auto &t = dynamic_cast<const TensorFusionImpl &>(m);
        V z;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            V xi = xs[i];
            if (hasChild(t, "projections"))
                xi = e.layer(child(child(t, "projections"), std::to_string(i)), "projections." + std::to_string(i) + ".", xi);
            xi = g.mul(xi, g.column(masks[i]));
            const V v = g.concat({xi, g.onesLike(xi)}, 1);
            z = i == 0 ? v : g.reshape(g.mul(g.reshape(z, {0, -1, 1}), g.reshape(v, {0, 1, -1})), {0, -1});
        }
        if (hasChild(t, "out"))
            z = g.un("Relu", e.layer(child(t, "out"), "out.", z));
        return {z, e.anyPresent(masks)};
    }
    if (type == "fusion.low_rank") {
        const auto &l = dynamic_cast<const LowRankFusionImpl &>(m);
        const std::vector<V> scaled = scaledInputs();
        V product;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const V one = g.concat({scaled[i], g.onesLike(scaled[i])}, 1);
            const V f = e.weight("factor" + std::to_string(i), param(l, "factor" + std::to_string(i)));
            const V fi = g.op("MatMul", {one.n, f.n}, 3); // [rank, B, dim]
            product = i == 0 ? fi : g.mul(product, fi);
        }
        const V fused = g.op("MatMul", {e.weight("fusion_weights", param(l, "fusion_weights")).n, g.transpose(product, {1, 0, 2}).n}, 3);
        return {g.add(g.reshape(fused, {0, -1}), e.weight("bias", param(l, "bias"))), e.anyPresent(masks)};
    }
    if (type == "fusion.cross_attention") {
        const auto &c = dynamic_cast<const CrossAttentionFusionImpl &>(m);
        const std::size_t n = xs.size();
        std::vector<V> h;
        for (std::size_t i = 0; i < n; ++i) {
            const std::string si = std::to_string(i);
            const V xi = xs[i].rank == 2 ? g.reshape(xs[i], {0, 1, -1}) : xs[i];
            h.push_back(g.add(e.layer(child(child(c, "projections"), si), "projections." + si + ".", xi), e.weight("positions" + si, param(c, "positions" + si))));
        }
        std::vector<V> targets;
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<V> from;
            for (std::size_t j = 0; j < n; ++j) {
                if (i == j)
                    continue;
                const std::string name = "cross_" + std::to_string(j) + "_to_" + std::to_string(i);
                const auto &attn = dynamic_cast<const torch::nn::MultiheadAttentionImpl &>(child(c, name + "_attention"));
                V y = e.attention(attn, name + "_attention.", h[i], h[j]);
                y = e.layer(child(c, name + "_norm1"), name + "_norm1.", g.add(h[i], y));
                y = e.layer(child(c, name + "_norm2"), name + "_norm2.", g.add(y, e.layer(child(c, name + "_ff"), name + "_ff.", y)));
                from.push_back(g.mul(g.reduce("ReduceMean", y, {1}, false), g.column(g.mul(masks[i], masks[j]))));
            }
            targets.push_back(g.concat(from, 1));
        }
        return {g.concat(targets, 1), e.anyPresent(masks)};
    }
    if (type == "fusion.film") { // xs[0] the modulated input, xs[1] the condition
        const auto &f = dynamic_cast<const FilmFusionImpl &>(m);
        const V cm = g.column(masks.at(1));
        V gamma = g.add(g.f32(1.0f), g.mul(cm, e.layer(child(f, "gamma"), "gamma.", xs.at(1))));
        V beta = g.mul(cm, e.layer(child(f, "beta"), "beta.", xs[1]));
        if (x.rank == 4) {
            gamma = g.reshape(gamma, {0, -1, 1, 1});
            beta = g.reshape(beta, {0, -1, 1, 1});
        } else if (x.rank == 3) {
            gamma = g.reshape(gamma, {0, 1, -1});
            beta = g.reshape(beta, {0, 1, -1});
        }
        return {g.add(g.mul(gamma, x), beta), masks[0]};
    }
    if (type == "encoder.torchscript")
        throw Refused{"it runs a TorchScript module, whose code ONNX cannot hold (export TorchScript instead)"};
    throw Refused{"this exporter has no ONNX translation of its type yet"};
}


} // namespace

std::vector<std::string> onnxBlockTypes()
{
    return {"input.image",       "input.audio",         "input.text",         "encoder.cnn",        "encoder.audio_cnn",
            "encoder.rnn",       "encoder.conv1d",      "encoder.autoencoder", "encoder.mlp",       "encoder.resnet",
            "encoder.transformer", "fusion.concat",     "fusion.attention",   "fusion.gated",       "fusion.late",
            "fusion.tensor",     "fusion.low_rank",     "fusion.cross_attention", "fusion.film",    "fusion.autoencoder",
            "head.classification", "head.multilabel",   "output"};
}

std::vector<std::string> onnxOpenCvBlockTypes()
{
    return {"input.image", "encoder.cnn", "encoder.mlp", "encoder.resnet", "head.classification", "head.multilabel", "output"};
}

void saveOnnx(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
              const std::vector<torch::Tensor> &example, const std::string &path, const std::string &producerVersion)
{
    // Every block's output rank, from FuseLab's own forward on the example batch.
    std::map<std::string, std::vector<Value>> trace;
    {
        torch::NoGradGuard noGrad;
        FusionModel shared = model; // the same module (the holder is const, the run is not)
        const bool training = shared->is_training();
        shared->eval();
        const std::int64_t B = example.empty() ? 1 : example[0].size(0);
        shared->forward(example, torch::ones({B, static_cast<std::int64_t>(example.size())}), &trace);
        shared->train(training);
    }
    Onnx g;
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
    std::map<std::string, std::pair<V, V>> out;
    for (const FusionModelImpl::Step &s : model->steps()) {
        const GraphNode *n = model->graph().node(s.node);
        std::vector<V> xs, masks;
        if (s.column >= 0) {
            xs.push_back({"x" + std::to_string(s.column), static_cast<int>(example.at(static_cast<std::size_t>(s.column)).dim())});
            masks.push_back(g.reshape(g.slice(present, 1, s.column, s.column + 1), {-1}));
        } else {
            for (const auto &port : s.sources)
                for (const auto &[from, idx] : port) {
                    if (idx != 0)
                        throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported to ONNX: %3"), n->displayName(), n->type,
                                            std::string("it reads a second output of another block")));
                    xs.push_back(out.at(from).first);
                    masks.push_back(out.at(from).second);
                }
        }
        try {
            Block e(g, moduleName(s.node) + ".");
            auto result = block(e, n->type, *s.module, xs, masks);
            result.first.rank = static_cast<int>(trace.at(s.node).at(0).x.dim()); // as FuseLab computes it
            out[s.node] = result;
        } catch (const Refused &r) {
            throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported to ONNX: %3"), n->displayName(), n->type, r.why));
        } catch (const std::bad_cast &) {
            throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported to ONNX: %3"), n->displayName(), n->type,
                                std::string("its module is not the one this exporter knows")));
        }
    }
    const std::string &outputNode = model->analysis().outputNode;
    g.rawNode("Identity", {out.at(outputNode).first.n}, "logits");
    const std::int64_t C = trace.at(outputNode).at(0).x.size(1);
    if (g.weightBytes() > (std::size_t{1} << 31) - (std::size_t{1} << 24))
        throw Error(Message::plain("ONNX export: the model's weights are over 2 GB, more than one ONNX file holds"));

    std::string graph = g.graph();
    bytesField(graph, 2, "fuselab");
    graph += inputs;
    bytesField(graph, 12, valueInfo("logits", kFloat, {-1, C}, "class scores before softmax (sigmoid for multi-label)"));

    std::string model_;
    intField(model_, 1, 8); // IR version 8 (ONNX 1.10 to 1.12): opset 17
    bytesField(model_, 2, "FuseLab");
    bytesField(model_, 3, producerVersion);
    bytesField(model_, 4, "org.fuselab");
    bytesField(model_, 7, graph);
    std::string opset;
    bytesField(opset, 1, "");
    intField(opset, 2, kOnnxOpset);
    bytesField(model_, 8, opset);
    auto meta = [&](const std::string &k, const std::string &v) {
        std::string e;
        bytesField(e, 1, k);
        bytesField(e, 2, v);
        bytesField(model_, 14, e);
    };
    meta("class_names", nlohmann::json(classes).dump());
    meta("input_names", nlohmann::json(inputNames).dump());
    writeFileAtomically(path, model_);
}

} // namespace fuselab
