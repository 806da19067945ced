// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/BlockRegistry.h"
#include "core/graph/Graph.h"
#include "core/util/Message.h"

#include <map>
#include <string>
#include <vector>

namespace fuselab {

struct GraphProblem {
    std::string node;  // node id ("" for the graph as a whole)
    std::string port;  // port or option name, may be empty
    std::string message; // English
    Message text;        // the same, translatable (block-specific problems are plain English for now)
    std::string toString() const; // "image_cnn.in: ..." 
};

// The result of shape inference over a graph, before any data is read.
struct GraphAnalysis {
    std::vector<GraphProblem> problems;                           // every problem, not just the first
    std::vector<std::string> order;                               // nodes in topological order
    std::map<std::string, nlohmann::json> params;                 // resolved (defaults filled) per node
    std::map<std::string, std::vector<std::vector<TensorShape>>> inputShapes;  // per node, per input port
    std::map<std::string, std::vector<TensorShape>> outputShapes; // per node, per output port
    std::string outputNode;                                       // the node feeding the "output" block

    bool ok() const { return problems.empty(); }
    // The shape travelling along an edge (valid only when the source node was inferred).
    const TensorShape *edgeShape(const GraphEdge &edge, const Graph &graph, const BlockRegistry &registry) const;
};

// Checks port names and types, connections, cycles, option values and every block's
// shape rule, reporting all problems at once, each naming the node and port.
GraphAnalysis analyseGraph(const Graph &graph, const InferContext &context, const BlockRegistry &registry);

} // namespace fuselab
