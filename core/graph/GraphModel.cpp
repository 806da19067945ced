// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/graph/GraphModel.h"


#include <algorithm>
#include <set>

namespace fuselab {

namespace {

bool accepts(const std::vector<PortKind> &kinds, PortKind k) { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); }

EditResult refused(Message reason)
{
    EditResult r;
    r.reason = std::move(reason);
    return r;
}

EditResult applied(GraphEdit inverse, std::string nodeId)
{
    EditResult r;
    r.ok = true;
    r.inverse = std::move(inverse);
    r.nodeId = std::move(nodeId);
    return r;
}

std::string trimmed(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

} // namespace

GraphModel::GraphModel(const BlockRegistry &registry, InferContext context, Graph graph)
    : m_registry(registry), m_graph(std::move(graph))
{
    setContext(std::move(context));
}

void GraphModel::reset(Graph graph)
{
    m_graph = std::move(graph);
    invalidate();
    notify({GraphChange::Kind::Reset, {}, {}, 0});
}

void GraphModel::setContext(InferContext context)
{
    m_context = std::move(context);
    invalidate();
    notify({GraphChange::Kind::Reset, {}, {}, 0});
}

const GraphAnalysis &GraphModel::analysis() const
{
    if (!m_analysisValid) {
        m_analysis = analyseGraph(m_graph, m_context, m_registry);
        m_analysisValid = true;
    }
    return m_analysis;
}

std::string GraphModel::newNodeId() const
{
    long long next = 1;
    for (auto &n : m_graph.nodes)
        if (n.id.size() > 1 && n.id[0] == 'n' && std::all_of(n.id.begin() + 1, n.id.end(), ::isdigit) && n.id.size() < 18)
            next = std::max(next, std::stoll(n.id.substr(1)) + 1);
    std::string id = "n" + std::to_string(next);
    while (m_graph.node(id))
        id = "n" + std::to_string(++next);
    return id;
}

EditResult GraphModel::addNode(const std::string &type, double x, double y, const std::string &name)
{
    const BlockType *t = m_registry.find(type);
    if (!t)
        return refused(Message(FL_TR("GraphModel", "there is no block type \"%1\""), type));
    GraphEdit e;
    e.kind = GraphEdit::Kind::InsertNode;
    e.node.id = newNodeId();
    e.node.type = type;
    e.node.x = x;
    e.node.y = y;
    std::string base = trimmed(name).empty() ? t->title() : trimmed(name);
    std::string unique = base;
    for (int k = 2; std::any_of(m_graph.nodes.begin(), m_graph.nodes.end(), [&](const GraphNode &n) { return n.displayName() == unique; }); ++k)
        unique = base + " " + std::to_string(k);
    e.node.name = unique;
    return apply(e);
}

EditResult GraphModel::removeNode(const std::string &id)
{
    GraphEdit e;
    e.kind = GraphEdit::Kind::RemoveNode;
    e.nodeId = id;
    return apply(e);
}

EditResult GraphModel::connect(const PortRef &from, const PortRef &to)
{
    EditResult check = canConnect(from, to);
    if (!check.ok)
        return check;
    GraphEdit e;
    e.kind = GraphEdit::Kind::InsertEdge;
    e.edge = {from, to};
    return apply(e);
}

EditResult GraphModel::disconnect(const PortRef &from, const PortRef &to)
{
    GraphEdit e;
    e.kind = GraphEdit::Kind::RemoveEdge;
    e.edge = {from, to};
    return apply(e);
}

EditResult GraphModel::setOption(const std::string &id, const std::string &option, const nlohmann::json &value)
{
    GraphEdit e;
    e.kind = GraphEdit::Kind::SetOption;
    e.nodeId = id;
    e.option = option;
    e.value = value;
    return apply(e);
}

EditResult GraphModel::resetOption(const std::string &id, const std::string &option)
{
    GraphEdit e;
    e.kind = GraphEdit::Kind::SetOption;
    e.nodeId = id;
    e.option = option;
    return apply(e);
}

EditResult GraphModel::move(const std::string &id, double x, double y)
{
    GraphEdit e;
    e.kind = GraphEdit::Kind::Move;
    e.nodeId = id;
    e.x = x;
    e.y = y;
    return apply(e);
}

EditResult GraphModel::rename(const std::string &id, const std::string &name)
{
    GraphEdit e;
    e.kind = GraphEdit::Kind::Rename;
    e.nodeId = id;
    e.name = name;
    return apply(e);
}

EditResult GraphModel::apply(const GraphEdit &edit)
{
    auto &nodes = m_graph.nodes;
    auto &edges = m_graph.edges;
    auto nodeIndex = [&](const std::string &id) -> std::size_t {
        for (std::size_t i = 0; i < nodes.size(); ++i)
            if (nodes[i].id == id)
                return i;
        return GraphEdit::npos;
    };
    auto noNode = [](const std::string &id) { return refused(Message(FL_TR("GraphModel", "there is no block %1"), id)); };

    switch (edit.kind) {
    case GraphEdit::Kind::InsertNode: {
        if (edit.node.id.empty())
            return refused(Message(FL_TR("GraphModel", "a block needs an id")));
        if (m_graph.node(edit.node.id))
            return refused(Message(FL_TR("GraphModel", "the id %1 is used by another block"), edit.node.id));
        for (auto &[index, edge] : edit.edges) {
            (void)index;
            for (const std::string &end : {edge.from.node, edge.to.node})
                if (end != edit.node.id && !m_graph.node(end))
                    return noNode(end);
        }
        const std::size_t at = std::min(edit.index, nodes.size());
        nodes.insert(nodes.begin() + static_cast<std::ptrdiff_t>(at), edit.node);
        invalidate();
        notify({GraphChange::Kind::NodeAdded, edit.node.id, {}, at});
        for (auto &[index, edge] : edit.edges) { // ascending indices restore the original order
            const std::size_t e = std::min(index, edges.size());
            edges.insert(edges.begin() + static_cast<std::ptrdiff_t>(e), edge);
            notify({GraphChange::Kind::EdgeAdded, {}, edge, e});
        }
        GraphEdit inverse;
        inverse.kind = GraphEdit::Kind::RemoveNode;
        inverse.nodeId = edit.node.id;
        return applied(inverse, edit.node.id);
    }
    case GraphEdit::Kind::RemoveNode: {
        const std::size_t at = nodeIndex(edit.nodeId);
        if (at == GraphEdit::npos)
            return noNode(edit.nodeId);
        GraphEdit inverse;
        inverse.kind = GraphEdit::Kind::InsertNode;
        inverse.node = nodes[at];
        inverse.index = at;
        for (std::size_t i = 0; i < edges.size(); ++i)
            if (edges[i].from.node == edit.nodeId || edges[i].to.node == edit.nodeId)
                inverse.edges.emplace_back(i, edges[i]);
        for (auto it = inverse.edges.rbegin(); it != inverse.edges.rend(); ++it) {
            edges.erase(edges.begin() + static_cast<std::ptrdiff_t>(it->first));
            invalidate();
            notify({GraphChange::Kind::EdgeRemoved, {}, it->second, it->first});
        }
        nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(at));
        invalidate();
        notify({GraphChange::Kind::NodeRemoved, edit.nodeId, {}, at});
        return applied(inverse, edit.nodeId);
    }
    case GraphEdit::Kind::InsertEdge: {
        // Structure only: connect() has already asked canConnect; an undo restores an edge
        // exactly as it was, even one that a loaded file held against the rules.
        for (const std::string &end : {edit.edge.from.node, edit.edge.to.node})
            if (!m_graph.node(end))
                return noNode(end);
        if (std::find(edges.begin(), edges.end(), edit.edge) != edges.end())
            return refused(Message(FL_TR("GraphModel", "%1 is already connected to %2"),
                                   m_graph.node(edit.edge.from.node)->displayName() + "." + edit.edge.from.port,
                                   m_graph.node(edit.edge.to.node)->displayName() + "." + edit.edge.to.port));
        const std::size_t at = std::min(edit.index, edges.size());
        edges.insert(edges.begin() + static_cast<std::ptrdiff_t>(at), edit.edge);
        invalidate();
        notify({GraphChange::Kind::EdgeAdded, {}, edit.edge, at});
        GraphEdit inverse;
        inverse.kind = GraphEdit::Kind::RemoveEdge;
        inverse.edge = edit.edge;
        return applied(inverse, edit.edge.to.node);
    }
    case GraphEdit::Kind::RemoveEdge: {
        const auto it = std::find(edges.begin(), edges.end(), edit.edge);
        if (it == edges.end())
            return refused(Message(FL_TR("GraphModel", "%1 is not connected to %2"), edit.edge.from.node + "." + edit.edge.from.port,
                                   edit.edge.to.node + "." + edit.edge.to.port));
        GraphEdit inverse;
        inverse.kind = GraphEdit::Kind::InsertEdge;
        inverse.edge = edit.edge;
        inverse.index = static_cast<std::size_t>(it - edges.begin());
        edges.erase(it);
        invalidate();
        notify({GraphChange::Kind::EdgeRemoved, {}, edit.edge, inverse.index});
        return applied(inverse, edit.edge.to.node);
    }
    case GraphEdit::Kind::SetOption: {
        GraphNode *n = m_graph.node(edit.nodeId);
        if (!n)
            return noNode(edit.nodeId);
        if (const BlockType *t = m_registry.find(n->type)) { // a block unknown to this build keeps its options as they are
            const auto specs = t->options();
            if (std::none_of(specs.begin(), specs.end(), [&](const OptionSpec &o) { return o.name == edit.option; }))
                return refused(Message(FL_TR("GraphModel", "%1 has no option \"%2\""), n->displayName(), edit.option));
            if (edit.value) {
                std::vector<BlockProblem> problems;
                t->resolveParams(nlohmann::json{{edit.option, *edit.value}}, problems);
                if (!problems.empty())
                    return refused(Message(FL_TR("GraphModel", "%1: %2 %3"), n->displayName(), edit.option, problems.front().text.str()));
            }
        }
        GraphEdit inverse = edit;
        inverse.value.reset();
        if (n->params.contains(edit.option))
            inverse.value = n->params[edit.option];
        if (edit.value)
            n->params[edit.option] = *edit.value;
        else
            n->params.erase(edit.option);
        invalidate();
        notify({GraphChange::Kind::NodeChanged, edit.nodeId, {}, 0});
        return applied(inverse, edit.nodeId);
    }
    case GraphEdit::Kind::Move: {
        GraphNode *n = m_graph.node(edit.nodeId);
        if (!n)
            return noNode(edit.nodeId);
        GraphEdit inverse = edit;
        inverse.x = n->x;
        inverse.y = n->y;
        n->x = edit.x;
        n->y = edit.y;
        notify({GraphChange::Kind::NodeChanged, edit.nodeId, {}, 0});
        return applied(inverse, edit.nodeId);
    }
    case GraphEdit::Kind::Rename: {
        GraphNode *n = m_graph.node(edit.nodeId);
        if (!n)
            return noNode(edit.nodeId);
        const std::string name = trimmed(edit.name);
        if (name.empty())
            return refused(Message(FL_TR("GraphModel", "a block's name cannot be empty")));
        for (auto &other : m_graph.nodes)
            if (other.id != edit.nodeId && other.displayName() == name)
                return refused(Message(FL_TR("GraphModel", "another block is already called \"%1\""), name));
        GraphEdit inverse = edit;
        inverse.name = n->name;
        n->name = name;
        notify({GraphChange::Kind::NodeChanged, edit.nodeId, {}, 0});
        return applied(inverse, edit.nodeId);
    }
    }
    return refused(Message(FL_TR("GraphModel", "unknown edit")));
}

