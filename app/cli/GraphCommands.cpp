// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli new / check: experiment files and their model graphs.
#include "app/cli/CliArgs.h"
#include "core/model/BlockCatalogue.h"
#include "app/cli/DatasetArgs.h"
#include "app/cli/Commands.h"

#include "core/document/Templates.h"
#include "core/model/FusionModel.h"
#include "core/project/Services.h"

#ifdef FUSELAB_WITH_INGEST
#include "core/data/DatasetLoader.h"
#include "core/cache/TensorCacheBuilder.h"
#endif

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace fuselab::cli {

namespace {

std::string parentDir(const std::string &file)
{
    const fs::path p = fs::absolute(file).parent_path();
    return p.string();
}

std::string human(std::int64_t n)
{
    std::string s = std::to_string(n);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
        s.insert(static_cast<std::size_t>(i), ",");
    return s;
}


} // namespace

int newCommand(const std::vector<std::string> &raw)
{
    return runCommand("new", [&] {
        std::vector<std::string> args = raw;
        std::replace(args.begin(), args.end(), std::string("-o"), std::string("--output"));
        std::set<std::string> options = kReaderOptions;
        options.insert({"template", "dataset", "output"});
        const CliArgs a(args, {"help", "list", "force"}, options, {"column"});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli new --template NAME --dataset PATH -o EXPERIMENT.fuselab.json\n"
                        "       fuselab-cli new --list\n\n"
                        "Writes a ready experiment for a dataset, with encoders picked for its modalities.\n"
                        "  --force                 overwrite an existing file\n%s", kReaderHelp);
            return kExitOk;
        }
        if (a.flag("list")) {
            for (const auto &t : experimentTemplates())
                std::printf("%-20s %s%s\n", t.name.c_str(), t.description.c_str(), t.minModalities > 1 ? " (2+ modalities)" : "");
            return kExitOk;
        }
#ifndef FUSELAB_WITH_INGEST
        throw UsageError("this build has no data ingestion (FUSELAB_WITH_INGEST=OFF): create experiments on a full build");
#else
        const auto name = a.value("template"), dataset = a.value("dataset");
        std::optional<std::string> output = a.value("output");
        if (!name || !dataset || !output)
            throw UsageError("new needs --template NAME, --dataset PATH and --output FILE (or --list)");
        if (fs::exists(*output) && !a.flag("force"))
            throw UsageError(*output + " exists; pass --force to overwrite it");
        const LoadOptions lo = readerOptions(a);
        std::vector<Message> choices;
        const Experiment e = newExperiment(*name, openDataset(*dataset, lo), *dataset, lo, parentDir(*output), &choices);
        e.save(*output);
        std::printf("wrote %s: template %s, %zu classes%s, modalities:", output->c_str(), name->c_str(), e.dataset.classes.size(),
                    e.dataset.multiLabel ? " (multi-label: a sigmoid per class)" : "");
        for (auto &m : e.dataset.modalities)
            std::printf(" %s (%s)", m.name.c_str(), modalityName(m.kind));
        std::printf("\n");
        for (const Message &m : choices)
            std::printf("\n%s\n", m.str().c_str());
        std::printf("\ncheck it with: fuselab-cli check %s\n", output->c_str());
        return kExitOk;
#endif
    });
}

