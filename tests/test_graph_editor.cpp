// SPDX-License-Identifier: GPL-3.0-or-later
// The graph editor and window, driven by synthetic events as a user would: blocks dropped
// from the palette, links dragged port to port, undo/redo, refusals with core's reason, the
// properties panel, copy and paste, saving.
#include "core/document/RunFolder.h"
#include "core/document/Templates.h"
#include "core/project/Services.h"
#include "core/model/BlockCatalogue.h"
#include "tests/support/GuiTest.h"
#include "tests/support/TestFiles.h"
#include "widgets/training/ClassMetricsView.h"
#include "widgets/DatasetPanel.h"
#include "widgets/ExportDialog.h"
#include "core/formats/Safetensors.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphItems.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/LogPanel.h"
#include "widgets/MainWindow.h"
#include "widgets/PropertiesPanel.h"
#include "widgets/PredictPanel.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/training/RunComparison.h"
#include "widgets/SampleBrowser.h"
#include "widgets/training/TrainingPanel.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QMessageBox>
#include <QThread>
#include <QTimer>
#include <QTest>
#include <QTranslator>
#include <QTreeWidget>

#include <cmath>
#include <map>

using namespace fuselab;
using namespace fuselab::gui;
using namespace fuselab::test;

class TestGraphEditor final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FuseLabTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_graph_editor"));
    }

    // The concat template built by hand through the view: drops and drags, then the options
    // the template sets; the same graph up to ids and positions. Undo all: empty; redo all: back.
    void buildTheConcatTemplateWithTheMouse()
    {
        const Experiment target = concatExperiment();
        Experiment empty = target;
        empty.graph = {};
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        ExperimentDocument *doc = window.document();
        doc->reset(empty);
        GraphView *view = window.view();
        GraphScene *scene = window.scene();
        view->setTransform(QTransform()); // 1:1, so every node is on screen
        view->centerOn(450, 120);
        QApplication::processEvents();

        std::map<std::string, std::string> idOf; // template id -> id made by the editor
        for (const GraphNode &n : target.graph.nodes) {
            const std::size_t before = doc->model().graph().nodes.size();
            dropBlock(view, n.type, QPointF(n.x * 0.9, n.y * 0.8));
            QCOMPARE(doc->model().graph().nodes.size(), before + 1);
            idOf[n.id] = doc->model().graph().nodes.back().id;
        }
        QApplication::processEvents();
        for (const GraphEdge &e : target.graph.edges) {
            const std::size_t before = doc->model().graph().edges.size();
            const QPointF a = portAnchor(scene, idOf[e.from.node], e.from.port, true);
            const QPointF b = portAnchor(scene, idOf[e.to.node], e.to.port, false);
            QVERIFY(!a.isNull() && !b.isNull());
            drag(view, a, b);
            QCOMPARE(doc->model().graph().edges.size(), before + 1);
        }
        for (const GraphNode &n : target.graph.nodes)
            for (auto it = n.params.begin(); it != n.params.end(); ++it) {
                GraphEdit e;
                e.kind = GraphEdit::Kind::SetOption;
                e.nodeId = idOf[n.id];
                e.option = it.key();
                e.value = it.value();
                QVERIFY(doc->apply(e, QStringLiteral("set")).ok);
            }
        auto sameAsTemplate = [&] {
            const Graph &g = doc->model().graph();
            if (g.nodes.size() != target.graph.nodes.size() || g.edges.size() != target.graph.edges.size())
                return false;
            for (const GraphNode &n : target.graph.nodes) {
                const GraphNode *m = g.node(idOf[n.id]);
                if (!m || m->type != n.type || m->params != n.params)
                    return false;
            }
            for (const GraphEdge &e : target.graph.edges) {
                const GraphEdge mapped{{idOf[e.from.node], e.from.port}, {idOf[e.to.node], e.to.port}};
                if (std::find(g.edges.begin(), g.edges.end(), mapped) == g.edges.end())
                    return false;
            }
            return true;
        };
        QVERIFY(sameAsTemplate());
        QVERIFY(doc->model().analysis().ok());
        scene->refreshNow();
        // Shapes on the edges, from core's analysis.
        EdgeItem *imageEdge = scene->edgeItem({{idOf["input_photo"], "out"}, {idOf["encode_photo"], "in"}});
        QVERIFY(imageEdge);
        QCOMPARE(imageEdge->toolTip(), QStringLiteral("image[3, 32, 32]"));
        QVERIFY(window.isWindowModified());

        QUndoStack *undo = doc->undoStack();
        const int steps = undo->count();
        while (undo->canUndo())
            undo->undo();
        QVERIFY(doc->model().graph().nodes.empty() && doc->model().graph().edges.empty());
        QVERIFY(!window.isWindowModified());
        while (undo->canRedo())
            undo->redo();
        QCOMPARE(undo->index(), steps);
        QVERIFY(sameAsTemplate());
    }

    void refusedLinksSayWhyAndChangeNothing()
    {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        ExperimentDocument *doc = window.document();
        doc->reset(concatExperiment());
        GraphView *view = window.view();
        GraphScene *scene = window.scene();
        view->setTransform(QTransform());
        view->centerOn(500, 150);
        QApplication::processEvents();
        // Free the fusion input of the caption encoder, then make the encoder output a sequence.
        QVERIFY(doc->apply([] {
            GraphEdit e;
            e.kind = GraphEdit::Kind::RemoveEdge;
            e.edge = {{"encode_caption", "out"}, {"fusion", "in"}};
            return e;
        }(), QStringLiteral("cut")).ok);
        GraphEdit seq;
        seq.kind = GraphEdit::Kind::SetOption;
        seq.nodeId = "encode_caption";
        seq.option = "output";
        seq.value = "sequence";
        QVERIFY(doc->apply(seq, QStringLiteral("seq")).ok);
        const Graph before = doc->model().graph();
        const int undoBefore = doc->undoStack()->count();
        QSignalSpy messages(scene, &GraphScene::message);
        drag(view, portAnchor(scene, "encode_caption", "out", true), portAnchor(scene, "fusion", "in", false));
        QVERIFY(doc->model().graph() == before);
        QCOMPARE(doc->undoStack()->count(), undoBefore);
        QCOMPARE(messages.count(), 1);
        const QString reason = messages.first().first().toString();
        QVERIFY2(reason.contains(QStringLiteral("outputs sequence[64, 128]")) && reason.contains(QStringLiteral("set its output to")),
                 qPrintable(reason));
        // The log shows it too.
        bool logged = false;
        for (int i = 0; i < window.logPanel()->count(); ++i)
            logged |= window.logPanel()->item(i)->text().contains(QStringLiteral("outputs sequence"));
        QVERIFY(logged);
        // While a link is dragged, ports that fit light up and the rest dim.
        QWidget *vp = view->viewport();
        const QPoint a = viewPos(view, portAnchor(scene, "encode_photo", "out", true));
        sendMouse(vp, QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton);
        sendMouse(vp, QEvent::MouseMove, a + QPoint(40, 40), Qt::NoButton, Qt::LeftButton);
        QVERIFY(scene->nodeItem("head")->port("in", false)->brush().color() == QColor(0x4c, 0xc0, 0x4c)); // compatible (replaces)
        QVERIFY(scene->nodeItem("encode_photo")->port("in", false)->opacity() < 1.0);                     // an image input: dimmed
        sendMouse(vp, QEvent::MouseButtonRelease, a + QPoint(40, 40), Qt::LeftButton, Qt::NoButton);
        QApplication::processEvents();
    }

    void occupiedInputIsReplacedInOneUndoStep()
    {
        MainWindow window;
        window.show();
        ExperimentDocument *doc = window.document();
        doc->reset(concatExperiment());
        const Graph before = doc->model().graph();
        // encode_photo straight into the head: the fusion's edge into head.in is replaced.
        QVERIFY(doc->connectPorts({"encode_photo", "out"}, {"head", "in"}).ok);
        int intoHead = 0;
        for (auto &e : doc->model().graph().edges)
            intoHead += e.to == PortRef{"head", "in"};
        QCOMPARE(intoHead, 1);
        doc->undoStack()->undo();
        QVERIFY(doc->model().graph() == before);
    }

    void propertiesEditOptionsThroughTheUndoStack()
    {
        MainWindow window;
        window.show();
        ExperimentDocument *doc = window.document();
        doc->reset(concatExperiment());
        window.scene()->selectNode("head");
        QApplication::processEvents();
        QCOMPARE(window.propertiesPanel()->shownNode(), QStringLiteral("head"));
        auto *hidden = window.propertiesPanel()->findChild<QSpinBox *>(QStringLiteral("option_hidden"));
        QVERIFY(hidden);
        QCOMPARE(hidden->value(), 128);
        hidden->setValue(64);
        Q_EMIT hidden->editingFinished();
        QCOMPARE(doc->model().node("head")->params["hidden"].get<int>(), 64);
        doc->undoStack()->undo();
        QCOMPARE(doc->model().node("head")->params["hidden"].get<int>(), 128);
        QCOMPARE(hidden->value(), 128); // the panel follows the model
        // Nothing selected: the training settings, undoable too.
        window.scene()->clearSelection();
        QApplication::processEvents();
        auto *epochs = window.propertiesPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"));
        QVERIFY(epochs);
        epochs->setValue(3);
        Q_EMIT epochs->editingFinished();
        QCOMPARE(doc->settings().training.epochs, 3);
        doc->undoStack()->undo();
        QCOMPARE(doc->settings().training.epochs, 10);
    }

    void copyAndPasteOneUndoStep()
    {
        MainWindow window;
        window.show();
        ExperimentDocument *doc = window.document();
        doc->reset(concatExperiment());
        const Graph before = doc->model().graph();
        window.scene()->clearSelection();
        window.scene()->nodeItem("input_photo")->setSelected(true);
        window.scene()->nodeItem("encode_photo")->setSelected(true);
        window.scene()->copySelection();
        window.scene()->paste();
        const Graph &g = doc->model().graph();
        QCOMPARE(g.nodes.size(), before.nodes.size() + 2);
        QCOMPARE(g.edges.size(), before.edges.size() + 1); // the edge between the two came along
        const GraphNode &copy = g.nodes.back();
        QCOMPARE(copy.type, std::string("encoder.cnn"));
        QCOMPARE(copy.params, before.node("encode_photo")->params);
        QCOMPARE(copy.displayName(), std::string("encode_photo 2"));
        QCOMPARE(window.scene()->selectedNodeIds().size(), std::size_t(2)); // the pasted blocks
        doc->undoStack()->undo();
        QVERIFY(doc->model().graph() == before);
    }

    void saveAndReloadGiveTheSameFile()
    {
        QTemporaryDir dir;
        MainWindow window;
        ExperimentDocument *doc = window.document();
        doc->reset(concatExperiment());
        const QString file = dir.path() + QStringLiteral("/x.fuselab.json");
        QVERIFY(window.saveTo(file));
        QVERIFY(!doc->isModified());
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("x.fuselab.json")));
        const std::string bytes = test::readAll(file.toStdString());
        QVERIFY(nlohmann::json::parse(bytes) == concatExperiment().toJson()); // what the CLI writes
        window.openPath(file);
        QVERIFY(doc->model().graph() == Experiment::load(file.toStdString()).graph);
        // "Save as" into another folder keeps naming the same dataset and module files:
        // x in DIR with "data" and "enc.pt" -> DIR/b/c/y names "../../data", "../../enc.pt";
        // saved back beside them, the names are plain again.
        QVERIFY(doc->model().addNode("encoder.torchscript", 0, 0));
        const std::string id = doc->model().graph().nodes.back().id;
        QVERIFY(doc->model().setOption(id, "path", "enc.pt"));
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("b/c")));
        const QString moved = dir.path() + QStringLiteral("/b/c/y.fuselab.json");
        QVERIFY(window.saveTo(moved));
        Experiment saved = Experiment::load(moved.toStdString());
        QCOMPARE(saved.dataset.path, std::string("../../data"));
        QCOMPARE(saved.graph.node(id)->params.value("path", ""), std::string("../../enc.pt"));
        QCOMPARE(doc->experiment().dataset.path, std::string("../../data")); // the open document follows
        QCOMPARE(doc->model().context().experimentDir, QFileInfo(moved).absolutePath().toStdString());
        QVERIFY(window.saveTo(dir.path() + QStringLiteral("/z.fuselab.json")));
        saved = Experiment::load(dir.path().toStdString() + "/z.fuselab.json");
        QCOMPARE(saved.dataset.path, std::string("data"));
        QCOMPARE(saved.graph.node(id)->params.value("path", ""), std::string("enc.pt"));
    }

};

QTEST_MAIN(TestGraphEditor)
#include "test_graph_editor.moc"