std::optional<TensorShape> GraphModel::inferredShape(const PortRef &from) const
{
    const GraphNode *n = m_graph.node(from.node);
    const BlockType *t = n ? m_registry.find(n->type) : nullptr;
    if (!t)
        return std::nullopt;
    const auto &a = analysis();
    const auto it = a.outputShapes.find(from.node);
    const int idx = portIndex(t->outputs(), from.port);
    if (it == a.outputShapes.end() || idx < 0 || idx >= static_cast<int>(it->second.size()))
        return std::nullopt;
    return it->second[static_cast<std::size_t>(idx)];
}

std::string GraphModel::optionFixing(const GraphNode &from, const std::string &port, const std::vector<PortKind> &wanted) const
{
    const BlockType *t = m_registry.find(from.type);
    if (!t)
        return {};
    for (const OptionSpec &o : t->options()) {
        if (o.type != OptionSpec::Type::Choice)
            continue;
        std::string fixes;
        for (const std::string &choice : o.choices) {
            if (from.params.value(o.name, o.defaultValue) == nlohmann::json(choice))
                continue;
            Graph g = m_graph;
            g.node(from.id)->params[o.name] = choice;
            const GraphAnalysis a = analyseGraph(g, m_context, m_registry);
            const auto it = a.outputShapes.find(from.id);
            const int idx = portIndex(t->outputs(), port);
            if (it != a.outputShapes.end() && idx >= 0 && idx < static_cast<int>(it->second.size())
                && accepts(wanted, it->second[static_cast<std::size_t>(idx)].kind))
                fixes += (fixes.empty() ? "\"" : " or \"") + choice + "\"";
        }
        if (!fixes.empty())
            return Message(FL_TR("GraphModel", "set its %1 to %2"), o.name, fixes).str();
    }
    return {};
}