int blocksCommand(const std::vector<std::string> &raw)
{
    return runCommand("blocks", [&] {
        const CliArgs a(raw, {"help", "json", "markdown"}, {}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli blocks [--json | --markdown]\n\nLists every block type: ports, options and what it computes.\n");
            return kExitOk;
        }
        auto kinds = [](const std::vector<PortKind> &ks) {
            std::string s;
            for (auto k : ks)
                s += (s.empty() ? "" : "|") + std::string(portKindName(k));
            return s;
        };
        auto typeName = [](OptionSpec::Type t) {
            switch (t) {
            case OptionSpec::Type::Int: return "int";
            case OptionSpec::Type::Float: return "float";
            case OptionSpec::Type::Bool: return "bool";
            case OptionSpec::Type::Choice: return "choice";
            case OptionSpec::Type::String: return "string";
            }
            return "?";
        };
        nlohmann::json all = nlohmann::json::array();
        for (const BlockType *t : builtinBlocks().all()) {
            nlohmann::json b = {{"type", t->type()}, {"category", t->category()}, {"title", t->title()}, {"math", t->math()}};
            for (auto &p : t->inputs())
                b["inputs"].push_back({{"name", p.name}, {"accepts", kinds(p.kinds)}, {"multiple", p.multiple}, {"help", p.help}});
            for (auto &p : t->outputs())
                b["outputs"].push_back({{"name", p.name}, {"produces", kinds(p.kinds)}, {"help", p.help}});
            b["options"] = nlohmann::json::array();
            for (auto &o : t->options()) {
                nlohmann::json jo = {{"name", o.name}, {"type", typeName(o.type)}, {"default", o.defaultValue}, {"help", o.help}};
                if (o.min <= o.max)
                    jo["range"] = {o.min, o.max};
                if (!o.choices.empty())
                    jo["choices"] = o.choices;
                b["options"].push_back(jo);
            }
            all.push_back(b);
        }
        if (a.flag("json")) {
            std::printf("%s\n", all.dump(2).c_str());
        } else if (a.flag("markdown")) {
            std::printf("# Blocks\n\nGenerated by `fuselab-cli blocks --markdown`.\n");
            for (auto &b : all) {
                std::printf("\n## `%s` — %s\n\n%s\n\n", b["type"].get<std::string>().c_str(), b["title"].get<std::string>().c_str(),
                            b["math"].get<std::string>().c_str());
                for (auto &p : b.value("inputs", nlohmann::json::array()))
                    std::printf("- input `%s`: %s%s — %s\n", p["name"].get<std::string>().c_str(), p["accepts"].get<std::string>().c_str(),
                                p["multiple"].get<bool>() ? " (several edges)" : "", p["help"].get<std::string>().c_str());
                for (auto &p : b.value("outputs", nlohmann::json::array()))
                    std::printf("- output `%s`: %s — %s\n", p["name"].get<std::string>().c_str(), p["produces"].get<std::string>().c_str(),
                                p["help"].get<std::string>().c_str());
                for (auto &o : b["options"])
                    std::printf("- option `%s` (%s, default `%s`): %s\n", o["name"].get<std::string>().c_str(), o["type"].get<std::string>().c_str(),
                                o["default"].dump().c_str(), o["help"].get<std::string>().c_str());
            }
        } else {
            for (auto &b : all)
                std::printf("%-24s %-9s %s\n", b["type"].get<std::string>().c_str(), b["category"].get<std::string>().c_str(),
                            b["title"].get<std::string>().c_str());
        }
        return kExitOk;
    });
}

int checkCommand(const std::vector<std::string> &raw)
{
    return runCommand("check", [&] {
        const CliArgs a(raw, {"help"}, {}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli check EXPERIMENT.fuselab.json\n\n"
                        "Checks the model graph before any data is read: prints the shape on every edge and the\n"
                        "parameter count of every node and of the model; exit 2 with every problem when invalid.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("check expects exactly one experiment file");
        const std::string file = a.positional()[0];
        const Experiment e = Experiment::load(file);
        const InferContext ctx = inferContext(e, parentDir(file));
        const GraphAnalysis analysis = analyseGraph(e.graph, ctx, builtinBlocks());
        if (!analysis.ok()) {
            std::fprintf(stderr, "%s: the model graph has %zu problem(s):\n", file.c_str(), analysis.problems.size());
            for (auto &p : analysis.problems)
                std::fprintf(stderr, "  %s\n", p.toString().c_str());
            return kExitUsage;
        }
        torch::manual_seed(0);
        FusionModel model(e.graph, ctx);
        std::printf("%s: %zu nodes, %zu edges, %zu classes\n\nEdges\n", file.c_str(), e.graph.nodes.size(), e.graph.edges.size(),
                    e.dataset.classes.size());
        for (const GraphEdge &edge : e.graph.edges) {
            const TensorShape *s = analysis.edgeShape(edge, e.graph, builtinBlocks());
            const std::string from = edge.from.node + "." + edge.from.port, to = edge.to.node + "." + edge.to.port;
            std::printf("  %-28s -> %-28s %s\n", from.c_str(), to.c_str(), s ? s->toString().c_str() : "?");
        }
        std::printf("\nNodes%*s%14s\n", 55, "", "parameters");
        for (const std::string &id : analysis.order) {
            const GraphNode *n = e.graph.node(id);
            std::printf("  %-24s %-28s %14s\n", id.c_str(), n->type.c_str(), human(model->parameterCount(id)).c_str());
        }
        std::printf("  %-53s %14s\n", "total", human(model->parameterCount()).c_str());
        return kExitOk;
    });
}

} // namespace fuselab::cli
