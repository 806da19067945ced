// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/TorchScriptExport.h"

#include "core/export/ModuleTree.h"

#include "core/model/blocks/AttentionFusion.h"
#include "core/model/blocks/AudioCnnEncoder.h"
#include "core/model/blocks/AutoencoderEncoder.h"
#include "core/model/blocks/AutoencoderFusion.h"
#include "core/model/blocks/Conv1dEncoder.h"
#include "core/model/blocks/CrossAttentionFusion.h"
#include "core/model/blocks/FilmFusion.h"
#include "core/model/blocks/LowRankFusion.h"
#include "core/model/blocks/MlpEncoder.h"
#include "core/model/blocks/ResNetEncoder.h"
#include "core/model/blocks/TorchScriptEncoder.h"
#include "core/model/blocks/TransformerEncoder.h"
#include "core/model/blocks/TensorFusion.h"
#include "core/model/blocks/ClassificationHead.h"
#include "core/model/blocks/CnnEncoder.h"
#include "core/model/blocks/ConcatFusion.h"
#include "core/model/blocks/GatedFusion.h"
#include "core/model/blocks/InputBlock.h"
#include "core/model/blocks/LateFusion.h"
#include "core/model/blocks/RnnEncoder.h"
#include "core/model/blocks/SequenceInput.h"
#include "core/util/Error.h"
#include "core/util/FileIO.h"
#include "fuselab_python_sources.h"

#include <torch/script.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <type_traits>

