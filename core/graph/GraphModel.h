// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/BlockRegistry.h"
#include "core/graph/Graph.h"
#include "core/graph/GraphAnalysis.h"
#include "core/util/Message.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fuselab {

// One edit of a graph, as a value. Every edit the model applies gives back its inverse, so
// an undo stack is a list of (edit, inverse) pairs and nothing else (docs/engine-api.md).
struct GraphEdit {
    enum class Kind {
        InsertNode, // node at index (npos = end), with `edges` re-inserted at their indices
        RemoveNode, // nodeId, and every edge touching it
        InsertEdge, // edge at index (npos = end)
        RemoveEdge, // edge
        SetOption,  // nodeId.option = value; no value = back to the block's default
        Move,       // nodeId to (x, y)
        Rename,     // nodeId's display name
    };
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    Kind kind = Kind::Move;
    std::string nodeId;
    GraphNode node;                                      // InsertNode
    std::size_t index = npos;                            // InsertNode, InsertEdge
    std::vector<std::pair<std::size_t, GraphEdge>> edges; // InsertNode: edges restored with it, by final index
    GraphEdge edge;                                      // InsertEdge, RemoveEdge
    std::string option;                                  // SetOption
    std::optional<nlohmann::json> value;                 // SetOption
    double x = 0, y = 0;                                 // Move
    std::string name;                                    // Rename
};

// The outcome of an edit: applied (with its inverse), or refused with a reason a person
// understands, in which case the graph is unchanged.
struct EditResult {
    bool ok = false;
    Message reason;     // when refused
    GraphEdit inverse;  // when applied: applying it undoes the edit
    std::string nodeId; // the node the edit made or touched
    explicit operator bool() const { return ok; }
};

// What changed, for views that mirror the model (an editor scene adds or removes one item).
struct GraphChange {
    enum class Kind { NodeAdded, NodeRemoved, NodeChanged, EdgeAdded, EdgeRemoved, Reset };
    Kind kind = Kind::Reset;
    std::string nodeId;     // Node*
    GraphEdge edge;         // Edge*
    std::size_t index = 0;  // NodeAdded / EdgeAdded: where in the order
};

class GraphModelListener {
public:
    virtual ~GraphModelListener() = default;
    // Called after the change is made, on the thread that edited the model.
    virtual void graphChanged(const GraphChange &change) = 0;
};

// The editable graph: what a node-editor scene views and what the CLI checks. Nodes have
// stable ids (edges refer to them) apart from their display names; every edit is
// validated and invertible; listeners hear of each change. Not thread-safe: one thread
// (the GUI thread) edits it; a run trains on a copy of the graph.
class GraphModel {
public:
    GraphModel(const BlockRegistry &registry, InferContext context, Graph graph = {});
    GraphModel(const GraphModel &) = delete;
    GraphModel &operator=(const GraphModel &) = delete;

    const Graph &graph() const { return m_graph; }
    const BlockRegistry &registry() const { return m_registry; }
    const InferContext &context() const { return m_context; }
    // Replaces the whole graph (opening a file) and tells listeners Reset.
    void reset(Graph graph);
    void setContext(InferContext context);

    // Shape analysis of the current graph, recomputed lazily after each edit.
    const GraphAnalysis &analysis() const;
    const GraphNode *node(const std::string &id) const { return m_graph.node(id); }

    // Edits. Each validates, applies and returns the inverse, or refuses with a reason.
    EditResult addNode(const std::string &type, double x = 0, double y = 0, const std::string &name = {});
    EditResult removeNode(const std::string &id);
    EditResult connect(const PortRef &from, const PortRef &to);
    EditResult disconnect(const PortRef &from, const PortRef &to);
    EditResult setOption(const std::string &id, const std::string &option, const nlohmann::json &value);
    EditResult resetOption(const std::string &id, const std::string &option);
    EditResult move(const std::string &id, double x, double y);
    EditResult rename(const std::string &id, const std::string &name);
    // Any edit, including an inverse from an earlier result (undo) and its inverse (redo).
    EditResult apply(const GraphEdit &edit);

    // Whether an edge from an output port to an input port may be added, and if not, why:
    // unknown node or port, the node itself, already connected, an occupied single-input
    // port, a cycle, or a kind the input does not accept (with the option that would fix
    // it when there is one). A scene calls it while a link is dragged.
    // `replacing`: an occupied single input counts as free (an editor that replaces its edge).
    EditResult canConnect(const PortRef &from, const PortRef &to, bool replacing = false) const;
    // Block types with an input port that could take `from` (a menu filtered to those that fit).
    std::vector<const BlockType *> typesAccepting(const PortRef &from) const;

    // A fresh node id ("n1", "n2", ...), never one in use.
    std::string newNodeId() const;

    void addListener(GraphModelListener *listener);
    void removeListener(GraphModelListener *listener);

private:
    void notify(const GraphChange &change);
    void invalidate() { m_analysisValid = false; }
    // The kinds an output port may carry: the inferred shape's when known, else declared.
    std::optional<TensorShape> inferredShape(const PortRef &from) const;
    std::string optionFixing(const GraphNode &from, const std::string &port, const std::vector<PortKind> &accepts) const;

    const BlockRegistry &m_registry;
    InferContext m_context;
    Graph m_graph;
    mutable GraphAnalysis m_analysis;
    mutable bool m_analysisValid = false;
    std::vector<GraphModelListener *> m_listeners;
};

} // namespace fuselab