EditResult GraphModel::canConnect(const PortRef &from, const PortRef &to, bool replacing) const
{
    const GraphNode *a = m_graph.node(from.node), *b = m_graph.node(to.node);
    if (!a)
        return refused(Message(FL_TR("GraphModel", "there is no block %1"), from.node));
    if (!b)
        return refused(Message(FL_TR("GraphModel", "there is no block %1"), to.node));
    const BlockType *ta = m_registry.find(a->type), *tb = m_registry.find(b->type);
    if (!ta)
        return refused(Message(FL_TR("GraphModel", "%1 is a block this FuseLab does not know (%2)"), a->displayName(), a->type));
    if (!tb)
        return refused(Message(FL_TR("GraphModel", "%1 is a block this FuseLab does not know (%2)"), b->displayName(), b->type));
    const auto outs = ta->outputs();
    const auto ins = tb->inputs();
    const int oi = portIndex(outs, from.port), ii = portIndex(ins, to.port);
    if (oi < 0)
        return refused(Message(FL_TR("GraphModel", "%1 has no output \"%2\" (outputs: %3)"), a->displayName(), from.port, portNames(outs)));
    if (ii < 0)
        return refused(Message(FL_TR("GraphModel", "%1 has no input \"%2\" (inputs: %3)"), b->displayName(), to.port, portNames(ins)));
    if (a->id == b->id)
        return refused(Message(FL_TR("GraphModel", "a block cannot feed its own input")));
    const GraphEdge edge{from, to};
    if (std::find(m_graph.edges.begin(), m_graph.edges.end(), edge) != m_graph.edges.end())
        return refused(Message(FL_TR("GraphModel", "%1 is already connected to %2"), a->displayName() + "." + from.port,
                               b->displayName() + "." + to.port));
    const PortSpec &in = ins[static_cast<std::size_t>(ii)];
    if (!in.multiple && !replacing)
        for (auto &e : m_graph.edges)
            if (e.to == to) {
                const GraphNode *src = m_graph.node(e.from.node);
                return refused(Message(FL_TR("GraphModel", "%1 takes one connection and already has one from %2: disconnect that first"),
                                       b->displayName() + "." + to.port, src ? src->displayName() : e.from.node));
            }
    // A cycle: does `to`'s node already feed `from`'s?
    std::set<std::string> seen{b->id};
    std::vector<std::string> frontier{b->id};
    while (!frontier.empty()) {
        const std::string id = frontier.back();
        frontier.pop_back();
        if (id == a->id)
            return refused(Message(FL_TR("GraphModel", "connecting %1 to %2 would make a cycle: %2 already feeds %1"), a->displayName(),
                                   b->displayName()));
        for (auto &e : m_graph.edges)
            if (e.from.node == id && seen.insert(e.to.node).second)
                frontier.push_back(e.to.node);
    }
    // Kinds: what actually flows out of the port when it can be inferred, else what it may carry.
    if (const auto shape = inferredShape(from)) {
        if (!accepts(in.kinds, shape->kind)) {
            const std::string fix = optionFixing(*a, from.port, in.kinds);
            if (!fix.empty())
                return refused(Message(FL_TR("GraphModel", "%1 outputs %2; %3 needs %4: %5"), a->displayName(), shape->toString(),
                                       b->displayName(), kindNames(in.kinds), fix));
            return refused(Message(FL_TR("GraphModel", "%1 outputs %2; %3 needs %4"), a->displayName(), shape->toString(), b->displayName(),
                                   kindNames(in.kinds)));
        }
    } else {
        const auto &produces = outs[static_cast<std::size_t>(oi)].kinds;
        if (!produces.empty() && std::none_of(produces.begin(), produces.end(), [&](PortKind k) { return accepts(in.kinds, k); }))
            return refused(Message(FL_TR("GraphModel", "%1 outputs %2; %3 needs %4"), a->displayName(), kindNames(produces), b->displayName(),
                                   kindNames(in.kinds)));
    }
    EditResult ok;
    ok.ok = true;
    ok.nodeId = b->id;
    return ok;
}