namespace fuselab {

namespace {

using exporting::child;
using exporting::hasChild;
using exporting::Refused;

std::string ident(const std::string &s)
{
    std::string out;
    for (char c : s)
        out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
        out = "_" + out;
    return out;
}

// The shortest decimal that reads back as the same double (1e-05, not 1.0000000000000001e-05).
std::string num(double v)
{
    char b[64];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(b, sizeof b, "%.*g", digits, v);
        if (std::strtod(b, nullptr) == v)
            break;
    }
    std::string s = b;
    if (s.find_first_of(".en") == std::string::npos)
        s += ".0";
    return s;
}


std::string ints(const std::vector<std::int64_t> &v)
{
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

template <std::size_t D>
std::string ints(const torch::ExpandingArray<D> &a)
{
    return ints(std::vector<std::int64_t>(a->begin(), a->end()));
}

std::string quoted(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out + "\"";
}


// "features.0.weight" → "features[0].weight": a path as Python reaches it from `self`.
std::string pyPath(const std::string &path)
{
    std::string out, part;
    auto flush = [&] {
        if (part.empty())
            return;
        if (std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            out += "[" + part + "]";
        else
            out += (out.empty() ? "" : ".") + part;
        part.clear();
    };
    for (char c : path) {
        if (c == '.')
            flush();
        else
            part += c;
    }
    flush();
    return out;
}

std::string pyBool(bool b) { return b ? "True" : "False"; }

std::string ctor(const torch::nn::Module &m, const std::string &indent);
// A module PyTorch has as it is (no FuseLab container inside): the generated code calls it.
bool pytorchLayer(const torch::nn::Module &m) { return ctor(m, "").find("parts(") == std::string::npos; }

// One block's module: its weights and the lines of its forward. Two targets: TorchScript
// (a jit::Module with flat weights and aten calls) and, when built on a block without a
// jit::Module, Python source for an nn.Module that calls PyTorch's own layers, whose
// state_dict names are FuseLab's (so model.safetensors loads into it as it is).
class Emitter {
public:
    explicit Emitter(torch::jit::Module &m) : m_mod(&m) {}
    explicit Emitter(const torch::nn::Module &block) : m_block(&block) {}

    bool python() const { return m_mod == nullptr; }
    std::string var() { return "t" + std::to_string(m_tmp++); }
    void line(const std::string &s) { m_lines.push_back("        " + s); }
    torch::jit::Module &module()
    {
        if (!m_mod)
            throw Refused{"it runs a TorchScript module, which the PyTorch code export cannot write as Python (export TorchScript instead)"};
        return *m_mod;
    }
    std::string assign(const std::string &expr)
    {
        const std::string v = var();
        line(v + " = " + expr);
        return v;
    }
    std::string tensor(const std::string &name, const torch::Tensor &t, bool buffer)
    {
        if (python()) { // a parameter or buffer of the block (declared with it), or a constant of the translation
            const bool own = m_block->named_parameters(true).find(name) || m_block->named_buffers(true).find(name);
            if (!own && std::none_of(m_constants.begin(), m_constants.end(), [&](const auto &c) { return c.first == name; }))
                m_constants.emplace_back(name, t.detach().to(torch::kCPU).to(torch::kDouble).contiguous());
            return "self." + pyPath(name);
        }
        const std::string n = ident(name);
        torch::Tensor copy = t.detach().clone().contiguous();
        if (!buffer)
            copy.set_requires_grad(t.requires_grad());
        m_mod->register_parameter(n, copy, buffer);
        return "self." + n;
    }
    std::string optionalTensor(const std::string &name, const torch::Tensor &t) { return t.defined() ? tensor(name, t, false) : "None"; }
    // A call of the block's submodule at `path` ("features." → self.features(x)).
    std::string call(const std::string &path, const std::string &args) { return assign("self." + pyPath(path) + "(" + args + ")"); }

    // A standard LibTorch layer (or a Sequential of them) applied to `x`.
    std::string layer(const torch::nn::Module &m, const std::string &prefix, const std::string &x)
    {
        if (python() && pytorchLayer(m)) { // PyTorch's own layer: the same computation
            if (dynamic_cast<const torch::nn::EmbeddingImpl *>(&m))
                return call(prefix, x + ".long()");
            return call(prefix, x);
        }
        if (const auto *s = dynamic_cast<const torch::nn::SequentialImpl *>(&m)) {
            std::string y = x;
            for (const auto &c : s->named_children())
                y = layer(*c.value(), prefix + c.key() + ".", y);
            return y;
        }
        if (const auto *c = dynamic_cast<const torch::nn::Conv2dImpl *>(&m))
            return conv(*c, "torch.conv2d", prefix, x);
        if (const auto *c = dynamic_cast<const torch::nn::Conv1dImpl *>(&m))
            return conv(*c, "torch.conv1d", prefix, x);
        if (const auto *n = dynamic_cast<const torch::nn::LayerNormImpl *>(&m)) {
            const auto &o = n->options;
            const std::string w = o.elementwise_affine() ? tensor(prefix + "weight", n->weight, false) : "None";
            const std::string b = o.elementwise_affine() ? tensor(prefix + "bias", n->bias, false) : "None";
            return assign("torch.layer_norm(" + x + ", " + ints(o.normalized_shape()) + ", " + w + ", " + b + ", " + num(o.eps()) + ", True)");
        }
        if (const auto *bn = dynamic_cast<const torch::nn::BatchNorm2dImpl *>(&m))
            return batchNorm(*bn, prefix, x);
        if (const auto *bn = dynamic_cast<const torch::nn::BatchNorm1dImpl *>(&m))
            return batchNorm(*bn, prefix, x);
        if (dynamic_cast<const torch::nn::ReLUImpl *>(&m))
            return assign("torch.relu(" + x + ")");
        if (const auto *g = dynamic_cast<const torch::nn::GELUImpl *>(&m))
            return assign("torch.gelu(" + x + ", approximate=" + quoted(g->options.approximate()) + ")");
        if (const auto *r = dynamic_cast<const ResidualBlockImpl *>(&m)) {
            std::string y = assign("torch.relu(" + layer(child(*r, "bn1"), prefix + "bn1.", layer(child(*r, "conv1"), prefix + "conv1.", x)) + ")");
            y = layer(child(*r, "bn2"), prefix + "bn2.", layer(child(*r, "conv2"), prefix + "conv2.", y));
            const std::string shortcut = hasChild(*r, "shortcut") ? layer(child(*r, "shortcut"), prefix + "shortcut.", x) : x;
            return assign("torch.relu(" + y + " + " + shortcut + ")");
        }
        if (dynamic_cast<const torch::nn::TanhImpl *>(&m))
            return assign("torch.tanh(" + x + ")");
        if (dynamic_cast<const torch::nn::SigmoidImpl *>(&m))
            return assign("torch.sigmoid(" + x + ")");
        if (const auto *p = dynamic_cast<const torch::nn::MaxPool2dImpl *>(&m)) {
            const auto &o = p->options;
            return assign("torch.max_pool2d(" + x + ", " + ints(o.kernel_size()) + ", " + ints(o.stride()) + ", " +
                          ints(o.padding()) + ", " + ints(o.dilation()) + ", " + (o.ceil_mode() ? "True" : "False") + ")");
        }
        if (const auto *p = dynamic_cast<const torch::nn::AvgPool2dImpl *>(&m)) {
            const auto &o = p->options;
            if (o.divisor_override())
                throw Refused{"average pooling with a divisor override"};
            return assign("torch.avg_pool2d(" + x + ", " + ints(o.kernel_size()) + ", " + ints(o.stride()) + ", " +
                          ints(o.padding()) + ", " + (o.ceil_mode() ? "True" : "False") + ", " +
                          (o.count_include_pad() ? "True" : "False") + ", None)");
        }
        if (const auto *l = dynamic_cast<const torch::nn::LinearImpl *>(&m))
            return linear(*l, prefix, x);
        if (const auto *d = dynamic_cast<const torch::nn::DropoutImpl *>(&m))
            return assign("torch.dropout(" + x + ", " + num(d->options.p()) + ", self.training)");
        if (const auto *e = dynamic_cast<const torch::nn::EmbeddingImpl *>(&m)) {
            const auto &o = e->options;
            if (o.max_norm())
                throw Refused{"an embedding with max_norm"};
            return assign("torch.embedding(" + tensor(prefix + "weight", e->weight, false) + ", " + x + ", " +
                          std::to_string(o.padding_idx() ? *o.padding_idx() : -1) + ", " + (o.scale_grad_by_freq() ? "True" : "False") +
                          ", " + (o.sparse() ? "True" : "False") + ")");
        }
        throw Refused{"its layer " + m.name() + " has no TorchScript translation yet"};
    }

    // Conv1d/Conv2d with explicit zero padding (the only kind FuseLab's blocks make).
    template <std::size_t D, typename Conv>
    std::string convWith(const torch::nn::ConvNdImpl<D, Conv> &c, const char *op, const std::string &prefix, const std::string &x)
    {
        const auto &o = c.options;
        // padding is a variant (c10's in LibTorch 1.x, std's in 2.x): visit finds either by ADL.
        std::string pad;
        visit([&](const auto &v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, torch::ExpandingArray<D>>)
                pad = ints(v);
        }, o.padding());
        bool zeros = false;
        visit([&](const auto &v) { zeros = std::is_same_v<std::decay_t<decltype(v)>, torch::enumtype::kZeros>; }, o.padding_mode());
        if (pad.empty() || !zeros)
            throw Refused{"a convolution with 'same'/'valid' or non-zero padding mode"};
        const std::string w = tensor(prefix + "weight", c.weight, false), b = optionalTensor(prefix + "bias", c.bias);
        return assign(std::string(op) + "(" + x + ", " + w + ", " + b + ", " + ints(o.stride()) + ", " + pad + ", " + ints(o.dilation()) + ", " +
                      std::to_string(o.groups()) + ")");
    }
    std::string conv(const torch::nn::Conv2dImpl &c, const char *op, const std::string &prefix, const std::string &x) { return convWith(c, op, prefix, x); }
    std::string conv(const torch::nn::Conv1dImpl &c, const char *op, const std::string &prefix, const std::string &x) { return convWith(c, op, prefix, x); }

    std::string linear(const torch::nn::LinearImpl &l, const std::string &prefix, const std::string &x)
    {
        return assign("torch.linear(" + x + ", " + tensor(prefix + "weight", l.weight, false) + ", " + optionalTensor(prefix + "bias", l.bias) + ")");
    }

    template <typename BN>
    std::string batchNorm(const BN &bn, const std::string &prefix, const std::string &x)
    {
        const auto &o = bn.options;
        if (!o.track_running_stats() || !o.momentum())
            throw Refused{"batch normalisation without running statistics or momentum"};
        const std::string w = o.affine() ? tensor(prefix + "weight", bn.weight, false) : "None";
        const std::string b = o.affine() ? tensor(prefix + "bias", bn.bias, false) : "None";
        const std::string rm = tensor(prefix + "running_mean", bn.running_mean, true);
        const std::string rv = tensor(prefix + "running_var", bn.running_var, true);
        tensor(prefix + "num_batches_tracked", bn.num_batches_tracked, true);
        return assign("torch.batch_norm(" + x + ", " + w + ", " + b + ", " + rm + ", " + rv + ", self.training, " + num(*o.momentum()) + ", " +
                      num(o.eps()) + ", False)");
    }

    // masks[0] | masks[1] | ... as the fusions' "present in any input".
    std::string anyPresent(std::size_t inputs)
    {
        std::string m = "masks[0]";
        for (std::size_t i = 1; i < inputs; ++i)
            m = assign("torch.maximum(" + m + ", masks[" + std::to_string(i) + "])");
        return m;
    }
    std::string maskedSoftmax(const std::string &scores, const std::string &mask)
    {
        const std::string present = assign(mask + " > 0.5");
        const std::string filled = assign(scores + ".masked_fill(torch.logical_not(" + present + "), -1000000000.0)");
        return assign("torch.softmax(" + filled + ", 1) * " + present + ".any(1, True).to(" + scores + ".dtype)");
    }
    std::string stack(const std::vector<std::string> &v, int dim)
    {
        std::string s = "torch.stack([";
        for (std::size_t i = 0; i < v.size(); ++i)
            s += (i ? ", " : "") + v[i];
        return assign(s + "], " + std::to_string(dim) + ")");
    }

    // The Python class of the block: __init__ builds its layers as PyTorch's (names as
    // FuseLab's), declares its own parameters and buffers and the translation's constants.
    std::string pythonClass(const std::string &name, const std::string &doc, const std::string &out, const std::string &mask) const;

    void define(const std::string &out, const std::string &mask)
    {
        std::string src = "def forward(self, xs: List[Tensor], masks: List[Tensor]) -> Tuple[Tensor, Tensor]:\n";
        for (const auto &l : m_lines)
            src += l + "\n";
        src += "        return " + out + ", " + mask + "\n";
        m_mod->define(src);
    }

private:
    torch::jit::Module *m_mod = nullptr;
    const torch::nn::Module *m_block = nullptr;
    std::vector<std::string> m_lines;
    std::vector<std::pair<std::string, torch::Tensor>> m_constants;
    int m_tmp = 0;
};

// [x, 1] along features (tensor and low-rank fusion).
std::string withOne(Emitter &e, const std::string &x)
{
    return e.assign("torch.cat([" + x + ", torch.ones([" + x + ".size(0), 1], device=" + x + ".device).to(" + x + ".dtype)], 1)");
}

// A SequenceInput: (valid [B, T] bool, steps [B, T, D]).
std::pair<std::string, std::string> sequenceInput(Emitter &e, const torch::nn::Module &input, const std::string &x)
{
    if (hasChild(input, "embedding"))
        return {e.assign(x + ".ne(0)"), e.layer(child(input, "embedding"), "input.embedding.", x + ".long()")};
    return {e.assign("torch.ones([" + x + ".size(0), " + x + ".size(1)], device=" + x + ".device) > 0"), x};
}

std::string maskedMean(Emitter &e, const std::string &seq, const std::string &valid)
{
    const std::string w = e.assign(valid + ".to(" + seq + ".dtype).unsqueeze(2)");
    return e.assign("(" + seq + " * " + w + ").sum(1) / " + w + ".sum(1).clamp_min(1.0)");
}

std::string maskedMax(Emitter &e, const std::string &seq, const std::string &valid)
{
    const std::string filled = e.assign(seq + ".masked_fill(torch.logical_not(" + valid + ".unsqueeze(2)), float(\"-inf\"))");
    const std::string m = e.assign("torch.max(" + filled + ", 1)[0]");
    return e.assign("torch.where(torch.isinf(" + m + "), torch.zeros_like(" + m + "), " + m + ")");
}

// torch::nn::MultiheadAttention's forward (LibTorch's multi_head_attention_forward, key ==
// value, no masks, no extra biases) on [T, B, D] sequences; returns the attention output.
std::string multiheadAttention(Emitter &e, const torch::nn::MultiheadAttentionImpl &a, const std::string &prefix, const std::string &query,
                               const std::string &kv, bool self = false, const std::string &keyPadding = {})
{
    const auto &o = a.options;
    if (!a._qkv_same_embed_dim || a.bias_k.defined() || o.add_zero_attn())
        throw Refused{"its attention has separate key/value sizes or extra key/value biases"};
    if (e.python()) // PyTorch's MultiheadAttention is LibTorch's (sequence first, key == value)
        return e.assign(e.call(prefix, query + ", " + kv + ", " + kv + (keyPadding.empty() ? "" : ", key_padding_mask=" + keyPadding) +
                               ", need_weights=False") + "[0]");
    const std::int64_t D = o.embed_dim(), H = o.num_heads(), hd = D / H;
    const std::string W = e.tensor(prefix + "in_proj_weight", a.in_proj_weight, false);
    const std::string b = a.in_proj_bias.defined() ? e.tensor(prefix + "in_proj_bias", a.in_proj_bias, false) : "None";
    const std::string d = std::to_string(D);
    std::string q0, k0, v0;
    if (self) { // query, key and value the same: one projection, in three (LibTorch's first path)
        const std::string qkv = e.assign("torch.linear(" + query + ", " + W + ", " + b + ").chunk(3, -1)");
        q0 = qkv + "[0]", k0 = qkv + "[1]", v0 = qkv + "[2]";
    } else {
        q0 = e.assign("torch.linear(" + query + ", " + W + "[0:" + d + "], " + (b == "None" ? b : b + "[0:" + d + "]") + ")");
        const std::string kvp = e.assign("torch.linear(" + kv + ", " + W + "[" + d + ":], " + (b == "None" ? b : b + "[" + d + ":]") + ").chunk(2, -1)");
        k0 = kvp + "[0]", v0 = kvp + "[1]";
    }
    const std::string q = e.assign(q0 + " * " + num(1.0 / std::sqrt(static_cast<double>(hd))));
    const std::string tgt = e.assign(query + ".size(0)"), bsz = e.assign(query + ".size(1)");
    const std::string bh = e.assign(bsz + " * " + std::to_string(H));
    const std::string qh = e.assign(q + ".contiguous().view([" + tgt + ", " + bh + ", " + std::to_string(hd) + "]).transpose(0, 1)");
    const std::string kh = e.assign(k0 + ".contiguous().view([-1, " + bh + ", " + std::to_string(hd) + "]).transpose(0, 1)");
    const std::string vh = e.assign(v0 + ".contiguous().view([-1, " + bh + ", " + std::to_string(hd) + "]).transpose(0, 1)");
    std::string scores = e.assign("torch.bmm(" + qh + ", " + kh + ".transpose(1, 2))");
    if (!keyPadding.empty()) { // [B, S] true = ignore that key
        const std::string src = e.assign(kh + ".size(1)");
        scores = e.assign(scores + ".view([" + bsz + ", " + std::to_string(H) + ", " + tgt + ", " + src + "]).masked_fill(" + keyPadding +
                          ".unsqueeze(1).unsqueeze(2), float(\"-inf\")).view([" + bh + ", " + tgt + ", " + src + "])");
    }
    std::string w = e.assign("torch.softmax(" + scores + ", -1)");
    w = e.assign("torch.dropout(" + w + ", " + num(o.dropout()) + ", self.training)");
    const std::string out = e.assign("torch.bmm(" + w + ", " + vh + ").transpose(0, 1).contiguous().view([" + tgt + ", " + bsz + ", " + d + "])");
    return e.linear(*a.out_proj, prefix + "out_proj.", out);
}

// An RNN over packed sequences exactly as LibTorch's pack_padded_sequence(enforce_sorted =
// false) + GRU/LSTM::forward_with_packed_input + pad_packed_sequence compute it.
std::string rnn(Emitter &e, const RnnEncoderImpl &r, const std::string &x)
{
    const auto &o = r.options;
    const auto [valid, steps] = sequenceInput(e, child(r, "input"), x);
    const std::string T = e.assign(steps + ".size(1)");
    if (e.python()) { // PyTorch's packed sequences, as FuseLab's forward uses them
        const bool lstm = o.cell() == "lstm";
        e.line("lengths = " + valid + ".sum(1).clamp_min(1).long().cpu()");
        e.line("packed = nn.utils.rnn.pack_padded_sequence(" + steps + ", lengths, batch_first=True, enforce_sorted=False)");
        e.line(std::string(lstm ? "out, (hn, cn) = self.lstm(packed)" : "out, hn = self.gru(packed)"));
        if (o.output() == "last")
            return e.assign(o.bidirectional() ? "torch.cat([hn[-2], hn[-1]], 1)" : "hn[-1]");
        const std::string seq = e.assign("nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=" + T + ")[0]");
        return o.output() == "mean" ? maskedMean(e, seq, valid) : seq;
    }
    e.line("lengths = " + valid + ".sum(1).clamp_min(1).long().cpu()");
    e.line("sorted_lengths, sorted_indices = torch.sort(lengths, -1, True)");
    e.line("sorted_indices = sorted_indices.to(" + steps + ".device)");
    e.line("unsorted_indices = torch.empty_like(sorted_indices).scatter_(0, sorted_indices, torch.arange(0, sorted_indices.numel(), "
           "device=sorted_indices.device))");
    e.line("packed_data, batch_sizes = torch._pack_padded_sequence(" + steps + ".index_select(0, sorted_indices), sorted_lengths, True)");
    const bool lstm = o.cell() == "lstm";
    const torch::nn::Module &cell = child(r, lstm ? "lstm" : "gru");
    const std::int64_t dirs = o.bidirectional() ? 2 : 1;
    std::vector<std::string> weights;
    for (std::int64_t l = 0; l < o.layers(); ++l)
        for (std::int64_t d = 0; d < dirs; ++d) {
            const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
            for (const char *kind : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
                // Held by value: named_parameters() returns a temporary dictionary (a pointer
                // into it dangled; found by ASan on test_export).
                const auto parameters = cell.named_parameters(false);
                const torch::Tensor *t = parameters.find(kind + suffix);
                if (!t)
                    throw Refused{std::string("its RNN has no ") + kind + suffix};
                weights.push_back(e.tensor(std::string(lstm ? "lstm." : "gru.") + kind + suffix, *t, false));
            }
        }
    std::string list = "[";
    for (std::size_t i = 0; i < weights.size(); ++i)
        list += (i ? ", " : "") + weights[i];
    list += "]";
    const double dropout = o.layers() > 1 ? o.dropout() : 0.0;
    e.line("hx = torch.zeros([" + std::to_string(o.layers() * dirs) + ", " + steps + ".size(0), " + std::to_string(o.hidden()) + "], device=" +
           steps + ".device).to(" + steps + ".dtype)");
    const std::string tail = ", " + list + ", True, " + std::to_string(o.layers()) + ", " + num(dropout) + ", self.training, " +
                             (o.bidirectional() ? "True" : "False") + ")";
    if (lstm)
        e.line("out_data, hn, cn = torch.lstm(packed_data, batch_sizes, [hx, hx]" + tail);
    else
        e.line("out_data, hn = torch.gru(packed_data, batch_sizes, hx" + tail);
    if (o.output() == "last") {
        e.line("hn = hn.index_select(1, unsorted_indices)");
        std::vector<std::string> parts;
        for (std::int64_t d = 0; d < dirs; ++d)
            parts.push_back("hn[hn.size(0) - " + std::to_string(dirs - d) + "]");
        std::string cat = "torch.cat([";
        for (std::size_t i = 0; i < parts.size(); ++i)
            cat += (i ? ", " : "") + parts[i];
        return e.assign(cat + "], 1)");
    }
    e.line("padded, padded_lengths = torch._pad_packed_sequence(out_data, batch_sizes, True, 0.0, " + T + ")");
    const std::string seq = e.assign("padded.index_select(0, unsorted_indices)");
    if (o.output() == "mean")
        return maskedMean(e, seq, valid);
    return seq;
}

// The forward of one block; Refused when it has no translation.
std::pair<std::string, std::string> block(Emitter &e, const std::string &type, const BlockModule &m, std::size_t inputs)
{
    const std::string x = "xs[0]";
    if (type == "output")
        return {x, "masks[0]"};
    if (type == "input.image" || type == "input.text")
        return {x, "masks[0]"};
    if (type == "input.audio") {
        const auto &o = dynamic_cast<const InputImpl &>(m).options;
        std::string a = x;
        if (o.perUtterance()) {
            const std::string mean = e.assign(a + ".mean([1, 2], True)");
            const std::string sd = e.assign("(" + a + " - " + mean + ").pow(2).mean([1, 2], True).sqrt()");
            a = e.assign("(" + a + " - " + mean + ") / (" + sd + " + 1.0000000000000001e-05)");
        }
        return {e.assign(o.audioAsSequence() ? a + ".transpose(1, 2).contiguous()" : a + ".unsqueeze(1)"), "masks[0]"};
    }
    if (type == "encoder.cnn") {
        const auto &c = dynamic_cast<const CnnEncoderImpl &>(m);
        std::string y = e.layer(child(c, "features"), "features.", x);
        y = e.assign(c.options.flatten() ? y + ".flatten(1)" : y + ".mean([2, 3])");
        y = e.layer(child(c, "dropout"), "dropout.", y);
        if (hasChild(c, "projection"))
            y = e.layer(child(c, "projection"), "projection.", y);
        return {y, "masks[0]"};
    }
    if (type == "encoder.audio_cnn") {
        const auto &c = dynamic_cast<const AudioCnnEncoderImpl &>(m);
        std::string y = e.layer(child(c, "features"), "features.", x);
        y = e.assign("torch.max(" + y + ".mean(3), 2)[0]");
        return {e.layer(child(c, "dropout"), "dropout.", y), "masks[0]"};
    }
    if (type == "encoder.rnn")
        return {rnn(e, dynamic_cast<const RnnEncoderImpl &>(m), x), "masks[0]"};
    if (type == "head.classification" || type == "head.multilabel")
        return {e.layer(child(dynamic_cast<const ClassificationHeadImpl &>(m), "layers"), "layers.", x), "masks[0]"};
    if (type == "fusion.concat") {
        std::string cat = "torch.cat([";
        for (std::size_t i = 0; i < inputs; ++i)
            cat += (i ? ", " : "") + std::string("xs[") + std::to_string(i) + "] * masks[" + std::to_string(i) + "].unsqueeze(1)";
        return {e.assign(cat + "], 1)"), e.anyPresent(inputs)};
    }
    if (type == "fusion.attention") {
        const auto &a = dynamic_cast<const AttentionFusionImpl &>(m);
        const auto &proj = child(a, "projections");
        std::vector<std::string> p, masks;
        for (std::size_t i = 0; i < inputs; ++i) {
            p.push_back(e.layer(child(proj, std::to_string(i)), "projections." + std::to_string(i) + ".", "xs[" + std::to_string(i) + "]"));
            masks.push_back("masks[" + std::to_string(i) + "]");
        }
        const std::string P = e.stack(p, 1);
        const std::string ctx = e.assign("torch.tanh(" + e.layer(child(a, "context"), "context.", P) + ")");
        const std::string scores = e.assign(e.layer(child(a, "score"), "score.", ctx) + ".squeeze(2)");
        const std::string w = e.maskedSoftmax(scores, e.stack(masks, 1));
        return {e.assign("(" + P + " * " + w + ".unsqueeze(2)).sum(1)"), e.anyPresent(inputs)};
    }
    if (type == "fusion.gated") {
        const auto &g = dynamic_cast<const GatedFusionImpl &>(m);
        const auto &hidden = child(g, "hidden");
        std::vector<std::string> h, masks, xs;
        for (std::size_t i = 0; i < inputs; ++i) {
            const std::string xi = "xs[" + std::to_string(i) + "]";
            h.push_back(e.assign("torch.tanh(" + e.layer(child(hidden, std::to_string(i)), "hidden." + std::to_string(i) + ".", xi) + ")"));
            masks.push_back("masks[" + std::to_string(i) + "]");
            xs.push_back(xi);
        }
        const std::string H = e.stack(h, 1);
        const std::string mask = e.assign(e.stack(masks, 1) + ".unsqueeze(2)");
        std::string cat = "torch.cat([";
        for (std::size_t i = 0; i < xs.size(); ++i)
            cat += (i ? ", " : "") + xs[i];
        const std::string gl = e.layer(child(g, "gate"), "gate.", e.assign(cat + "], 1)"));
        std::string gates;
        if (inputs == 2) {
            const std::string z = e.assign("torch.sigmoid(" + gl + ")");
            gates = e.assign("torch.stack([" + z + ", 1 - " + z + "], 1) * " + mask);
            gates = e.assign(gates + " / " + gates + ".sum(1, True).clamp_min(9.9999999999999998e-13)");
        } else {
            const std::string logits = e.assign(gl + ".view([-1, " + std::to_string(inputs) + ", " + std::to_string(g.options.dim()) + "]).masked_fill(" +
                                                mask + " < 0.5, -1000000000.0)");
            gates = e.assign("torch.softmax(" + logits + ", 1) * (" + mask + ".sum(1, True) > 0).to(" + gl + ".dtype)");
        }
        return {e.assign("(" + gates + " * " + H + ").sum(1)"), e.anyPresent(inputs)};
    }
    if (type == "fusion.late") {
        const auto &l = dynamic_cast<const LateFusionImpl &>(m);
        const auto &cls = child(l, "classifiers");
        std::vector<std::string> logits, masks;
        for (std::size_t i = 0; i < inputs; ++i) {
            logits.push_back(e.layer(child(cls, std::to_string(i)), "classifiers." + std::to_string(i) + ".", "xs[" + std::to_string(i) + "]"));
            masks.push_back("masks[" + std::to_string(i) + "]");
        }
        const std::string stacked = e.stack(logits, 1), mask = e.stack(masks, 1);
        std::string scores;
        if (l.options.mode() == "learned") {
            const auto parameters = l.named_parameters(false);
            const torch::Tensor *s = parameters.find("scores");
            if (!s)
                throw Refused{"its learned combination has no scores"};
            scores = e.assign(e.tensor("scores", *s, false) + ".unsqueeze(0).expand_as(" + mask + ")");
        } else if (l.options.mode() == "weighted") {
            std::vector<float> w(l.options.weights().begin(), l.options.weights().end());
            const torch::Tensor logw = torch::log(torch::tensor(w).clamp_min(1e-12));
            scores = e.assign(e.tensor("log_weights", logw, true) + ".to(" + mask + ".device).unsqueeze(0).expand_as(" + mask + ")");
        } else {
            scores = e.assign("torch.zeros_like(" + mask + ")");
        }
        const std::string w = e.maskedSoftmax(scores, mask);
        return {e.assign("(" + stacked + " * " + w + ".unsqueeze(2)).sum(1)"), e.anyPresent(inputs)};
    }
    if (type == "encoder.conv1d") {
        const auto &c = dynamic_cast<const Conv1dEncoderImpl &>(m);
        const auto [valid, steps] = sequenceInput(e, child(c, "input"), x);
        const std::string mask = e.assign(valid + ".float().unsqueeze(1)");
        std::string h = e.assign(steps + ".transpose(1, 2) * " + mask);
        h = e.assign("(" + e.layer(child(c, "convs"), "convs.", h) + " * " + mask + ").transpose(1, 2)");
        if (c.options.output() == "max")
            return {maskedMax(e, h, valid), "masks[0]"};
        if (c.options.output() == "mean")
            return {maskedMean(e, h, valid), "masks[0]"};
        return {h, "masks[0]"};
    }
    if (type == "encoder.autoencoder") // the code; the decoder only trains (its reconstruction loss)
        return {e.layer(child(dynamic_cast<const AutoencoderEncoderImpl &>(m), "encoder"), "encoder.", e.assign(x + ".flatten(1)")), "masks[0]"};
    if (type == "fusion.autoencoder") {
        std::string cat = "torch.cat([";
        for (std::size_t i = 0; i < inputs; ++i)
            cat += (i ? ", " : "") + std::string("xs[") + std::to_string(i) + "] * masks[" + std::to_string(i) + "].unsqueeze(1)";
        const std::string joint = e.assign(cat + "], 1)");
        return {e.layer(child(dynamic_cast<const AutoencoderFusionImpl &>(m), "encoder"), "encoder.", joint), e.anyPresent(inputs)};
    }
    if (type == "fusion.tensor") {
        const auto &t = dynamic_cast<const TensorFusionImpl &>(m);
        std::string z;
        for (std::size_t i = 0; i < inputs; ++i) {
            std::string xi = "xs[" + std::to_string(i) + "]";
            if (hasChild(t, "projections"))
                xi = e.layer(child(child(t, "projections"), std::to_string(i)), "projections." + std::to_string(i) + ".", xi);
            const std::string v = withOne(e, e.assign(xi + " * masks[" + std::to_string(i) + "].unsqueeze(1)"));
            z = z.empty() ? v : e.assign("torch.bmm(" + z + ".unsqueeze(2), " + v + ".unsqueeze(1)).flatten(1)");
        }
        if (hasChild(t, "out"))
            z = e.assign("torch.relu(" + e.layer(child(t, "out"), "out.", z) + ")");
        return {z, e.anyPresent(inputs)};
    }
    if (type == "fusion.low_rank") {
        const auto &l = dynamic_cast<const LowRankFusionImpl &>(m);
        const auto params = l.named_parameters(false);
        std::string product;
        for (std::size_t i = 0; i < inputs; ++i) {
            const torch::Tensor *f = params.find("factor" + std::to_string(i));
            if (!f)
                throw Refused{"it has no factor" + std::to_string(i)};
            const std::string one = withOne(e, e.assign("xs[" + std::to_string(i) + "] * masks[" + std::to_string(i) + "].unsqueeze(1)"));
            const std::string fi = e.assign("torch.matmul(" + one + ", " + e.tensor("factor" + std::to_string(i), *f, false) + ")");
            product = product.empty() ? fi : e.assign(product + " * " + fi);
        }
        const std::string w = e.tensor("fusion_weights", *params.find("fusion_weights"), false);
        const std::string bias = e.tensor("bias", *params.find("bias"), false);
        return {e.assign("torch.matmul(" + w + ", " + product + ".permute([1, 0, 2])).squeeze(1) + " + bias), e.anyPresent(inputs)};
    }
    if (type == "fusion.cross_attention") {
        const auto &c = dynamic_cast<const CrossAttentionFusionImpl &>(m);
        const auto buffers = c.named_buffers(false);
        std::vector<std::string> h;
        for (std::size_t i = 0; i < inputs; ++i) {
            const std::string si = std::to_string(i);
            const std::string xi = e.assign("xs[" + si + "].unsqueeze(1) if xs[" + si + "].dim() == 2 else xs[" + si + "]");
            const std::string pos = e.tensor("positions" + si, *buffers.find("positions" + si), true);
            const std::string p = e.assign(e.layer(child(child(c, "projections"), si), "projections." + si + ".", xi) + " + " + pos + ".unsqueeze(0)");
            h.push_back(e.assign(p + ".transpose(0, 1)"));
        }
        std::vector<std::string> targets;
        for (std::size_t i = 0; i < inputs; ++i) {
            std::vector<std::string> from;
            for (std::size_t j = 0; j < inputs; ++j) {
                if (i == j)
                    continue;
                const std::string name = "cross_" + std::to_string(j) + "_to_" + std::to_string(i);
                const auto &attention = dynamic_cast<const torch::nn::MultiheadAttentionImpl &>(child(c, name + "_attention"));
                std::string y = multiheadAttention(e, attention, name + "_attention.", h[i], h[j]);
                y = e.layer(child(c, name + "_norm1"), name + "_norm1.", e.assign(h[i] + " + " + y));
                y = e.layer(child(c, name + "_norm2"), name + "_norm2.", e.assign(y + " + " + e.layer(child(c, name + "_ff"), name + "_ff.", y)));
                from.push_back(e.assign(y + ".mean(0) * (masks[" + std::to_string(i) + "] * masks[" + std::to_string(j) + "]).unsqueeze(1)"));
            }
            std::string cat = "torch.cat([";
            for (std::size_t k = 0; k < from.size(); ++k)
                cat += (k ? ", " : "") + from[k];
            targets.push_back(e.assign(cat + "], 1)"));
        }
        std::string cat = "torch.cat([";
        for (std::size_t k = 0; k < targets.size(); ++k)
            cat += (k ? ", " : "") + targets[k];
        return {e.assign(cat + "], 1)"), e.anyPresent(inputs)};
    }
    if (type == "encoder.mlp")
        return {e.layer(child(dynamic_cast<const MlpEncoderImpl &>(m), "layers"), "layers.", e.assign(x + ".flatten(1)")), "masks[0]"};
    if (type == "encoder.resnet") {
        const auto &r = dynamic_cast<const ResNetEncoderImpl &>(m);
        return {e.assign(e.layer(child(r, "net"), "net.", x) + ".mean([2, 3])"), "masks[0]"};
    }
    if (type == "encoder.transformer") {
        const auto &t = dynamic_cast<const TransformerEncoderImpl &>(m);
        auto [valid, h] = sequenceInput(e, child(t, "input"), x);
        if (hasChild(t, "projection"))
            h = e.layer(child(t, "projection"), "projection.", h);
        const auto params = t.named_parameters(false);
        const torch::Tensor *cls = params.find("cls");
        const std::int64_t D = t.options.dModel();
        if (cls) {
            h = e.assign("torch.cat([" + e.tensor("cls", *cls, false) + ".expand([" + h + ".size(0), 1, " + std::to_string(D) + "]), " + h + "], 1)");
            valid = e.assign("torch.cat([torch.ones([" + valid + ".size(0), 1], device=" + valid + ".device) > 0, " + valid + "], 1)");
        }
        const std::string pos = e.tensor("positions", *t.named_buffers(false).find("positions"), true);
        h = e.assign(h + " + " + pos + "[0:" + h + ".size(1)].unsqueeze(0)");
        const std::string padding = e.assign("torch.logical_and(torch.logical_not(" + valid + "), " + valid + ".any(1, True))");
        h = e.assign(h + ".transpose(0, 1)");
        const auto &encoder = child(t, "encoder");
        const auto &layers = child(encoder, "layers");
        for (const auto &item : layers.named_children()) {
            const auto *layer = dynamic_cast<const torch::nn::TransformerEncoderLayerImpl *>(item.value().get());
            if (!layer)
                throw Refused{"its encoder has a layer that is not a TransformerEncoderLayer"};
            const std::string pre = "encoder.layers." + item.key() + ".";
            bool relu = false, gelu = false;
            visit([&](const auto &v) {
                using V = std::decay_t<decltype(v)>;
                relu = std::is_same_v<V, torch::enumtype::kReLU>;
                gelu = std::is_same_v<V, torch::enumtype::kGELU>;
            }, layer->options.activation());
            if (!relu && !gelu)
                throw Refused{"its transformer layer has a custom activation"};
            const auto &attn = dynamic_cast<const torch::nn::MultiheadAttentionImpl &>(child(*layer, "self_attn"));
            const std::string a = e.layer(child(*layer, "dropout1"), pre + "dropout1.", multiheadAttention(e, attn, pre + "self_attn.", h, h, true, padding));
            const std::string r = e.layer(child(*layer, "norm1"), pre + "norm1.", e.assign(h + " + " + a));
            std::string f = e.layer(child(*layer, "linear1"), pre + "linear1.", r);
            f = e.assign(relu ? "torch.relu(" + f + ")" : (e.python() ? "nn.functional.gelu(" : "torch.gelu(") + f + ")");
            f = e.layer(child(*layer, "linear2"), pre + "linear2.", e.layer(child(*layer, "dropout"), pre + "dropout.", f));
            h = e.layer(child(*layer, "norm2"), pre + "norm2.", e.assign(r + " + " + e.layer(child(*layer, "dropout2"), pre + "dropout2.", f)));
        }
        if (hasChild(encoder, "norm"))
            h = e.layer(child(encoder, "norm"), "encoder.norm.", h);
        h = e.assign(h + ".transpose(0, 1)");
        if (t.options.pooling() == "cls")
            return {e.assign(h + ".select(1, 0)"), "masks[0]"};
        if (cls) {
            h = e.assign(h + "[:, 1:]");
            valid = e.assign(valid + "[:, 1:]");
        }
        if (t.options.pooling() == "mean")
            return {maskedMean(e, h, valid), "masks[0]"};
        return {h, "masks[0]"};
    }
    if (type == "fusion.film") { // xs[0] the modulated input, xs[1] the condition
        const auto &f = dynamic_cast<const FilmFusionImpl &>(m);
        const std::string c = "xs[1]", cm = e.assign("masks[1].unsqueeze(1)");
        std::string gamma = e.assign("1 + " + cm + " * " + e.layer(child(f, "gamma"), "gamma.", c));
        std::string beta = e.assign(cm + " * " + e.layer(child(f, "beta"), "beta.", c));
        e.line("if " + x + ".dim() == 4:");
        e.line("    " + gamma + " = " + gamma + ".view([" + x + ".size(0), -1, 1, 1])");
        e.line("    " + beta + " = " + beta + ".view([" + x + ".size(0), -1, 1, 1])");
        e.line("elif " + x + ".dim() == 3:");
        e.line("    " + gamma + " = " + gamma + ".unsqueeze(1)");
        e.line("    " + beta + " = " + beta + ".unsqueeze(1)");
        return {e.assign(gamma + " * " + x + " + " + beta), "masks[0]"};
    }
    if (type == "encoder.torchscript") {
        const auto &t = dynamic_cast<const TorchScriptEncoderImpl &>(m);
        e.module().register_module("ts", t.scriptModule());
        const bool ids = t.options.call() == "ids_mask";
        std::string mask;
        std::string r;
        if (ids) {
            const std::string id = e.assign(x + ".long()");
            mask = e.assign(id + ".ne(0).long()");
            r = e.assign("self.ts.forward(" + id + ", " + mask + ")");
        } else {
            r = e.assign("self.ts.forward(" + x + ")");
        }
        // The result's parts, by the module's declared return type.
        const c10::TypePtr ret = t.scriptModule().get_method("forward").function().getSchema().returns().at(0).type();
        std::string first = r, second;
        if (ret->kind() == c10::TypeKind::TupleType) {
            first = r + "[0]";
            if (ret->containedTypes().size() > 1)
                second = r + "[1]";
        } else if (ret->kind() == c10::TypeKind::DictType) {
            first = r + "[\"last_hidden_state\"]";
            second = r + "[\"pooler_output\"]";
        } else if (ret->kind() != c10::TypeKind::TensorType) {
            throw Refused{"its module returns " + ret->str() + ", not a tensor, tuple or dictionary"};
        }
        std::string y = e.assign(first);
        const std::string out = t.options.output();
        if (out == "pooled") {
            if (second.empty())
                throw Refused{"output \"pooled\" needs a second result"};
            y = e.assign(second);
        } else if (out == "mean") {
            const std::string w = ids ? e.assign(mask + ".to(" + y + ".dtype).unsqueeze(2)") : std::string();
            e.line("if " + y + ".dim() == 3:");
            e.line(ids ? "    " + y + " = (" + y + " * " + w + ").sum(1) / " + w + ".sum(1).clamp_min(1.0)" : "    " + y + " = " + y + ".mean(1)");
        } else if (out == "first") {
            e.line("if " + y + ".dim() == 3:");
            e.line("    " + y + " = " + y + ".select(1, 0)");
        }
        const std::string keep = e.assign("masks[0].view([-1, 1, 1]) if " + y + ".dim() == 3 else masks[0].view([-1, 1])");
        return {e.assign(y + " * " + keep), "masks[0]"};
    }
    throw Refused{"this exporter has no TorchScript translation of its type yet"};
}

template <std::size_t D>
std::string tuple(const torch::ExpandingArray<D> &a)
{
    std::string s = "(";
    for (std::size_t i = 0; i < D; ++i)
        s += std::to_string((*a)[i]) + (D == 1 || i + 1 < D ? ", " : "");
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s + ")";
}

std::string shapeArgs(const torch::Tensor &t)
{
    std::string s;
    for (std::int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return "[" + s + "]";
}

std::string pyDtype(const torch::Tensor &t)
{
    switch (t.scalar_type()) {
    case torch::kFloat: return "";
    case torch::kLong: return ", dtype=torch.int64";
    case torch::kInt: return ", dtype=torch.int32";
    case torch::kDouble: return ", dtype=torch.float64";
    case torch::kBool: return ", dtype=torch.bool";
    default: throw Refused{"it has a tensor of a type the PyTorch code export does not write"};
    }
}

bool isIdentifier(const std::string &s)
{
    return !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0])) &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// PyTorch's constructor of an equivalent module: the same layer with the same options, so
// that its state_dict names and forward are LibTorch's. Modules of FuseLab's own (residual
// blocks, sequence inputs, the transformer stack) become containers of their parts, which
// the generated forward calls one by one.
std::string ctor(const torch::nn::Module &m, const std::string &indent)
{
    const std::string in = indent + "    ";
    auto list = [&](const char *open, const char *close) {
        std::string s = open;
        for (const auto &c : m.named_children())
            s += "\n" + in + ctor(*c.value(), in) + ",";
        return s + "\n" + indent + close;
    };
    if (dynamic_cast<const torch::nn::SequentialImpl *>(&m))
        return list("nn.Sequential(", ")");
    if (dynamic_cast<const torch::nn::ModuleListImpl *>(&m))
        return list("nn.ModuleList([", "])");
    auto conv = [&](const char *type, const auto &o, const std::string &k, const std::string &stride, const std::string &dil, bool bias) {
        std::string pad;
        visit([&](const auto &v) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(v)>, torch::enumtype::kSame> && !std::is_same_v<std::decay_t<decltype(v)>, torch::enumtype::kValid>)
                pad = tuple(v);
        }, o.padding());
        if (pad.empty())
            throw Refused{"a convolution with 'same'/'valid' padding"};
        return std::string(type) + "(" + std::to_string(o.in_channels()) + ", " + std::to_string(o.out_channels()) + ", kernel_size=" + k +
               ", stride=" + stride + ", padding=" + pad + ", dilation=" + dil + ", groups=" + std::to_string(o.groups()) + ", bias=" + pyBool(bias) + ")";
    };
    if (const auto *c = dynamic_cast<const torch::nn::Conv2dImpl *>(&m))
        return conv("nn.Conv2d", c->options, tuple(c->options.kernel_size()), tuple(c->options.stride()), tuple(c->options.dilation()), c->bias.defined());
    if (const auto *c = dynamic_cast<const torch::nn::Conv1dImpl *>(&m))
        return conv("nn.Conv1d", c->options, tuple(c->options.kernel_size()), tuple(c->options.stride()), tuple(c->options.dilation()), c->bias.defined());
    auto bn = [&](const char *type, const auto &o) {
        return std::string(type) + "(" + std::to_string(o.num_features()) + ", eps=" + num(o.eps()) +
               ", momentum=" + (o.momentum() ? num(*o.momentum()) : "None") + ", affine=" + pyBool(o.affine()) +
               ", track_running_stats=" + pyBool(o.track_running_stats()) + ")";
    };
    if (const auto *b = dynamic_cast<const torch::nn::BatchNorm2dImpl *>(&m))
        return bn("nn.BatchNorm2d", b->options);
    if (const auto *b = dynamic_cast<const torch::nn::BatchNorm1dImpl *>(&m))
        return bn("nn.BatchNorm1d", b->options);
    if (const auto *n = dynamic_cast<const torch::nn::LayerNormImpl *>(&m))
        return "nn.LayerNorm(" + ints(n->options.normalized_shape()) + ", eps=" + num(n->options.eps()) + ", elementwise_affine=" +
               pyBool(n->options.elementwise_affine()) + ")";
    if (const auto *l = dynamic_cast<const torch::nn::LinearImpl *>(&m))
        return "nn.Linear(" + std::to_string(l->options.in_features()) + ", " + std::to_string(l->options.out_features()) + ", bias=" + pyBool(l->bias.defined()) + ")";
    if (dynamic_cast<const torch::nn::ReLUImpl *>(&m))
        return "nn.ReLU()";
    if (dynamic_cast<const torch::nn::TanhImpl *>(&m))
        return "nn.Tanh()";
    if (dynamic_cast<const torch::nn::SigmoidImpl *>(&m))
        return "nn.Sigmoid()";
    if (const auto *g = dynamic_cast<const torch::nn::GELUImpl *>(&m))
        return "nn.GELU(approximate=" + quoted(g->options.approximate()) + ")";
    if (const auto *d = dynamic_cast<const torch::nn::DropoutImpl *>(&m))
        return "nn.Dropout(" + num(d->options.p()) + ")";
    if (const auto *p = dynamic_cast<const torch::nn::MaxPool2dImpl *>(&m)) {
        const auto &o = p->options;
        return "nn.MaxPool2d(" + tuple(o.kernel_size()) + ", stride=" + tuple(o.stride()) + ", padding=" + tuple(o.padding()) + ", dilation=" +
               tuple(o.dilation()) + ", ceil_mode=" + pyBool(o.ceil_mode()) + ")";
    }
    if (const auto *p = dynamic_cast<const torch::nn::AvgPool2dImpl *>(&m)) {
        const auto &o = p->options;
        if (o.divisor_override())
            throw Refused{"average pooling with a divisor override"};
        return "nn.AvgPool2d(" + tuple(o.kernel_size()) + ", stride=" + tuple(o.stride()) + ", padding=" + tuple(o.padding()) + ", ceil_mode=" +
               pyBool(o.ceil_mode()) + ", count_include_pad=" + pyBool(o.count_include_pad()) + ")";
    }
    if (const auto *e = dynamic_cast<const torch::nn::EmbeddingImpl *>(&m)) {
        const auto &o = e->options;
        if (o.max_norm())
            throw Refused{"an embedding with max_norm"};
        return "nn.Embedding(" + std::to_string(o.num_embeddings()) + ", " + std::to_string(o.embedding_dim()) +
               (o.padding_idx() ? ", padding_idx=" + std::to_string(*o.padding_idx()) : std::string()) + ")";
    }
    if (const auto *a = dynamic_cast<const torch::nn::MultiheadAttentionImpl *>(&m)) {
        const auto &o = a->options;
        if (!a->_qkv_same_embed_dim || a->bias_k.defined() || o.add_zero_attn())
            throw Refused{"its attention has separate key/value sizes or extra key/value biases"};
        return "nn.MultiheadAttention(" + std::to_string(o.embed_dim()) + ", " + std::to_string(o.num_heads()) + ", dropout=" + num(o.dropout()) +
               ", bias=" + pyBool(a->in_proj_bias.defined()) + ")";
    }
    if (const auto *l = dynamic_cast<const torch::nn::TransformerEncoderLayerImpl *>(&m)) {
        const auto &o = l->options;
        std::string act;
        visit([&](const auto &v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, torch::enumtype::kReLU>)
                act = "relu";
            else if constexpr (std::is_same_v<V, torch::enumtype::kGELU>)
                act = "gelu";
        }, o.activation());
        if (act.empty())
            throw Refused{"its transformer layer has a custom activation"};
        const auto &norm = dynamic_cast<const torch::nn::LayerNormImpl &>(child(*l, "norm1"));
        return "nn.TransformerEncoderLayer(" + std::to_string(o.d_model()) + ", " + std::to_string(o.nhead()) + ", dim_feedforward=" +
               std::to_string(o.dim_feedforward()) + ", dropout=" + num(o.dropout()) + ", activation=" + (quoted)(act) + ", layer_norm_eps=" +
               num(norm.options.eps()) + ")";
    }
    auto rnn = [&](const char *type, const auto &o) {
        return std::string(type) + "(" + std::to_string(o.input_size()) + ", " + std::to_string(o.hidden_size()) + ", num_layers=" +
               std::to_string(o.num_layers()) + ", bias=" + pyBool(o.bias()) + ", batch_first=" + pyBool(o.batch_first()) + ", dropout=" +
               num(o.dropout()) + ", bidirectional=" + pyBool(o.bidirectional()) + ")";
    };
    if (const auto *g = dynamic_cast<const torch::nn::GRUImpl *>(&m))
        return rnn("nn.GRU", g->options);
    if (const auto *l = dynamic_cast<const torch::nn::LSTMImpl *>(&m)) {
        if (l->options.proj_size() > 0)
            throw Refused{"an LSTM with projections"};
        return rnn("nn.LSTM", l->options);
    }
    // FuseLab's own container modules: their parts, by name.
    if (!m.named_parameters(false).is_empty() || !m.named_buffers(false).is_empty())
        throw Refused{"its layer " + m.name() + " has no PyTorch translation yet"};
    std::string s = "parts({";
    for (const auto &c : m.named_children())
        s += "\n" + in + quoted(c.key()) + ": " + ctor(*c.value(), in) + ",";
    return s + (m.named_children().is_empty() ? "})" : "\n" + indent + "})");
}

