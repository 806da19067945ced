// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/TextOps.h"

#include "core/export/PythonText.h"
#include "core/model/Lowering.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace fuselab::textops {

namespace {

using namespace pytext;
using lowering::child;
using lowering::Refused;
using lowering::Sym;


// One block's module: its weights and the lines of its forward. Values are expressions
// (mostly temporaries t0, t1, ...).
class TextOps final : public lowering::Ops {
public:
    // mod: the TorchScript module to fill; nullptr writes Python.
    TextOps(const torch::nn::Module &block, torch::jit::Module *mod, std::size_t inputs, std::vector<bool> inputSteps)
        : m_mod(mod), m_block(&block), m_inputs(inputs), m_inputSteps(std::move(inputSteps))
    {
    }

    bool python() const { return m_mod == nullptr; }
    void setInputCount(std::size_t n) { m_inputs = n; }

    std::size_t inputCount() const override { return m_inputs; }
    Sym input(std::size_t i) override { return expr("xs[" + std::to_string(i) + "]"); }
    Sym mask(std::size_t i) override { return expr("masks[" + std::to_string(i) + "]"); }
    Sym steps(std::size_t i) override
    {
        return i < m_inputSteps.size() && m_inputSteps[i] ? expr("steps[" + std::to_string(i) + "]") : Sym{};
    }
    bool takesSteps() const { return std::find(m_inputSteps.begin(), m_inputSteps.end(), true) != m_inputSteps.end(); }

    Sym weight(const std::string &path, const torch::Tensor &t) override
    {
        const auto buffers = m_block->named_buffers(true);
        return expr(tensor(path, t, buffers.find(path) != nullptr), static_cast<int>(t.dim()));
    }
    Sym constant(const std::string &name, const torch::Tensor &t) override
    {
        if (python()) {
            if (std::none_of(m_constants.begin(), m_constants.end(), [&](const auto &c) { return c.first == name; }))
                m_constants.emplace_back(name, t.detach().to(torch::kCPU).to(torch::kDouble).contiguous());
            return expr("self." + pyPath(name), static_cast<int>(t.dim()));
        }
        return expr(tensor(name, t, true), static_cast<int>(t.dim()));
    }
    Sym scalar(double v) override { return expr(num(v), 0); }