std::vector<const BlockType *> GraphModel::typesAccepting(const PortRef &from) const
{
    std::vector<PortKind> kinds;
    if (const auto shape = inferredShape(from)) {
        kinds = {shape->kind};
    } else if (const GraphNode *n = m_graph.node(from.node)) {
        if (const BlockType *t = m_registry.find(n->type)) {
            const auto outs = t->outputs();
            const int oi = portIndex(outs, from.port);
            if (oi >= 0)
                kinds = outs[static_cast<std::size_t>(oi)].kinds;
        }
    }
    std::vector<const BlockType *> out;
    for (const BlockType *t : m_registry.all())
        for (const PortSpec &p : t->inputs())
            if (std::any_of(kinds.begin(), kinds.end(), [&](PortKind k) { return accepts(p.kinds, k); })) {
                out.push_back(t);
                break;
            }
    return out;
}

void GraphModel::addListener(GraphModelListener *listener)
{
    if (listener && std::find(m_listeners.begin(), m_listeners.end(), listener) == m_listeners.end())
        m_listeners.push_back(listener);
}

void GraphModel::removeListener(GraphModelListener *listener)
{
    m_listeners.erase(std::remove(m_listeners.begin(), m_listeners.end(), listener), m_listeners.end());
}

void GraphModel::notify(const GraphChange &change)
{
    const auto listeners = m_listeners; // a listener may remove itself
    for (GraphModelListener *l : listeners)
        l->graphChanged(change);
}

} // namespace fuselab