std::string Emitter::pythonClass(const std::string &name, const std::string &doc, const std::string &out, const std::string &mask) const
{
    std::string src = "class " + name + "(nn.Module):\n    \"\"\"" + doc + "\"\"\"\n\n    def __init__(self):\n        super().__init__()\n";
    for (const auto &c : m_block->named_children()) {
        const std::string made = ctor(*c.value(), "        ");
        src += isIdentifier(c.key()) ? "        self." + c.key() + " = " + made + "\n" : "        self.add_module(" + quoted(c.key()) + ", " + made + ")\n";
    }
    for (const auto &p : m_block->named_parameters(false))
        src += "        self." + p.key() + " = nn.Parameter(torch.zeros(" + shapeArgs(p.value()) + pyDtype(p.value()) + "))\n";
    for (const auto &b : m_block->named_buffers(false))
        src += "        self.register_buffer(" + quoted(b.key()) + ", torch.zeros(" + shapeArgs(b.value()) + pyDtype(b.value()) + "))\n";
    for (const auto &[n, t] : m_constants) {
        std::string values;
        const torch::Tensor flat = t.reshape({-1});
        for (std::int64_t i = 0; i < flat.numel(); ++i)
            values += (i ? ", " : "") + num(flat[i].item<double>());
        src += "        self.register_buffer(" + quoted(n) + ", torch.tensor([" + values + "]).reshape(" + shapeArgs(t) + "), persistent=False)\n";
    }
    src += "\n    def forward(self, xs: List[Tensor], masks: List[Tensor]) -> Tuple[Tensor, Tensor]:\n";
    for (const auto &l : m_lines)
        src += l + "\n";
    return src + "        return " + out + ", " + mask + "\n";
}

