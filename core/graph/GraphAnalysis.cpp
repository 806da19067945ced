// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/graph/GraphAnalysis.h"

#include <algorithm>
#include <set>

namespace fuselab {

std::string GraphProblem::toString() const
{
    std::string s = node.empty() ? std::string("graph") : node;
    if (!port.empty())
        s += "." + port;
    return s + ": " + message;
}


const TensorShape *GraphAnalysis::edgeShape(const GraphEdge &edge, const Graph &graph, const BlockRegistry &registry) const
{
    const GraphNode *from = graph.node(edge.from.node);
    if (!from)
        return nullptr;
    const BlockType *t = registry.find(from->type);
    auto it = outputShapes.find(edge.from.node);
    if (!t || it == outputShapes.end())
        return nullptr;
    const int idx = portIndex(t->outputs(), edge.from.port);
    if (idx < 0 || idx >= static_cast<int>(it->second.size()))
        return nullptr;
    return &it->second[static_cast<std::size_t>(idx)];
}

GraphAnalysis analyseGraph(const Graph &g, const InferContext &context, const BlockRegistry &registry)
{
    GraphAnalysis a;
    auto problem = [&](const std::string &node, const std::string &port, Message msg) {
        a.problems.push_back({node, port, msg.str(), std::move(msg)});
    };

    std::map<std::string, const BlockType *> types;
    for (const GraphNode &n : g.nodes) {
        const BlockType *t = registry.find(n.type);
        if (!t) {
            problem(n.id, "", Message(FL_TR("GraphAnalysis", "unknown block type \"%1\""), n.type));
            continue;
        }
        types[n.id] = t;
        std::vector<BlockProblem> bp;
        a.params[n.id] = t->resolveParams(n.params, bp);
        for (auto &p : bp)
            problem(n.id, p.where, p.text);
    }

    // Edges: endpoints must exist; a single-input port takes one edge.
    std::vector<const GraphEdge *> valid;
    std::set<std::pair<std::string, std::string>> seenTargets;
    for (const GraphEdge &e : g.edges) {
        bool ok = true;
        const GraphNode *from = g.node(e.from.node), *to = g.node(e.to.node);
        if (!from) {
            problem(e.from.node, "", Message(FL_TR("GraphAnalysis", "edge from a node that does not exist")));
            ok = false;
        } else if (types.count(from->id) && portIndex(types[from->id]->outputs(), e.from.port) < 0) {
            problem(e.from.node, e.from.port,
                    Message(FL_TR("GraphAnalysis", "no such output port (outputs: %1)"), portNames(types[from->id]->outputs())));
            ok = false;
        }
        if (!to) {
            problem(e.to.node, "", Message(FL_TR("GraphAnalysis", "edge to a node that does not exist")));
            ok = false;
        } else if (types.count(to->id)) {
            const auto ins = types[to->id]->inputs();
            const int idx = portIndex(ins, e.to.port);
            if (idx < 0) {
                problem(e.to.node, e.to.port, Message(FL_TR("GraphAnalysis", "no such input port (inputs: %1)"), portNames(ins)));
                ok = false;
            } else if (!ins[static_cast<std::size_t>(idx)].multiple && !seenTargets.insert({e.to.node, e.to.port}).second) {
                problem(e.to.node, e.to.port, Message(FL_TR("GraphAnalysis", "takes one connection, but has several")));
                ok = false;
            }
        }
        if (ok && from && to && from->id == to->id) {
            problem(e.to.node, e.to.port, Message(FL_TR("GraphAnalysis", "is connected to its own output (a cycle)")));
            ok = false;
        }
        if (ok)
            valid.push_back(&e);
    }

    // Topological order (Kahn); whatever remains is on or behind a cycle.
    std::map<std::string, int> indegree;
    for (auto &n : g.nodes)
        indegree[n.id] = 0;
    for (auto *e : valid)
        ++indegree[e->to.node];
    std::vector<std::string> ready;
    for (auto &n : g.nodes)
        if (indegree[n.id] == 0)
            ready.push_back(n.id);
    while (!ready.empty()) {
        const std::string id = ready.front();
        ready.erase(ready.begin());
        a.order.push_back(id);
        for (auto *e : valid)
            if (e->from.node == id && --indegree[e->to.node] == 0)
                ready.push_back(e->to.node);
    }
    if (a.order.size() < g.nodes.size()) {
        std::string members;
        for (auto &n : g.nodes)
            if (std::find(a.order.begin(), a.order.end(), n.id) == a.order.end())
                members += (members.empty() ? "" : ", ") + n.id;
        problem("", "", Message(FL_TR("GraphAnalysis", "the graph has a cycle through: %1"), members));
    }

    // Shapes, in order.
    int outputs = 0;
    for (const std::string &id : a.order) {
        auto tit = types.find(id);
        if (tit == types.end())
            continue;
        const BlockType *t = tit->second;
        const auto ins = t->inputs();
        std::vector<std::vector<TensorShape>> shapes(ins.size());
        bool complete = true;
        for (std::size_t p = 0; p < ins.size(); ++p) {
            std::vector<const GraphEdge *> edges;
            for (auto *e : valid)
                if (e->to.node == id && e->to.port == ins[p].name)
                    edges.push_back(e);
            if (edges.empty()) {
                problem(id, ins[p].name, Message(FL_TR("GraphAnalysis", "is not connected")));
                complete = false;
                continue;
            }
            for (auto *e : edges) {
                const TensorShape *s = a.edgeShape(*e, g, registry);
                if (!s) {
                    complete = false; // the source already has a problem
                    continue;
                }
                if (std::find(ins[p].kinds.begin(), ins[p].kinds.end(), s->kind) == ins[p].kinds.end()) {
                    problem(id, ins[p].name,
                            Message(FL_TR("GraphAnalysis", "receives %1 from %2 but accepts %3"), s->toString(),
                                    e->from.node + "." + e->from.port, kindNames(ins[p].kinds)));
                    complete = false;
                    continue;
                }
                shapes[p].push_back(*s);
            }
        }
        a.inputShapes[id] = shapes;
        if (t->category() == "output") {
            ++outputs;
            for (auto *e : valid)
                if (e->to.node == id)
                    a.outputNode = e->from.node;
        }
        if (!complete)
            continue;
        std::vector<BlockProblem> bp;
        std::vector<TensorShape> out = t->infer(a.params[id], shapes, context, bp);
        for (auto &p : bp)
            problem(id, p.where, p.text);
        if (bp.empty() && out.size() == t->outputs().size())
            a.outputShapes[id] = std::move(out);
    }
    if (outputs == 0)
        problem("", "", Message(FL_TR("GraphAnalysis", "the graph has no \"output\" block: connect the classifier's logits to one")));
    else if (outputs > 1)
        problem("", "", Message(FL_TR("GraphAnalysis", "the graph has %1 \"output\" blocks; it needs exactly one"), std::to_string(outputs)));
    return a;
}

} // namespace fuselab
