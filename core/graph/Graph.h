// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fuselab {

// The model graph as the user drew it: typed blocks and the edges between their ports.
// Pure data (no tensors), shared by the GUI editor, the CLI and the model builder; the
// editor scene is a view of it.
struct GraphNode {
    std::string id;          // unique in the graph and stable: edges refer to it; never shown for editing
    std::string name;        // what the user calls it, editable; "" reads as the id
    std::string type;        // a BlockRegistry type, e.g. "encoder.cnn"
    nlohmann::json params = nlohmann::json::object(); // the block's options; omitted = default
    double x = 0, y = 0;     // editor position

    const std::string &displayName() const { return name.empty() ? id : name; }
    bool operator==(const GraphNode &o) const
    {
        return id == o.id && name == o.name && type == o.type && params == o.params && x == o.x && y == o.y;
    }
};

struct PortRef {
    std::string node, port;
    bool operator==(const PortRef &o) const { return node == o.node && port == o.port; }
};

struct GraphEdge {
    PortRef from, to;
    bool operator==(const GraphEdge &o) const { return from == o.from && to == o.to; }
};

struct Graph {
    std::vector<GraphNode> nodes;
    std::vector<GraphEdge> edges;

    const GraphNode *node(const std::string &id) const;
    GraphNode *node(const std::string &id);
    std::vector<const GraphEdge *> edgesInto(const std::string &node, const std::string &port) const;

    bool operator==(const Graph &o) const { return nodes == o.nodes && edges == o.edges; }

    nlohmann::json toJson() const;
    // Throws Error naming the JSON path of a missing or malformed field ("graph.nodes[2].type").
    static Graph fromJson(const nlohmann::json &j, const std::string &path = "graph");
};

} // namespace fuselab