    Sym layer(const torch::nn::Module &m, const std::string &prefix, Sym xs) override
    {
        if (const auto *own = dynamic_cast<const lowering::LowersItself *>(&m))
            return own->lowerLayer(*this, prefix, xs);
        const std::string x = e(xs);
        if (python() && pytorchLayer(m)) { // PyTorch's own layer: the same computation
            if (dynamic_cast<const torch::nn::EmbeddingImpl *>(&m))
                return call(prefix, x + ".long()");
            return call(prefix, x);
        }
        if (const auto *s = dynamic_cast<const torch::nn::SequentialImpl *>(&m)) {
            Sym y = xs;
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
        if (dynamic_cast<const torch::nn::TanhImpl *>(&m))
            return assign("torch.tanh(" + x + ")");
        if (dynamic_cast<const torch::nn::SigmoidImpl *>(&m))
            return assign("torch.sigmoid(" + x + ")");
        if (const auto *p = dynamic_cast<const torch::nn::MaxPool2dImpl *>(&m)) {
            const auto &o = p->options;
            return assign("torch.max_pool2d(" + x + ", " + ints(o.kernel_size()) + ", " + ints(o.stride()) + ", " + ints(o.padding()) + ", " +
                          ints(o.dilation()) + ", " + pyBool(o.ceil_mode()) + ")");
        }
        if (const auto *p = dynamic_cast<const torch::nn::AvgPool2dImpl *>(&m)) {
            const auto &o = p->options;
            if (o.divisor_override())
                throw Refused{"average pooling with a divisor override"};
            return assign("torch.avg_pool2d(" + x + ", " + ints(o.kernel_size()) + ", " + ints(o.stride()) + ", " + ints(o.padding()) + ", " +
                          pyBool(o.ceil_mode()) + ", " + pyBool(o.count_include_pad()) + ", None)");
        }
        if (const auto *l = dynamic_cast<const torch::nn::LinearImpl *>(&m))
            return linear(*l, prefix, x);
        if (const auto *d = dynamic_cast<const torch::nn::DropoutImpl *>(&m))
            return assign("torch.dropout(" + x + ", " + num(d->options.p()) + ", self.training)");
        if (const auto *em = dynamic_cast<const torch::nn::EmbeddingImpl *>(&m)) {
            const auto &o = em->options;
            if (o.max_norm())
                throw Refused{"an embedding with max_norm"};
            return assign("torch.embedding(" + tensor(prefix + "weight", em->weight, false) + ", " + x + ".long(), " +
                          std::to_string(o.padding_idx() ? *o.padding_idx() : -1) + ", " + pyBool(o.scale_grad_by_freq()) + ", " +
                          pyBool(o.sparse()) + ")");
        }
        throw Refused{"its layer " + m.name() + " has no TorchScript translation yet"};
    }

    Sym add(Sym a, Sym b) override { return assign(e(a) + " + " + e(b)); }
    Sym sub(Sym a, Sym b) override { return assign(e(a) + " - " + e(b)); }
    Sym mul(Sym a, Sym b) override { return assign(e(a) + " * " + e(b)); }
    Sym div(Sym a, Sym b) override { return assign(e(a) + " / " + e(b)); }
    Sym relu(Sym x) override { return assign("torch.relu(" + e(x) + ")"); }
    Sym tanh(Sym x) override { return assign("torch.tanh(" + e(x) + ")"); }
    Sym sigmoid(Sym x) override { return assign("torch.sigmoid(" + e(x) + ")"); }
    Sym gelu(Sym x) override { return assign((python() ? "nn.functional.gelu(" : "torch.gelu(") + e(x) + ")"); }
    Sym sqrt(Sym x) override { return assign(e(x) + ".sqrt()"); }
    Sym square(Sym x) override { return assign(e(x) + ".pow(2)"); }
    Sym clampMin(Sym x, double v) override { return assign(e(x) + ".clamp_min(" + num(v) + ")"); }

    Sym flatten(Sym x) override { return assign(e(x) + ".flatten(1)"); }
    Sym reshape(Sym x, const std::vector<std::int64_t> &sizes) override { return assign(e(x) + ".reshape(" + ints(sizes) + ")"); }
    Sym unsqueeze(Sym x, std::int64_t d) override { return assign(e(x) + ".unsqueeze(" + std::to_string(d) + ")"); }
    Sym squeeze(Sym x, std::int64_t d) override { return assign(e(x) + ".squeeze(" + std::to_string(d) + ")"); }
    Sym transpose(Sym x, std::int64_t a, std::int64_t b) override
    {
        return assign(e(x) + ".transpose(" + std::to_string(a) + ", " + std::to_string(b) + ")");
    }
    Sym permute(Sym x, const std::vector<std::int64_t> &order) override { return assign(e(x) + ".permute(" + ints(order) + ")"); }
    Sym contiguous(Sym x) override { return assign(e(x) + ".contiguous()"); }
    Sym cat(const std::vector<Sym> &xs, std::int64_t d) override { return assign("torch.cat(" + list(es(xs)) + ", " + std::to_string(d) + ")"); }
    Sym stack(const std::vector<Sym> &xs, std::int64_t d) override { return assign("torch.stack(" + list(es(xs)) + ", " + std::to_string(d) + ")"); }
    Sym slice(Sym x, std::int64_t d, std::int64_t start, std::int64_t end) override
    {
        if (d < 0)
            throw Refused{"a slice along a dimension counted from the end"};
        std::string index;
        for (std::int64_t i = 0; i < d; ++i)
            index += ":, ";
        index += std::to_string(start) + ":" + (end == lowering::kToEnd ? std::string() : std::to_string(end));
        return assign(e(x) + "[" + index + "]");
    }
    Sym select(Sym x, std::int64_t d, std::int64_t i) override { return assign(e(x) + ".select(" + std::to_string(d) + ", " + std::to_string(i) + ")"); }
    Sym expandAs(Sym x, Sym like) override { return assign(e(x) + ".expand_as(" + e(like) + ")"); }
    Sym matmul(Sym a, Sym b) override { return assign("torch.matmul(" + e(a) + ", " + e(b) + ")"); }
    Sym mean(Sym x, const std::vector<std::int64_t> &dims, bool keep) override
    {
        return assign(e(x) + ".mean(" + ints(dims) + (keep ? ", True)" : ")"));
    }
    Sym sum(Sym x, const std::vector<std::int64_t> &dims, bool keep) override
    {
        return assign(e(x) + ".sum(" + ints(dims) + (keep ? ", True)" : ")"));
    }
    Sym amax(Sym x, std::int64_t d) override { return assign("torch.max(" + e(x) + ", " + std::to_string(d) + ")[0]"); }
    Sym softmax(Sym x, std::int64_t d) override { return assign("torch.softmax(" + e(x) + ", " + std::to_string(d) + ")"); }

    Sym globalAveragePool(Sym x) override { return assign(e(x) + ".mean([2, 3])"); }
    Sym anyPresent(const std::vector<Sym> &masks) override
    {
        Sym m = masks.at(0);
        for (std::size_t i = 1; i < masks.size(); ++i)
            m = assign("torch.maximum(" + e(m) + ", " + e(masks[i]) + ")");
        return m;
    }
    Sym maskedSoftmax(Sym scores, Sym mask) override
    {
        const std::string present = e(assign(e(mask) + " > 0.5"));
        const std::string filled = e(assign(e(scores) + ".masked_fill(torch.logical_not(" + present + "), -1000000000.0)"));
        return assign("torch.softmax(" + filled + ", 1) * " + present + ".any(1, True).to(" + e(scores) + ".dtype)");
    }
    Sym appendOne(Sym xs) override
    {
        const std::string x = e(xs);
        return assign("torch.cat([" + x + ", torch.ones([" + x + ".size(0), 1], device=" + x + ".device).to(" + x + ".dtype)], 1)");
    }
    Sym asSequence(Sym x) override { return assign(e(x) + ".unsqueeze(1) if " + e(x) + ".dim() == 2 else " + e(x)); }
    Sym perFeature(Sym v, Sym xs) override
    {
        const std::string x = e(xs);
        const Sym r = assign(e(v));
        line("if " + x + ".dim() == 4:");
        line("    " + e(r) + " = " + e(v) + ".view([" + x + ".size(0), -1, 1, 1])");
        line("elif " + x + ".dim() == 3:");
        line("    " + e(r) + " = " + e(v) + ".unsqueeze(1)");
        return r;
    }
    Sym repeatBatch(Sym t, Sym like) override
    {
        const int rank = m_ranks.at(static_cast<std::size_t>(t.id));
        if (rank < 1)
            throw Refused{"a batch repeat of a value of unknown shape"};
        std::string sizes = e(like) + ".size(0)";
        for (int i = 1; i < rank; ++i)
            sizes += ", -1";
        return assign(e(t) + ".expand([" + sizes + "])");
    }
    Sym leading(Sym table, Sym like, std::int64_t d) override { return assign(e(table) + "[0:" + e(like) + ".size(" + std::to_string(d) + ")]"); }

    Sym validFromIds(Sym ids) override { return assign(e(ids) + ".ne(0)"); }
    Sym validAll(Sym steps) override
    {
        const std::string x = e(steps);
        return assign("torch.ones([" + x + ".size(0), " + x + ".size(1)], device=" + x + ".device) > 0");
    }
    Sym validPrepend(Sym valid) override
    {
        const std::string v = e(valid);
        return assign("torch.cat([torch.ones([" + v + ".size(0), 1], device=" + v + ".device) > 0, " + v + "], 1)");
    }
    Sym validAsFloat(Sym valid) override { return assign(e(valid) + ".float()"); }
    Sym maskedMean(Sym seq, Sym valid) override
    {
        const std::string w = e(assign(e(valid) + ".to(" + e(seq) + ".dtype).unsqueeze(2)"));
        return assign("(" + e(seq) + " * " + w + ").sum(1) / " + w + ".sum(1).clamp_min(1.0)");
    }
    Sym maskedMax(Sym seq, Sym valid) override
    {
        const std::string filled = e(assign(e(seq) + ".masked_fill(torch.logical_not(" + e(valid) + ".unsqueeze(2)), float(\"-inf\"))"));
        const std::string m = e(assign("torch.max(" + filled + ", 1)[0]"));
        return assign("torch.where(torch.isinf(" + m + "), torch.zeros_like(" + m + "), " + m + ")");
    }
    Sym keyPadding(Sym valid) override
    {
        const std::string v = e(valid);
        return assign("torch.logical_and(torch.logical_not(" + v + "), " + v + ".any(1, True))");
    }

    Sym attention(const torch::nn::MultiheadAttentionImpl &a, const std::string &path, Sym query, Sym kv, Sym padding) override
    {
        const std::string q = e(transpose(query, 0, 1)), k = e(transpose(kv, 0, 1));
        return transpose(expr(multiheadAttention(a, path, q, k, false, padding.defined() ? e(padding) : std::string())), 0, 1);
    }

    Sym transformerLayers(const torch::nn::Module &layers, const std::string &path, Sym hb, Sym padding) override
    {
        std::string h = e(transpose(hb, 0, 1)); // sequence first, as LibTorch's layers run
        for (const auto &item : layers.named_children()) {
            const auto *l = dynamic_cast<const torch::nn::TransformerEncoderLayerImpl *>(item.value().get());
            if (!l)
                throw Refused{"its encoder has a layer that is not a TransformerEncoderLayer"};
            const std::string pre = path + item.key() + ".";
            const bool relu = activation(*l) == "relu";
            const auto &attn = dynamic_cast<const torch::nn::MultiheadAttentionImpl &>(child(*l, "self_attn"));
            const Sym a = layer(child(*l, "dropout1"), pre + "dropout1.", expr(multiheadAttention(attn, pre + "self_attn.", h, h, true, e(padding))));
            const Sym r = layer(child(*l, "norm1"), pre + "norm1.", assign(h + " + " + e(a)));
            Sym f = layer(child(*l, "linear1"), pre + "linear1.", r);
            f = relu ? this->relu(f) : gelu(f);
            f = layer(child(*l, "linear2"), pre + "linear2.", layer(child(*l, "dropout"), pre + "dropout.", f));
            h = e(layer(child(*l, "norm2"), pre + "norm2.", add(r, layer(child(*l, "dropout2"), pre + "dropout2.", f))));
        }
        return transpose(expr(h), 0, 1);
    }

    // An RNN over packed sequences exactly as LibTorch's pack_padded_sequence(enforce_sorted =
    // false) + GRU/LSTM::forward_with_packed_input + pad_packed_sequence compute it.
    Sym rnn(const torch::nn::Module &cell, const std::string &path, Sym stepsSym, Sym validSym, bool last) override
    {
        const auto *gru = dynamic_cast<const torch::nn::GRUImpl *>(&cell);
        const auto *lstmCell = dynamic_cast<const torch::nn::LSTMImpl *>(&cell);
        if (!gru && !lstmCell)
            throw Refused{"its recurrent layer is neither a GRU nor an LSTM"};
        const bool lstm = lstmCell != nullptr;
        const torch::nn::detail::RNNOptionsBase &o = lstm ? lstmCell->options_base : gru->options_base;
        if (o.proj_size() > 0)
            throw Refused{"an LSTM with projections"};
        const std::string steps = e(stepsSym), valid = e(validSym);
        const std::string T = e(assign(steps + ".size(1)"));
        const std::string name = path.substr(0, path.size() - 1);
        line("lengths = " + valid + ".sum(1).clamp_min(1).long().cpu()");
        if (python()) { // PyTorch's packed sequences, as FuseLab's forward uses them
            line("packed = nn.utils.rnn.pack_padded_sequence(" + steps + ", lengths, batch_first=True, enforce_sorted=False)");
            line(std::string(lstm ? "out, (hn, cn) = self." : "out, hn = self.") + pyPath(name) + "(packed)");
            if (last)
                return assign(o.bidirectional() ? "torch.cat([hn[-2], hn[-1]], 1)" : "hn[-1]");
            return assign("nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=" + T + ")[0]");
        }
        line("sorted_lengths, sorted_indices = torch.sort(lengths, -1, True)");
        line("sorted_indices = sorted_indices.to(" + steps + ".device)");
        line("unsorted_indices = torch.empty_like(sorted_indices).scatter_(0, sorted_indices, torch.arange(0, sorted_indices.numel(), "
             "device=sorted_indices.device))");
        line("packed_data, batch_sizes = torch._pack_padded_sequence(" + steps + ".index_select(0, sorted_indices), sorted_lengths, True)");
        const std::int64_t dirs = o.bidirectional() ? 2 : 1, layers = o.num_layers();
        std::vector<std::string> weights;
        for (std::int64_t l = 0; l < layers; ++l)
            for (std::int64_t d = 0; d < dirs; ++d) {
                const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
                for (const char *kind : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
                    weights.push_back(tensor(path + kind + suffix, lowering::ownTensor(cell, kind + suffix), false));
            }
        const double dropout = layers > 1 ? o.dropout() : 0.0;
        line("hx = torch.zeros([" + std::to_string(layers * dirs) + ", " + steps + ".size(0), " + std::to_string(o.hidden_size()) + "], device=" +
             steps + ".device).to(" + steps + ".dtype)");
        const std::string tail = ", " + list(weights) + ", True, " + std::to_string(layers) + ", " + num(dropout) + ", self.training, " +
                                 pyBool(o.bidirectional()) + ")";
        if (lstm)
            line("out_data, hn, cn = torch.lstm(packed_data, batch_sizes, [hx, hx]" + tail);
        else
            line("out_data, hn = torch.gru(packed_data, batch_sizes, hx" + tail);
        if (last) {
            line("hn = hn.index_select(1, unsorted_indices)");
            std::vector<std::string> parts;
            for (std::int64_t d = 0; d < dirs; ++d)
                parts.push_back("hn[hn.size(0) - " + std::to_string(dirs - d) + "]");
            return assign("torch.cat(" + list(parts) + ", 1)");
        }
        line("padded, padded_lengths = torch._pad_packed_sequence(out_data, batch_sizes, True, 0.0, " + T + ")");
        return assign("padded.index_select(0, unsorted_indices)");
    }

    Sym scriptEncoder(const torch::jit::Module &m, const std::string &path, bool ids, const std::string &out, Sym xs, Sym present) override
    {
        if (python())
            throw Refused{"it runs a TorchScript module, which the PyTorch code export cannot write as Python (export TorchScript instead)"};
        const std::string name = path.substr(0, path.size() - 1), x = e(xs);
        m_mod->register_module(name, m);
        std::string mask, r;
        if (ids) {
            const std::string id = e(assign(x + ".long()"));
            mask = e(assign(id + ".ne(0).long()"));
            r = e(assign("self." + name + ".forward(" + id + ", " + mask + ")"));
        } else {
            r = e(assign("self." + name + ".forward(" + x + ")"));
        }
        // The result's parts, by the module's declared return type.
        const c10::TypePtr ret = m.get_method("forward").function().getSchema().returns().at(0).type();
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
        std::string y = e(assign(first));
        if (out == "pooled") {
            if (second.empty())
                throw Refused{"output \"pooled\" needs a second result"};
            y = e(assign(second));
        } else if (out == "mean") {
            const std::string w = ids ? e(assign(mask + ".to(" + y + ".dtype).unsqueeze(2)")) : std::string();
            line("if " + y + ".dim() == 3:");
            line(ids ? "    " + y + " = (" + y + " * " + w + ").sum(1) / " + w + ".sum(1).clamp_min(1.0)" : "    " + y + " = " + y + ".mean(1)");
        } else if (out == "first") {
            line("if " + y + ".dim() == 3:");
            line("    " + y + " = " + y + ".select(1, 0)");
        }
        const std::string p = e(present);
        const std::string keep = e(assign(p + ".view([-1, 1, 1]) if " + y + ".dim() == 3 else " + p + ".view([-1, 1])"));
        return assign(y + " * " + keep);
    }

    Sym recurrentCell(const torch::nn::Module &m, const std::string &prefix, Sym xs, Sym hs, Sym *c) override
    {
        const auto *gru = dynamic_cast<const torch::nn::GRUCellImpl *>(&m);
        const auto *lstm = dynamic_cast<const torch::nn::LSTMCellImpl *>(&m);
        if ((!gru && !lstm) || (lstm != nullptr) != (c != nullptr))
            throw Refused{"its recurrent cell is neither a GRUCell nor an LSTMCell"};
        const std::string x = e(xs), h = e(hs);
        if (python()) { // PyTorch's own cells
            if (gru)
                return call(prefix, x + ", " + h);
            const std::string r = e(call(prefix, x + ", (" + h + ", " + e(*c) + ")"));
            *c = assign(r + "[1]");
            return assign(r + "[0]");
        }
        const auto weights = [&](const torch::Tensor &wi, const torch::Tensor &wh, const torch::Tensor &bi, const torch::Tensor &bh) {
            return tensor(prefix + "weight_ih", wi, false) + ", " + tensor(prefix + "weight_hh", wh, false) + ", " +
                   optionalTensor(prefix + "bias_ih", bi) + ", " + optionalTensor(prefix + "bias_hh", bh);
        };
        if (gru)
            return assign("torch.gru_cell(" + x + ", " + h + ", " + weights(gru->weight_ih, gru->weight_hh, gru->bias_ih, gru->bias_hh) + ")");
        const std::string r =
            e(assign("torch.lstm_cell(" + x + ", [" + h + ", " + e(*c) + "], " + weights(lstm->weight_ih, lstm->weight_hh, lstm->bias_ih, lstm->bias_hh) + ")"));
        *c = assign(r + "[1]");
        return assign(r + "[0]");
    }

    // The Python class of the block: __init__ builds its layers as PyTorch's (names as
    // FuseLab's), declares its own parameters and buffers and the translation's constants;
    // then its methods (sources from forwardSource and listSource).
    std::string pythonClass(const std::string &name, const std::string &doc, const std::vector<std::string> &methods) const;

    // The block's forward, from the lines written so far (which it takes): (output, mask) and,
    // for a sequence with real steps marked, those steps too.
    std::string forwardSource(const lowering::Lowered &out)
    {
        std::string src = std::string("def forward(self, xs: List[Tensor], masks: List[Tensor]") + (takesSteps() ? ", steps: List[Tensor]" : "") +
                          ") -> " + (out.steps.defined() ? "Tuple[Tensor, Tensor, Tensor]" : "Tuple[Tensor, Tensor]") + ":\n" + takeLines();
        return src + "        return " + e(out.out) + ", " + e(out.mask) + (out.steps.defined() ? ", " + e(out.steps) : std::string()) + "\n";
    }
    // A method `name` of the lines written so far: xs: List[Tensor] in, a list of tensors out.
    std::string listSource(const std::string &name, const std::vector<Sym> &outs)
    {
        std::string src = "def " + name + "(self, xs: List[Tensor]) -> List[Tensor]:\n" + takeLines();
        std::string items;
        for (Sym o : outs)
            items += (items.empty() ? "" : ", ") + e(o);
        return src + "        return [" + items + "]\n";
    }
    void define(const std::string &src) { m_mod->define(src); }

private:
    std::string takeLines()
    {
        std::string src;
        for (const auto &l : m_lines)
            src += l + "\n";
        m_lines.clear();
        return src;
    }
    std::string e(Sym s) const
    {
        if (!s.defined() || static_cast<std::size_t>(s.id) >= m_exprs.size())
            throw Refused{"a value the translation did not define"};
        return m_exprs[static_cast<std::size_t>(s.id)];
    }
    std::vector<std::string> es(const std::vector<Sym> &v) const
    {
        std::vector<std::string> out;
        for (Sym s : v)
            out.push_back(e(s));
        return out;
    }
    Sym expr(const std::string &text, int rank = -1)
    {
        m_exprs.push_back(text);
        m_ranks.push_back(rank);
        return {static_cast<int>(m_exprs.size()) - 1};
    }
    void line(const std::string &s) { m_lines.push_back("        " + s); }
    Sym assign(const std::string &value)
    {
        const std::string v = "t" + std::to_string(m_tmp++);
        line(v + " = " + value);
        return expr(v);
    }
    Sym call(const std::string &path, const std::string &args) { return assign("self." + pyPath(path) + "(" + args + ")"); }

    // A tensor of the block's (Python: declared with it) or, in TorchScript, registered on
    // the module under a flat name.
    std::string tensor(const std::string &name, const torch::Tensor &t, bool buffer)
    {
        if (python()) {
            const bool own = m_block->named_parameters(true).find(name) || m_block->named_buffers(true).find(name);
            if (!own)
                return e(constant(name, t));
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

    // Conv1d/Conv2d with explicit zero padding (the only kind FuseLab's blocks make).
    template <std::size_t D, typename Conv>
    Sym conv(const torch::nn::ConvNdImpl<D, Conv> &c, const char *op, const std::string &prefix, const std::string &x)
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

    Sym linear(const torch::nn::LinearImpl &l, const std::string &prefix, const std::string &x)
    {
        return assign("torch.linear(" + x + ", " + tensor(prefix + "weight", l.weight, false) + ", " + optionalTensor(prefix + "bias", l.bias) + ")");
    }

    template <typename BN>
    Sym batchNorm(const BN &bn, const std::string &prefix, const std::string &x)
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

    static std::string activation(const torch::nn::TransformerEncoderLayerImpl &l) { return lowering::transformerActivation(l.options); }

    // torch::nn::MultiheadAttention's forward (LibTorch's multi_head_attention_forward, key ==
    // value, no masks, no extra biases) on [T, B, D] sequences; returns the attention output.
    std::string multiheadAttention(const torch::nn::MultiheadAttentionImpl &a, const std::string &prefix, const std::string &query,
                                   const std::string &kv, bool self, const std::string &keyPadding)
    {
        const auto &o = a.options;
        if (!a._qkv_same_embed_dim || a.bias_k.defined() || o.add_zero_attn())
            throw Refused{"its attention has separate key/value sizes or extra key/value biases"};
        if (python()) // PyTorch's MultiheadAttention is LibTorch's (sequence first, key == value)
            return e(assign(e(call(prefix, query + ", " + kv + ", " + kv + (keyPadding.empty() ? "" : ", key_padding_mask=" + keyPadding) +
                                   ", need_weights=False")) + "[0]"));
        const std::int64_t D = o.embed_dim(), H = o.num_heads(), hd = D / H;
        const std::string W = tensor(prefix + "in_proj_weight", a.in_proj_weight, false);
        const std::string b = a.in_proj_bias.defined() ? tensor(prefix + "in_proj_bias", a.in_proj_bias, false) : "None";
        const std::string d = std::to_string(D);
        std::string q0, k0, v0;
        if (self) { // query, key and value the same: one projection, in three (LibTorch's first path)
            const std::string qkv = e(assign("torch.linear(" + query + ", " + W + ", " + b + ").chunk(3, -1)"));
            q0 = qkv + "[0]", k0 = qkv + "[1]", v0 = qkv + "[2]";
        } else {
            q0 = e(assign("torch.linear(" + query + ", " + W + "[0:" + d + "], " + (b == "None" ? b : b + "[0:" + d + "]") + ")"));
            const std::string kvp = e(assign("torch.linear(" + kv + ", " + W + "[" + d + ":], " + (b == "None" ? b : b + "[" + d + ":]") + ").chunk(2, -1)"));
            k0 = kvp + "[0]", v0 = kvp + "[1]";
        }
        const std::string q = e(assign(q0 + " * " + num(1.0 / std::sqrt(static_cast<double>(hd)))));
        const std::string tgt = e(assign(query + ".size(0)")), bsz = e(assign(query + ".size(1)"));
        const std::string bh = e(assign(bsz + " * " + std::to_string(H)));
        const std::string qh = e(assign(q + ".contiguous().view([" + tgt + ", " + bh + ", " + std::to_string(hd) + "]).transpose(0, 1)"));
        const std::string kh = e(assign(k0 + ".contiguous().view([-1, " + bh + ", " + std::to_string(hd) + "]).transpose(0, 1)"));
        const std::string vh = e(assign(v0 + ".contiguous().view([-1, " + bh + ", " + std::to_string(hd) + "]).transpose(0, 1)"));
        std::string scores = e(assign("torch.bmm(" + qh + ", " + kh + ".transpose(1, 2))"));
        if (!keyPadding.empty()) { // [B, S] true = ignore that key
            const std::string src = e(assign(kh + ".size(1)"));
            scores = e(assign(scores + ".view([" + bsz + ", " + std::to_string(H) + ", " + tgt + ", " + src + "]).masked_fill(" + keyPadding +
                              ".unsqueeze(1).unsqueeze(2), float(\"-inf\")).view([" + bh + ", " + tgt + ", " + src + "])"));
        }
        std::string w = e(assign("torch.softmax(" + scores + ", -1)"));
        w = e(assign("torch.dropout(" + w + ", " + num(o.dropout()) + ", self.training)"));
        const std::string out = e(assign("torch.bmm(" + w + ", " + vh + ").transpose(0, 1).contiguous().view([" + tgt + ", " + bsz + ", " + d + "])"));
        return e(linear(*a.out_proj, prefix + "out_proj.", out));
    }

    torch::jit::Module *m_mod = nullptr;
    const torch::nn::Module *m_block = nullptr;
    std::size_t m_inputs = 0;
    std::vector<bool> m_inputSteps;
    std::vector<std::string> m_exprs;
    std::vector<int> m_ranks;
    std::vector<std::string> m_lines;
    std::vector<std::pair<std::string, torch::Tensor>> m_constants;
    int m_tmp = 0;
};

std::string TextOps::pythonClass(const std::string &name, const std::string &doc, const std::vector<std::string> &methods) const
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
    for (const std::string &m : methods)
        src += "\n    " + m; // the def line indented into the class; the body already is
    return src;
}

// The block's methods: forward, and for a decoder start and step (Lowering.h).
std::vector<std::string> methodsOf(const BlockModule &block, TextOps &ops, bool *outputSteps)
{
    const lowering::Lowered out = block.lower(ops);
    if (outputSteps)
        *outputSteps = out.steps.defined();
    std::vector<std::string> methods = {ops.forwardSource(out)};
    if (const auto *d = dynamic_cast<const lowering::DecodesStepwise *>(&block)) {
        ops.setInputCount(2);
        methods.push_back(ops.listSource("start", d->lowerStart(ops)));
        ops.setInputCount(3 + d->stateCount());
        methods.push_back(ops.listSource("step", d->lowerStep(ops)));
    }
    return methods;
}

} // namespace

bool defineTorchScript(const BlockModule &block, std::size_t inputs, const std::vector<bool> &inputSteps, torch::jit::Module &mod)
{
    TextOps ops(block, &mod, inputs, inputSteps);
    bool steps = false;
    for (const std::string &m : methodsOf(block, ops, &steps))
        ops.define(m);
    return steps;
}

std::string pythonClass(const BlockModule &block, std::size_t inputs, const std::vector<bool> &inputSteps, const std::string &name,
                        const std::string &doc, bool *outputSteps)
{
    TextOps ops(block, nullptr, inputs, inputSteps);
    return ops.pythonClass(name, doc, methodsOf(block, ops, outputSteps));
}

} // namespace fuselab::textops
