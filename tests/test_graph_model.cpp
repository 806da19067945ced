// SPDX-License-Identifier: GPL-3.0-or-later
// The editable graph model: edits, their inverses, canConnect's reasons, listeners.
#include "core/document/Templates.h"
#include "core/graph/GraphModel.h"
#include "core/model/BlockCatalogue.h"
#include "core/model/FusionModel.h"

#include <QTest>

#include <random>

using namespace fuselab;

namespace {

// Three modalities, three classes, 32x32 RGB: the concat template gives input_X -> encode_X
// -> fusion -> head -> output for photo, clip and caption.
Experiment concatExperiment()
{
    DatasetSummary s;
    s.path = "data";
    s.classes = {"a", "b", "c"};
    s.modalities = {{"photo", Modality::Image}, {"clip", Modality::Audio}, {"caption", Modality::Text}};
    s.imageWidth = s.imageHeight = 32;
    return makeExperiment("concat", s);
}

GraphModel concatModel()
{
    const Experiment e = concatExperiment();
    return GraphModel(builtinBlocks(), inferContext(e), e.graph);
}

class Recorder final : public GraphModelListener {
public:
    void graphChanged(const GraphChange &c) override
    {
        static const char *names[] = {"node+", "node-", "node~", "edge+", "edge-", "reset"};
        log.push_back(std::string(names[static_cast<int>(c.kind)]) + " "
                      + (c.nodeId.empty() ? c.edge.from.node + "." + c.edge.from.port + ">" + c.edge.to.node + "." + c.edge.to.port : c.nodeId));
    }
    std::vector<std::string> log;
};

QString reasonOf(const GraphModel &m, PortRef from, PortRef to)
{
    const EditResult r = m.canConnect(from, to);
    return r.ok ? QString("OK") : QString::fromStdString(r.reason.str());
}

} // namespace

