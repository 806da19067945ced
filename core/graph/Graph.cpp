// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/graph/Graph.h"

#include "core/util/JsonFields.h"

namespace fuselab {

const GraphNode *Graph::node(const std::string &id) const
{
    for (auto &n : nodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

GraphNode *Graph::node(const std::string &id)
{
    for (auto &n : nodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

std::vector<const GraphEdge *> Graph::edgesInto(const std::string &node, const std::string &port) const
{
    std::vector<const GraphEdge *> out;
    for (auto &e : edges)
        if (e.to.node == node && e.to.port == port)
            out.push_back(&e);
    return out;
}

nlohmann::json Graph::toJson() const
{
    nlohmann::json j;
    j["nodes"] = nlohmann::json::array();
    for (auto &n : nodes)
        j["nodes"].push_back({{"id", n.id}, {"name", n.displayName()}, {"type", n.type}, {"params", n.params}, {"position", {n.x, n.y}}});
    j["edges"] = nlohmann::json::array();
    for (auto &e : edges)
        j["edges"].push_back({{"from", e.from.node + "." + e.from.port}, {"to", e.to.node + "." + e.to.port}});
    return j;
}

namespace {
PortRef parsePortRef(const std::string &s, const std::string &path)
{
    const auto dot = s.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == s.size())
        throw Error(path + ": \"" + s + "\" is not NODE.PORT");
    return {s.substr(0, dot), s.substr(dot + 1)};
}
} // namespace

Graph Graph::fromJson(const nlohmann::json &j, const std::string &path)
{
    json_fields::requireObject(j, path);
    Graph g;
    const auto &nodes = json_fields::requireArray(j, "nodes", path);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const std::string p = path + ".nodes[" + std::to_string(i) + "]";
        json_fields::requireObject(nodes[i], p);
        GraphNode n;
        n.id = json_fields::requireString(nodes[i], "id", p);
        n.type = json_fields::requireString(nodes[i], "type", p);
        json_fields::optional(nodes[i], "name", p, n.name);
        if (n.name.empty())
            n.name = n.id; // version 1 files: the id was the name
        if (nodes[i].contains("params")) {
            if (!nodes[i]["params"].is_object())
                throw Error(p + ".params: must be an object");
            n.params = nodes[i]["params"];
        }
        if (nodes[i].contains("position")) {
            const auto &pos = nodes[i]["position"];
            if (!pos.is_array() || pos.size() != 2 || !pos[0].is_number() || !pos[1].is_number())
                throw Error(p + ".position: must be [x, y]");
            n.x = pos[0].get<double>();
            n.y = pos[1].get<double>();
        }
        if (g.node(n.id))
            throw Error(p + ".id: \"" + n.id + "\" is used by another node");
        g.nodes.push_back(std::move(n));
    }
    const auto &edges = json_fields::requireArray(j, "edges", path);
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const std::string p = path + ".edges[" + std::to_string(i) + "]";
        json_fields::requireObject(edges[i], p);
        GraphEdge e;
        e.from = parsePortRef(json_fields::requireString(edges[i], "from", p), p + ".from");
        e.to = parsePortRef(json_fields::requireString(edges[i], "to", p), p + ".to");
        g.edges.push_back(std::move(e));
    }
    return g;
}

} // namespace fuselab
