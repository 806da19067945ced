// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/PythonText.h"

#include "core/model/Lowering.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace fuselab::pytext {

using lowering::child;
using lowering::Refused;

std::string ident(const std::string &s)
{
    std::string out;
    for (char c : s)
        out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
        out = "_" + out;
    return out;
}

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

bool pytorchLayer(const torch::nn::Module &m) { return ctor(m, "").find("parts(") == std::string::npos; }

std::string list(const std::vector<std::string> &v)
{
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + v[i];
    return s + "]";
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
        const std::string act = lowering::transformerActivation(o);
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
    auto cell = [&](const char *type, const auto &o) {
        return std::string(type) + "(" + std::to_string(o.input_size()) + ", " + std::to_string(o.hidden_size()) + ", bias=" + pyBool(o.bias()) + ")";
    };
    if (const auto *g = dynamic_cast<const torch::nn::GRUCellImpl *>(&m))
        return cell("nn.GRUCell", g->options);
    if (const auto *l = dynamic_cast<const torch::nn::LSTMCellImpl *>(&m))
        return cell("nn.LSTMCell", l->options);
    // FuseLab's own container modules: their parts, by name.
    if (!m.named_parameters(false).is_empty() || !m.named_buffers(false).is_empty())
        throw Refused{"its layer " + m.name() + " has no PyTorch translation yet"};
    std::string s = "parts({";
    for (const auto &c : m.named_children())
        s += "\n" + in + quoted(c.key()) + ": " + ctor(*c.value(), in) + ",";
    return s + (m.named_children().is_empty() ? "})" : "\n" + indent + "})");
}

} // namespace fuselab::pytext
