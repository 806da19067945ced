// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/FusionModel.h"

#include "core/model/blocks/InputBlock.h"

#include <functional>
#include <map>

namespace fuselab {

namespace {
std::string shapeString(const std::vector<std::int64_t> &dims)
{
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i)
        s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

} // namespace

std::string moduleName(const std::string &id)
{
    // register_module refuses dots and empty names.
    std::string s = "node_" + id;
    for (char &ch : s)
        if (ch == '.')
            ch = '_';
    return s;
}

FusionModelImpl::FusionModelImpl(const Graph &graph, const InferContext &context, const BlockRegistry &registry)
    : m_graph(graph), m_analysis(analyseGraph(graph, context, registry))
{
    if (!m_analysis.ok()) {
        std::string msg = "the model graph is not valid:";
        for (auto &p : m_analysis.problems)
            msg += "\n  " + p.toString();
        throw Error(msg);
    }
    m_multiLabel = context.multiLabel.value_or(false); // late fusion graphs have no head to say so
    for (const std::string &id : m_analysis.order) {
        const GraphNode *n = m_graph.node(id);
        const BlockType *t = registry.find(n->type);
        Step step;
        step.node = id;
        step.module = t->create(m_analysis.params.at(id), m_analysis.inputShapes.at(id), context);
        register_module(moduleName(id), step.module);
        if (t->category() == "input") {
            const std::string column = m_analysis.params.at(id).value("column", "");
            const std::string kind = n->type.substr(std::string("input.").size());
            for (std::size_t c = 0; c < context.modalities.size(); ++c)
                if (modalityName(context.modalities[c].kind) == kind && (column.empty() || context.modalities[c].name == column)) {
                    step.column = static_cast<int>(c);
                    break;
                }
        }
        for (const PortSpec &port : t->inputs()) {
            std::vector<std::pair<std::string, int>> sources;
            for (const GraphEdge *e : m_graph.edgesInto(id, port.name)) {
                const BlockType *from = registry.find(m_graph.node(e->from.node)->type);
                const auto outs = from->outputs();
                int idx = 0;
                for (std::size_t k = 0; k < outs.size(); ++k)
                    if (outs[k].name == e->from.port)
                        idx = static_cast<int>(k);
                sources.emplace_back(e->from.node, idx);
            }
            step.sources.push_back(std::move(sources));
        }
        const nlohmann::json &params = m_analysis.params.at(id);
        if (t->category() == "fusion" && params.contains("aux_weight") && params["aux_weight"].get<double>() > 0 && context.numClasses > 0
            && context.task != Task::Sequence) { // a text has no per-modality classifier
            step.auxWeight = params["aux_weight"].get<double>();
            const auto &shapes = m_analysis.inputShapes.at(id);
            int k = 0;
            for (const auto &port : shapes)
                for (const TensorShape &shape : port) {
                    // Vectors as they are; sequences [T, D] and images [C, H, W] pooled to D or C.
                    const std::int64_t features = shape.kind == PortKind::Image ? shape.dims[0] : shape.last();
                    step.auxHeads.push_back(register_module("aux_" + moduleName(id) + "_" + std::to_string(k++),
                                                            torch::nn::Linear(features, context.numClasses)));
                }
        }
        if (n->type == "head.multilabel")
            m_multiLabel = true;
        m_steps.push_back(std::move(step));
    }
}

std::vector<int> FusionModelImpl::sourceColumns(const Step &step, std::size_t port) const
{
    std::map<std::string, const Step *> byNode;
    for (const Step &s : m_steps)
        byNode[s.node] = &s;
    // -2: no column yet (a block with no inputs); -1: several.
    std::function<int(const std::string &)> columnOf = [&](const std::string &node) {
        const Step *s = byNode.at(node);
        if (s->column >= 0)
            return s->column;
        int c = -2;
        for (const auto &sources : s->sources)
            for (const auto &[from, index] : sources) {
                const int k = columnOf(from);
                c = c == -2 ? k : (c == k ? c : -1);
            }
        return c;
    };
    std::vector<int> out;
    if (port < step.sources.size())
        for (const auto &[from, index] : step.sources[port])
            out.push_back(std::max(-1, columnOf(from)));
    return out;
}

std::optional<BlockModule::RegressionOutput> FusionModelImpl::regression() const
{
    for (const Step &s : m_steps)
        if (auto r = s.module->regressionOutput())
            return r;
    return std::nullopt;
}

void FusionModelImpl::setTargetScale(double mean, double std)
{
    for (const Step &s : m_steps)
        s.module->setTargetScale(mean, std);
}

FusionModelImpl::Output FusionModelImpl::forward(const std::vector<torch::Tensor> &columns, const torch::Tensor &present,
                                                 std::map<std::string, std::vector<Value>> *trace)
{
    std::map<std::string, std::vector<Value>> values;
    const torch::Tensor presentF = present.to(torch::kFloat);
    Output out;
    out.auxLoss = torch::zeros({}, columns.empty() ? torch::TensorOptions() : columns[0].options().dtype(torch::kFloat));
    for (Step &s : m_steps) {
        std::vector<std::vector<Value>> inputs;
        if (s.column >= 0) {
            inputs.push_back({{columns.at(static_cast<std::size_t>(s.column)), presentF.select(1, s.column)}});
        } else {
            for (auto &port : s.sources) {
                std::vector<Value> vs;
                for (auto &[node, idx] : port)
                    vs.push_back(values.at(node).at(static_cast<std::size_t>(idx)));
                inputs.push_back(std::move(vs));
            }
        }
        if (!s.auxHeads.empty() && is_training()) {
            std::size_t k = 0;
            for (const auto &port : inputs)
                for (const Value &v : port) {
                    torch::Tensor x = v.x;
                    if (x.dim() == 3)
                        x = x.mean(1); // sequence [B, T, D]
                    else if (x.dim() == 4)
                        x = x.mean({2, 3}); // image [B, C, H, W]
                    out.auxLogits.push_back({s.node, s.auxHeads.at(k++)->forward(x), v.mask, s.auxWeight});
                }
        }
        values[s.node] = s.module->run(inputs);
        const torch::Tensor aux = s.module->auxiliaryLoss();
        if (aux.defined())
            out.auxLoss = out.auxLoss + aux;
    }
    out.logits = values.at(m_analysis.outputNode).at(0).x;
    if (trace)
        *trace = std::move(values);
    return out;
}

void FusionModelImpl::setChannelsLast(bool on)
{
    torch::NoGradGuard noGrad;
    const auto format = on ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    for (const auto &m : modules(/*include_self=*/false))
        if (auto *conv = m->as<torch::nn::Conv2dImpl>())
            conv->weight.set_data(conv->weight.contiguous(format));
}

std::vector<std::pair<std::string, torch::Tensor>> FusionModelImpl::inferenceState() const
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const Step &s : m_steps) {
        const std::string prefix = moduleName(s.node) + ".";
        for (const auto &p : s.module->named_parameters(true))
            out.emplace_back(prefix + p.key(), p.value());
        for (const auto &b : s.module->named_buffers(true))
            out.emplace_back(prefix + b.key(), b.value());
    }
    return out;
}