// kPythonPreamble, kTrainPy: core/export/python/*.py, embedded at build time.


} // namespace

std::vector<std::string> torchScriptBlockTypes()
{
    return {"input.image",       "input.audio",         "input.text",          "encoder.cnn",       "encoder.audio_cnn",
            "encoder.rnn",       "encoder.conv1d",      "encoder.autoencoder", "encoder.mlp",       "encoder.resnet",
            "encoder.transformer", "encoder.torchscript", "fusion.concat",     "fusion.attention",  "fusion.gated",
            "fusion.late",       "fusion.tensor",       "fusion.low_rank",     "fusion.cross_attention", "fusion.film",
            "fusion.autoencoder", "head.classification", "head.multilabel",    "output"};
}

void saveTorchScript(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames,
                     const std::string &path)
{
    auto cu = std::make_shared<torch::jit::CompilationUnit>();
    torch::jit::Module root(c10::QualifiedName("__torch__.fuselab.FuseLabModel"), cu, true);
    root.register_attribute("training", c10::BoolType::get(), false);
    std::string forward = "def forward(self";
    for (std::size_t m = 0; m < inputNames.size(); ++m)
        forward += ", x" + std::to_string(m) + ": Tensor";
    forward += ", present: Tensor) -> Tensor:\n        p = present.float()\n";
    for (const FusionModelImpl::Step &s : model->steps()) {
        const GraphNode *n = model->graph().node(s.node);
        const std::string name = "node_" + ident(s.node);
        torch::jit::Module sub(c10::QualifiedName("__torch__.fuselab." + name), cu, true);
        sub.register_attribute("training", c10::BoolType::get(), false);
        std::string xs = "[", masks = "[";
        std::size_t count = 0;
        if (s.column >= 0) {
            xs += "x" + std::to_string(s.column);
            masks += "p.select(1, " + std::to_string(s.column) + ")";
            count = 1;
        } else {
            for (std::size_t port = 0; port < s.sources.size(); ++port) { // every port's edges, in port order
                for (const auto &[from, idx] : s.sources[port]) {
                    if (idx != 0)
                        throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported to TorchScript: %3"), n->displayName(), n->type,
                                            std::string("it reads a second output of another block")));
                    xs += std::string(count ? ", " : "") + "o_" + ident(from);
                    masks += std::string(count ? ", " : "") + "m_" + ident(from);
                    ++count;
                }
            }
        }
        xs += "]";
        masks += "]";
        try {
            Emitter e(sub);
            const auto [out, mask] = block(e, n->type, *s.module, count);
            e.define(out, mask);
        } catch (const Refused &r) {
            throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported to TorchScript: %3"), n->displayName(), n->type, r.why));
        } catch (const std::exception &x) { // c10::Error, torch::jit::ErrorReport
            throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported to TorchScript: %3"), n->displayName(), n->type,
                                std::string(x.what()).substr(0, 600)));
        }
        root.register_module(name, sub);
        forward += "        o_" + ident(s.node) + ", m_" + ident(s.node) + " = self." + name + ".forward(" + xs + ", " + masks + ")\n";
    }
    forward += "        return o_" + ident(model->analysis().outputNode) + "\n";
    std::string names = "def class_names(self) -> List[str]:\n        return [";
    for (std::size_t i = 0; i < classes.size(); ++i)
        names += (i ? ", " : "") + quoted(classes[i]);
    names += "]\n";
    std::string inputs = "def input_names(self) -> List[str]:\n        return [";
    for (std::size_t i = 0; i < inputNames.size(); ++i)
        inputs += (i ? ", " : "") + quoted(inputNames[i]);
    inputs += "]\n";
    try {
        root.define(forward);
        root.define(names);
        root.define(inputs);
    } catch (const std::exception &x) {
        throw Error(Message::plain("TorchScript export: the generated model does not compile: " + std::string(x.what()).substr(0, 600)));
    }
    root.eval();
    std::ostringstream bytes;
    root.save(bytes);
    writeFileAtomically(path, bytes.str());
}