class TestGraphModel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void canConnectSaysWhyNot()
    {
        GraphModel m = concatModel();
        QVERIFY(m.analysis().ok());
        // The text encoder made to output a sequence no longer fits concat, and the reason
        // names the shape, the need and the option that fixes it.
        QVERIFY(m.disconnect({"encode_caption", "out"}, {"fusion", "in"}).ok);
        QVERIFY(m.setOption("encode_caption", "output", "sequence").ok);
        QCOMPARE(reasonOf(m, {"encode_caption", "out"}, {"fusion", "in"}),
                 QString("encode_caption outputs sequence[64, 128]; fusion needs vector: set its output to \"last\" or \"mean\""));
        QVERIFY(m.setOption("encode_caption", "output", "mean").ok);
        QCOMPARE(reasonOf(m, {"encode_caption", "out"}, {"fusion", "in"}), QString("OK"));

        // An image straight into a vector port: no option of the input block fixes that.
        QCOMPARE(reasonOf(m, {"input_photo", "out"}, {"fusion", "in"}),
                 QString("input_photo outputs image[3, 32, 32]; fusion needs vector"));
        QCOMPARE(reasonOf(m, {"nowhere", "out"}, {"fusion", "in"}), QString("there is no block nowhere"));
        QCOMPARE(reasonOf(m, {"encode_photo", "features"}, {"fusion", "in"}),
                 QString("encode_photo has no output \"features\" (outputs: out)"));
        QCOMPARE(reasonOf(m, {"encode_photo", "out"}, {"fusion", "x"}), QString("fusion has no input \"x\" (inputs: in)"));
        QCOMPARE(reasonOf(m, {"fusion", "out"}, {"fusion", "in"}), QString("a block cannot feed its own input"));
        QCOMPARE(reasonOf(m, {"encode_photo", "out"}, {"fusion", "in"}), QString("encode_photo.out is already connected to fusion.in"));
        QCOMPARE(reasonOf(m, {"encode_photo", "out"}, {"head", "in"}),
                 QString("head.in takes one connection and already has one from fusion: disconnect that first"));
        QCOMPARE(reasonOf(m, {"head", "logits"}, {"fusion", "in"}),
                 QString("connecting head to fusion would make a cycle: fusion already feeds head"));
        // A refused connect leaves the graph as it was.
        const Graph before = m.graph();
        QVERIFY(!m.connect({"head", "logits"}, {"fusion", "in"}).ok);
        QVERIFY(m.graph() == before);
    }

    void blockMenuIsFilteredToWhatFits()
    {
        GraphModel m = concatModel();
        std::set<std::string> types;
        for (const BlockType *t : m.typesAccepting({"input_caption", "out"}))
            types.insert(t->type());
        // Token ids go to sequence encoders and the MLP? No: only blocks with a tokens input.
        QVERIFY(types.count("encoder.rnn"));
        QVERIFY(types.count("encoder.transformer"));
        QVERIFY(!types.count("encoder.cnn"));
        QVERIFY(!types.count("fusion.concat"));
        types.clear();
        for (const BlockType *t : m.typesAccepting({"encode_photo", "out"}))
            types.insert(t->type());
        QVERIFY(types.count("fusion.concat"));
        QVERIFY(types.count("head.classification"));
        QVERIFY(!types.count("encoder.cnn"));
    }

    void removingANodeAndUndoingRestoresItExactly()
    {
        GraphModel m = concatModel();
        const Graph before = m.graph();
        Recorder rec;
        m.addListener(&rec);
        const EditResult r = m.removeNode("fusion");
        QVERIFY(r.ok);
        QCOMPARE(m.graph().nodes.size(), before.nodes.size() - 1);
        QCOMPARE(m.graph().edges.size(), before.edges.size() - 4); // three encoders in, head out
        // Edges go first, then the node; an undo brings the node back first, then its edges.
        QCOMPARE(rec.log.size(), std::size_t(5));
        QCOMPARE(rec.log.back(), std::string("node- fusion"));
        rec.log.clear();
        const EditResult undo = m.apply(r.inverse);
        QVERIFY(undo.ok);
        QVERIFY(m.graph() == before); // same options, same edges, same order of both
        QCOMPARE(m.graph().toJson().dump(), before.toJson().dump());
        QCOMPARE(rec.log.front(), std::string("node+ fusion"));
        QCOMPARE(rec.log.size(), std::size_t(5));
        // Redo is the inverse of the undo.
        QVERIFY(m.apply(undo.inverse).ok);
        QVERIFY(!m.graph().node("fusion"));
        m.removeListener(&rec);
    }

    void editsAreValidated()
    {
        GraphModel m = concatModel();
        const Graph before = m.graph();
        QVERIFY(QString::fromStdString(m.setOption("head", "hidden", -5).reason.str()).startsWith("head: hidden is -5, must be from 0 to "));
        QCOMPARE(QString::fromStdString(m.setOption("encode_caption", "output", "banana").reason.str()),
                 QString("encode_caption: output is \"banana\", must be one of: last, mean, sequence"));
        QCOMPARE(QString::fromStdString(m.setOption("head", "colour", "red").reason.str()), QString("head has no option \"colour\""));
        QCOMPARE(QString::fromStdString(m.addNode("encoder.quantum").reason.str()), QString("there is no block type \"encoder.quantum\""));
        QCOMPARE(QString::fromStdString(m.rename("head", "  ").reason.str()), QString("a block's name cannot be empty"));
        QCOMPARE(QString::fromStdString(m.rename("head", "fusion").reason.str()), QString("another block is already called \"fusion\""));
        QCOMPARE(QString::fromStdString(m.removeNode("ghost").reason.str()), QString("there is no block ghost"));
        QVERIFY(m.graph() == before);

        // A rename changes what people see, never the id the edges use.
        QVERIFY(m.rename("fusion", "Joint features").ok);
        QCOMPARE(m.node("fusion")->displayName(), std::string("Joint features"));
        QVERIFY(m.analysis().ok());
        // New blocks get fresh ids and unique readable names.
        const EditResult a = m.addNode("encoder.mlp", 10, 20), b = m.addNode("encoder.mlp");
        QVERIFY(a.ok && b.ok && a.nodeId != b.nodeId);
        QCOMPARE(m.node(a.nodeId)->displayName(), std::string("MLP encoder"));
        QCOMPARE(m.node(b.nodeId)->displayName(), std::string("MLP encoder 2"));
        // Option edits are undoable, including going back to "not set" (the default).
        const EditResult set = m.setOption(a.nodeId, "hidden", 32);
        QVERIFY(set.ok);
        QCOMPARE(m.node(a.nodeId)->params["hidden"].get<int>(), 32);
        QVERIFY(m.apply(set.inverse).ok);
        QVERIFY(!m.node(a.nodeId)->params.contains("hidden"));
    }

    // Any seeded sequence of edits, each undone and redone, and all of them undone at the
    // end, gives back the graph exactly.
    void randomEditsUndoExactly_data()
    {
        QTest::addColumn<int>("seed");
        for (int s = 1; s <= 12; ++s)
            QTest::newRow(qPrintable(QString("seed %1").arg(s))) << s;
    }
    void randomEditsUndoExactly()
    {
        QFETCH(int, seed);
        GraphModel m = concatModel();
        const Graph initial = m.graph();
        std::mt19937 rng(static_cast<unsigned>(seed));
        auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
        const auto types = builtinBlocks().all();
        std::vector<GraphEdit> undo;
        int applied = 0;
        for (int step = 0; step < 150; ++step) {
            const Graph &g = m.graph();
            EditResult r;
            switch (pick(7)) {
            case 0: r = m.addNode(types[pick(types.size())]->type(), double(pick(500)), double(pick(500))); break;
            case 1:
                if (!g.nodes.empty())
                    r = m.removeNode(g.nodes[pick(g.nodes.size())].id);
                break;
            case 2: {
                if (g.nodes.size() < 2)
                    break;
                const GraphNode &a = g.nodes[pick(g.nodes.size())], &b = g.nodes[pick(g.nodes.size())];
                const BlockType *ta = builtinBlocks().find(a.type), *tb = builtinBlocks().find(b.type);
                if (ta && tb && !ta->outputs().empty() && !tb->inputs().empty())
                    r = m.connect({a.id, ta->outputs()[pick(ta->outputs().size())].name}, {b.id, tb->inputs()[pick(tb->inputs().size())].name});
                break;
            }
            case 3:
                if (!g.edges.empty()) {
                    const GraphEdge e = g.edges[pick(g.edges.size())];
                    r = m.disconnect(e.from, e.to);
                }
                break;
            case 4: {
                if (g.nodes.empty())
                    break;
                const GraphNode &n = g.nodes[pick(g.nodes.size())];
                const auto options = builtinBlocks().find(n.type)->options();
                if (options.empty())
                    break;
                const OptionSpec &o = options[pick(options.size())];
                nlohmann::json v;
                switch (o.type) {
                case OptionSpec::Type::Int: v = static_cast<long long>(o.min) + static_cast<long long>(pick(4)); break;
                case OptionSpec::Type::Float: v = o.min + 0.25 * double(pick(3)) * (std::min(o.max, o.min + 1.0) - o.min); break;
                case OptionSpec::Type::Bool: v = pick(2) == 1; break;
                case OptionSpec::Type::Choice: v = o.choices[pick(o.choices.size())]; break;
                case OptionSpec::Type::String: v = "x" + std::to_string(pick(9)); break;
                }
                r = pick(5) == 0 ? m.resetOption(n.id, o.name) : m.setOption(n.id, o.name, v);
                break;
            }
            case 5:
                if (!g.nodes.empty())
                    r = m.move(g.nodes[pick(g.nodes.size())].id, double(pick(900)), -double(pick(900)));
                break;
            case 6:
                if (!g.nodes.empty())
                    r = m.rename(g.nodes[pick(g.nodes.size())].id, "block " + std::to_string(pick(20)));
                break;
            }
            if (!r.ok)
                continue;
            ++applied;
            // Undo then redo this edit: back to before, then to after.
            const Graph after = m.graph();
            const EditResult u = m.apply(r.inverse);
            QVERIFY(u.ok);
            const EditResult again = m.apply(u.inverse);
            QVERIFY(again.ok);
            QVERIFY(m.graph() == after);
            undo.push_back(again.inverse);
            // Sometimes undo a few edits in the middle of the sequence.
            if (pick(10) == 0)
                for (int k = 0; k < 3 && !undo.empty(); ++k) {
                    QVERIFY(m.apply(undo.back()).ok);
                    undo.pop_back();
                }
        }
        QVERIFY(applied > 40);
        while (!undo.empty()) {
            QVERIFY(m.apply(undo.back()).ok);
            undo.pop_back();
        }
        QVERIFY(m.graph() == initial);
        QCOMPARE(m.graph().toJson().dump(), initial.toJson().dump());
    }

    void unknownBlocksSurviveLoadAndSave()
    {
        nlohmann::json j = concatExperiment().toJson();
        j["graph"]["nodes"].push_back({{"id", "future"}, {"type", "encoder.from_the_future"}, {"params", {{"warp", 9}}}, {"position", {1, 2}}});
        const Experiment e = Experiment::fromJson(j);
        QCOMPARE(e.toJson()["graph"]["nodes"].back()["params"]["warp"].get<int>(), 9);
        GraphModel m(builtinBlocks(), inferContext(e), e.graph);
        bool reported = false;
        for (auto &p : m.analysis().problems)
            reported |= p.node == "future" && p.message.find("unknown block type") != std::string::npos;
        QVERIFY(reported);
        // It can be moved and deleted like any block, and the deletion undone.
        QVERIFY(m.move("future", 5, 6).ok);
        const EditResult r = m.removeNode("future");
        QVERIFY(r.ok);
        QVERIFY(m.apply(r.inverse).ok);
        QCOMPARE(m.node("future")->params["warp"].get<int>(), 9);
    }

    void versionOneFilesAreMigrated()
    {
        nlohmann::json j = concatExperiment().toJson();
        j["fuselab_experiment"] = 1;
        for (auto &n : j["graph"]["nodes"])
            n.erase("name");
        const Experiment e = Experiment::fromJson(j);
        QCOMPARE(e.graph.node("fusion")->name, std::string("fusion"));
        QCOMPARE(e.toJson()["fuselab_experiment"].get<int>(), 2);
        QCOMPARE(e.toJson()["graph"]["nodes"][0]["name"].get<std::string>(), e.graph.nodes[0].id);
    }
};

QTEST_APPLESS_MAIN(TestGraphModel)
#include "test_graph_model.moc"