void FusionModelImpl::loadInferenceState(const std::vector<std::pair<std::string, torch::Tensor>> &state, const std::string &source)
{
    std::map<std::string, torch::Tensor> given(state.begin(), state.end());
    std::vector<std::string> missing, wrong;
    const auto mine = inferenceState();
    for (const auto &[name, t] : mine) {
        const auto it = given.find(name);
        if (it == given.end())
            missing.push_back(name);
        else if (it->second.sizes() != t.sizes())
            wrong.push_back(name + " " + shapeString(it->second.sizes().vec()) + " (the model has " + shapeString(t.sizes().vec()) + ")");
        if (it != given.end())
            given.erase(it);
    }
    if (!missing.empty() || !wrong.empty() || !given.empty()) {
        auto list = [](const std::vector<std::string> &v) {
            std::string s;
            for (std::size_t i = 0; i < v.size() && i < 5; ++i)
                s += (i ? ", " : "") + v[i];
            if (v.size() > 5)
                s += ", … (" + std::to_string(v.size()) + " in all)";
            return s;
        };
        std::vector<std::string> extra;
        for (const auto &g : given)
            extra.push_back(g.first);
        std::vector<std::string> parts;
        if (!missing.empty())
            parts.push_back("missing " + list(missing));
        if (!wrong.empty())
            parts.push_back("wrong shape " + list(wrong));
        if (!extra.empty())
            parts.push_back("not in this model " + list(extra));
        std::string why;
        for (const auto &p : parts)
            why += (why.empty() ? "" : "; ") + p;
        throw Error(Message(FL_TR("FusionModel", "%1 does not fit this model's graph: %2"), source, why));
    }
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> byName(state.begin(), state.end());
    for (const auto &[name, t] : mine)
        t.copy_(byName.at(name).to(t.device(), t.scalar_type()));
}

std::int64_t FusionModelImpl::parameterCount() const
{
    std::int64_t n = 0;
    for (const Step &s : m_steps)
        for (const auto &p : s.module->parameters())
            n += p.numel();
    return n;
}

std::int64_t FusionModelImpl::parameterCount(const std::string &node) const
{
    for (const Step &s : m_steps)
        if (s.node == node) {
            std::int64_t n = 0;
            for (const auto &p : s.module->parameters())
                n += p.numel();
            return n;
        }
    return 0;
}

} // namespace fuselab