std::string pythonModelSource(const FusionModel &model, const std::vector<std::string> &classes, const std::vector<std::string> &inputNames)
{
    std::string classesSrc, init, used, forward = "    def forward(self";
    for (std::size_t m = 0; m < inputNames.size(); ++m)
        forward += ", x" + std::to_string(m) + ": Tensor";
    forward += ", present: Tensor) -> Tensor:\n        \"\"\"Logits [batch, classes]; present [batch, inputs]: 1 where a sample has that input.\"\"\"\n"
               "        p = present.float()\n";
    for (const FusionModelImpl::Step &s : model->steps()) {
        const GraphNode *n = model->graph().node(s.node);
        const std::string attr = moduleName(s.node); // the state_dict's names
        const std::string cls = "Node_" + ident(s.node);
        const std::string ref = isIdentifier(attr) ? "self." + attr : "getattr(self, " + (quoted)(attr) + ")";
        init += isIdentifier(attr) ? "        self." + attr + " = " + cls + "()\n" : "        self.add_module(" + (quoted)(attr) + ", " + cls + "())\n";
        std::string xs = "[", masks = "[";
        std::size_t count = 0;
        if (s.column >= 0) {
            xs += "x" + std::to_string(s.column);
            masks += "p[:, " + std::to_string(s.column) + "]";
            used += (used.empty() ? "" : ", ") + std::to_string(s.column);
            count = 1;
        } else {
            for (const auto &port : s.sources)
                for (const auto &[from, idx] : port) {
                    if (idx != 0)
                        throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported as PyTorch code: %3"), n->displayName(), n->type,
                                            std::string("it reads a second output of another block")));
                    xs += std::string(count ? ", " : "") + "o_" + ident(from);
                    masks += std::string(count ? ", " : "") + "m_" + ident(from);
                    ++count;
                }
        }
        try {
            Emitter e(*s.module);
            const auto [out, mask] = block(e, n->type, *s.module, count);
            std::string doc = n->type + ": " + n->displayName();
            std::replace(doc.begin(), doc.end(), '"', '\'');
            std::replace(doc.begin(), doc.end(), '\\', '/');
            classesSrc += "\n\n" + e.pythonClass(cls, doc, out, mask);
        } catch (const Refused &r) {
            throw Error(Message(FL_TR("Export", "block %1 (%2) cannot be exported as PyTorch code: %3"), n->displayName(), n->type, r.why));
        }
        forward += "        o_" + ident(s.node) + ", m_" + ident(s.node) + " = " + ref + "(" + xs + "], " + masks + "])\n";
    }
    forward += "        return o_" + ident(model->analysis().outputNode) + "\n";
    std::string names = "[", inputs = "[";
    for (std::size_t i = 0; i < classes.size(); ++i)
        names += (i ? ", " : "") + quoted(classes[i]);
    for (std::size_t i = 0; i < inputNames.size(); ++i)
        inputs += (i ? ", " : "") + quoted(inputNames[i]);
    std::string src = kPythonPreamble + classesSrc.substr(1) + "\n\nclass FuseLabModel(nn.Module):\n"
                      "    \"\"\"The whole model: the blocks in the graph's order.\"\"\"\n\n"
                      "    class_names = " + names + "]\n    input_names = " + inputs + "]\n    multi_label = " + pyBool(model->multiLabel()) +
                      "\n    used_inputs = [" + used + "]  # the inputs the graph reads (others may be zeros)\n\n"
                      "    def __init__(self):\n        super().__init__()\n" + init + "\n" + forward +
                      "\n\ndef load_model(weights: str = os.path.join(HERE, \"model.safetensors\"), device: str = \"cpu\") -> FuseLabModel:\n"
                      "    \"\"\"The model with the exported (or any FuseLab-named) weights, in eval mode.\"\"\"\n"
                      "    model = FuseLabModel()\n"
                      "    state, _ = load_safetensors(weights)\n"
                      "    model.load_state_dict(state, strict=True)\n"
                      "    return model.to(device).eval()\n";
    return src;
}

} // namespace fuselab
