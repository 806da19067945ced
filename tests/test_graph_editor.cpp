// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop app's graph editor and window, driven by synthetic events as a user would:
// blocks dropped from the palette, links dragged port to port, undo/redo, refusals with
// core's reason, the properties panel, and a dataset dropped on the window.
#include "core/document/RunFolder.h"
#include "core/document/Templates.h"
#include "core/project/Services.h"
#include "core/model/BlockCatalogue.h"
#include "tests/support/TestFiles.h"
#include "widgets/ClassMetricsView.h"
#include "widgets/DatasetPanel.h"
#include "widgets/ExportDialog.h"
#include "core/export/Safetensors.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphItems.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/LogPanel.h"
#include "widgets/MainWindow.h"
#include "widgets/PropertiesPanel.h"
#include "widgets/PredictPanel.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/RunComparison.h"
#include "widgets/SampleBrowser.h"
#include "widgets/TrainingPanel.h"

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

namespace {

Experiment concatExperiment(const std::string &dataPath = "data")
{
    DatasetSummary s;
    s.path = dataPath;
    s.classes = {"a", "b", "c"};
    s.modalities = {{"photo", Modality::Image}, {"clip", Modality::Audio}, {"caption", Modality::Text}};
    s.imageWidth = s.imageHeight = 32;
    return makeExperiment("concat", s);
}

// The view's viewport coordinates of a scene point.
QPoint viewPos(GraphView *view, QPointF scenePos) { return view->mapFromScene(scenePos); }

void sendMouse(QWidget *w, QEvent::Type type, QPoint pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent e(type, QPointF(pos), QPointF(w->mapToGlobal(pos)), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

// Press on `from`, move there in steps with the button held, release on `to`.
void drag(GraphView *view, QPointF from, QPointF to)
{
    QWidget *vp = view->viewport();
    const QPoint a = viewPos(view, from), b = viewPos(view, to);
    sendMouse(vp, QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton);
    for (int k = 1; k <= 5; ++k)
        sendMouse(vp, QEvent::MouseMove, a + (b - a) * k / 5, Qt::NoButton, Qt::LeftButton);
    sendMouse(vp, QEvent::MouseButtonRelease, b, Qt::LeftButton, Qt::NoButton);
}

// What a palette drag delivers: a drop of the block type's mime data on the viewport.
void dropBlock(GraphView *view, const std::string &type, QPointF scenePos)
{
    QMimeData mime;
    mime.setData(QString::fromLatin1(GraphView::blockMimeType()), QByteArray::fromStdString(type));
    const QPoint p = viewPos(view, scenePos);
    QDragEnterEvent enter(p, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &enter);
    QDropEvent drop(QPointF(p), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &drop);
}

QPointF portAnchor(GraphScene *scene, const std::string &node, const std::string &port, bool output)
{
    NodeItem *n = scene->nodeItem(node);
    PortItem *p = n ? n->port(port, output) : nullptr;
    return p ? p->anchor() : QPointF();
}

// The image-cnn template on 90 tiny grey images of three brightness classes under `root`,
// one trainer thread, with the tensor cache under `root` too.
Experiment brightnessExperiment(const std::string &root, int epochs)
{
    test::writeBrightnessClasses(root + "/data");
    DatasetSummary s;
    s.path = root + "/data";
    s.classes = {"bright", "dark", "mid"};
    s.modalities = {{"image", Modality::Image}};
    s.imageChannels = 1;
    s.imageWidth = s.imageHeight = 8;
    Experiment e = makeExperiment("image-cnn", s);
    e.training.epochs = epochs;
    e.training.patience = 0;
    e.training.batchSize = 16;
    e.training.threads = 1;
    qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
    return e;
}

} // namespace

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

    void droppedDatasetFillsTheClassChart()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/shapes";
        for (const char *c : {"cat", "dog"})
            for (int i = 0; i < 6; ++i)
                test::writeFile(root + "/" + c + "/" + std::to_string(i) + ".pgm", "P5\n4 4\n255\n" + std::string(16, static_cast<char>(40 + 20 * i)));
        MainWindow window;
        window.show();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QString::fromStdString(root))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QTRY_VERIFY_WITH_TIMEOUT(window.datasetPanel()->dataset() != nullptr, 20000);
        QCustomPlot *chart = window.datasetPanel()->chart();
        QCOMPARE(chart->plottableCount(), 1); // one modality
        auto *bars = qobject_cast<QCPBars *>(chart->plottable(0));
        QVERIFY(bars);
        QCOMPARE(bars->data()->size(), 2);
        QCOMPARE(bars->data()->at(0)->value, 6.0);
        QCOMPARE(bars->data()->at(1)->value, 6.0);
        // The sample browser lists them.
        QCOMPARE(window.datasetPanel()->browser()->model()->rowCount(), 12);
    }

    void selectedAudioShowsWaveformAndSpectrogram()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        // A 1 kHz tone: its energy sits in one band of the log-mel spectrogram.
        test::writeWav(root + "/tone.wav", 1000, 16000, 0.5);
        auto d = std::make_shared<Dataset>();
        d->classes = {"tone", "noise"};
        d->columns = {{"clip", Modality::Audio}};
        Sample s;
        s.id = "line 2";
        s.label = 0;
        s.split = Split::Train;
        s.fields = {Field{true, root + "/tone.wav", true, -1}};
        d->samples = {s};
        SampleBrowser browser;
        browser.show();
        browser.setDataset(d);
        browser.view()->setCurrentIndex(browser.model()->index(0));
        auto *picture = browser.findChild<QLabel *>(QStringLiteral("samplePicture"));
        QVERIFY(picture);
        const QImage img = picture->pixmap().toImage();
        QCOMPARE(img.width(), 240);
        QCOMPARE(img.height(), 48 + 2 * 40); // waveform, then 40 mel bands twice as tall
        // The tone's band is the brightest row. On the HTK mel scale over 0-4 kHz (the 8 kHz
        // preview), 1 kHz is mel 1000 of 2146: band 0.466 x 40 = 18.6 from the bottom, drawn
        // at row 48 + (39 - 18.6) x 2 = 88.8.
        int brightest = -1, best = -1;
        for (int y = 48; y < img.height(); ++y) {
            const int v = qRed(img.pixel(120, y)) + qGreen(img.pixel(120, y));
            if (v > best) {
                best = v;
                brightest = y;
            }
        }
        QVERIFY2(std::abs(brightest - 89) <= 5, qPrintable(QString::number(brightest)));
    }

    // Train from the dock: curves and the confusion matrix fill in, the run folder is written;
    // Stop ends a long run within a second, resumable.
    void trainingFromTheDock()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        Experiment e = brightnessExperiment(root, 3);
        const std::string file = root + "/small.fuselab.json";
        e.save(file);

        MainWindow window;
        window.show();
        window.openPath(QString::fromStdString(file));
        TrainingPanel *panel = window.trainingPanel();
        QSignalSpy finished(panel, &TrainingPanel::runFinished);
        QVERIFY(panel->start(QString::fromStdString(file)));
        QVERIFY(panel->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 120000);
        QCOMPARE(finished.count(), 1);
        const auto result = finished.first().first().value<TrainingResultInfo>();
        QVERIFY(!result.stopped);
        QCOMPARE(result.epochsCompleted, 3);
        QVERIFY(result.testAccuracy >= 0);
        QCOMPARE(panel->lossPlot()->graph(1)->dataCount(), 3); // one validation loss per epoch
        QVERIFY(panel->lossPlot()->graph(0)->dataCount() >= 3); // batch losses
        double cells = 0;
        for (int t = 0; t < 3; ++t)
            for (int p = 0; p < 3; ++p)
                cells += panel->confusionMap()->data()->cell(p, t);
        QCOMPARE(cells, 9.0); // the 9 validation samples
        QVERIFY(QFileInfo::exists(result.runDir + QStringLiteral("/report.json")));
        // Clicking a confusion cell opens the experiment's dataset and lists that cell's
        // validation samples, each of the cell's true class.
        {
            int t = 0, p = 0;
            double count = 0;
            for (int tt = 0; tt < 3; ++tt)
                for (int pp = 0; pp < 3; ++pp)
                    if (panel->confusionMap()->data()->cell(pp, tt) > count) {
                        count = panel->confusionMap()->data()->cell(pp, tt);
                        t = tt;
                        p = pp;
                    }
            QSignalSpy chosen(panel, &TrainingPanel::confusionCellChosen);
            panel->chooseConfusionCell(t, p);
            QCOMPARE(chosen.count(), 1);
            QCOMPARE(chosen.first().at(2).value<QVector<qint64>>().size(), static_cast<int>(count));
            // The same by clicking the cell on the plot.
            QCustomPlot *plot = panel->confusionPlot();
            plot->replot();
            const QPoint at(static_cast<int>(plot->xAxis->coordToPixel(p)), static_cast<int>(plot->yAxis->coordToPixel(t)));
            QTest::mouseClick(plot, Qt::LeftButton, {}, at);
            QCOMPARE(chosen.count(), 2);
            QCOMPARE(chosen.last().at(0).toInt(), t);
            QCOMPARE(chosen.last().at(1).toInt(), p);
            SampleModel *samples = window.datasetPanel()->browser()->model();
            QTRY_VERIFY_WITH_TIMEOUT(window.datasetPanel()->dataset() && samples->rowCount() == static_cast<int>(count), 30000);
            for (int r = 0; r < samples->rowCount(); ++r) {
                QCOMPARE(samples->dataset()->samples[samples->sampleAt(r)].label, t);
                // Each with the model's three most likely classes, the predicted one first.
                const QString note = samples->noteAt(r);
                QVERIFY2(note.startsWith(panel->classes().at(p) + QLatin1Char(' ')), qPrintable(note));
                QCOMPARE(note.count(QLatin1Char('%')), 3);
            }
        }
        // Per-class results of the best checkpoint on the test split: recall from the
        // confusion matrix that `fuselab-cli eval` computes afresh.
        {
            ClassMetricsView *classes = panel->classMetrics();
            QCOMPARE(classes->table()->rowCount(), 3);
            std::string out;
            QCOMPARE(test::runCli({"eval", result.runDir.toStdString(), "--split", "test", "--json"}, &out), 0);
            const auto eval = nlohmann::json::parse(out);
            const auto confusion = eval.at("confusion");
            const auto names = eval.contains("classes") ? eval.at("classes").get<std::vector<std::string>>()
                                                        : std::vector<std::string>{"bright", "dark", "mid"};
            classes->table()->sortItems(0);
            for (int r = 0; r < 3; ++r) {
                const std::string name = classes->table()->item(r, 0)->text().toStdString();
                const auto c = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
                QVERIFY(c < 3);
                double row = 0;
                for (std::size_t p = 0; p < 3; ++p)
                    row += confusion[c][p].get<double>();
                const double recall = row > 0 ? confusion[c][c].get<double>() / row : 0;
                QVERIFY2(std::abs(classes->table()->item(r, 2)->data(Qt::DisplayRole).toDouble() - recall) < 6e-4, name.c_str());
                QCOMPARE(classes->table()->item(r, 4)->data(Qt::DisplayRole).toLongLong(), static_cast<qlonglong>(row));
            }
            // The best checkpoint's test confusion matrix, as counts and as row shares.
            panel->confusionSource()->setCurrentIndex(2);
            for (std::size_t t = 0; t < 3; ++t)
                for (std::size_t p = 0; p < 3; ++p)
                    QCOMPARE(panel->confusionMap()->data()->cell(static_cast<int>(p), static_cast<int>(t)), confusion[t][p].get<double>());
            panel->confusionShares()->setChecked(true);
            for (int t = 0; t < 3; ++t) {
                double sum = 0;
                for (int p = 0; p < 3; ++p)
                    sum += panel->confusionMap()->data()->cell(p, t);
                QVERIFY(std::abs(sum - 1.0) < 1e-9 || sum == 0);
            }
            panel->confusionShares()->setChecked(false);
            // Each cell of the test matrix lists exactly its test samples (as many as
            // `fuselab-cli eval` counts there), each of the cell's true class.
            SampleModel *samples = window.datasetPanel()->browser()->model();
            int total = 0;
            for (int t = 0; t < 3; ++t)
                for (int p = 0; p < 3; ++p) {
                    QSignalSpy chosen(panel, &TrainingPanel::confusionCellChosen);
                    panel->chooseConfusionCell(t, p);
                    QCOMPARE(chosen.count(), 1);
                    const auto rows = chosen.first().at(2).value<QVector<qint64>>();
                    QCOMPARE(static_cast<double>(rows.size()), confusion[t][p].get<double>());
                    total += rows.size();
                    if (rows.isEmpty())
                        continue;
                    QTRY_VERIFY_WITH_TIMEOUT(samples->rowCount() == rows.size(), 30000);
                    for (int r = 0; r < samples->rowCount(); ++r) {
                        const auto &sample = samples->dataset()->samples[samples->sampleAt(r)];
                        QCOMPARE(sample.label, t);
                        QVERIFY(sample.split == Split::Test);
                    }
                }
            QVERIFY(total > 0);
            panel->confusionSource()->setCurrentIndex(0);
        }
        // Predict: the finished run answers for a file as `fuselab-cli predict` does.
        {
            PredictPanel *predict = panel->predictPanel();
            QCOMPARE(predict->run(), result.runDir);
            const QString image = dir.path() + QStringLiteral("/data/bright/3.pgm");
            predict->addFiles({image});
            QSignalSpy answered(predict, &PredictPanel::predicted);
            QVERIFY(predict->predict());
            QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 60000);
            const QStringList classes = answered.first().at(0).toStringList();
            const auto probabilities = answered.first().at(1).value<QVector<double>>();
            std::string out;
            QCOMPARE(test::runCli({"predict", result.runDir.toStdString(), image.toStdString(), "--json"}, &out), 0);
            const auto cli = nlohmann::json::parse(out).at(0).at("probabilities");
            QCOMPARE(classes.size(), 3);
            for (int c = 0; c < classes.size(); ++c)
                QVERIFY(std::abs(cli.at(classes[c].toStdString()).get<double>() - probabilities[c]) < 1e-6);
            QVERIFY(!predict->answer()->text().contains(QStringLiteral("Missing")));
            // Two images for one sample are refused, saying why.
            predict->addFiles({dir.path() + QStringLiteral("/data/dark/1.pgm")});
            QVERIFY(predict->predict());
            QTRY_VERIFY_WITH_TIMEOUT(predict->answer()->text().contains(QStringLiteral("one sample takes one of each")), 60000);
        }
        // The per-epoch table holds the run's metrics.csv values; the CSV export every point.
        QCOMPARE(panel->epochTable()->rowCount(), 3);
        {
            QFile metrics(result.runDir + QStringLiteral("/metrics.csv"));
            QVERIFY(metrics.open(QIODevice::ReadOnly));
            const QStringList rows = QString::fromUtf8(metrics.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            const QStringList header = rows[0].split(QLatin1Char(','));
            const QStringList third = rows[3].split(QLatin1Char(','));
            const int valAcc = static_cast<int>(header.indexOf(QStringLiteral("val_accuracy")));
            QVERIFY(valAcc > 0);
            QCOMPARE(panel->epochTable()->item(2, 3)->text().toDouble(), std::round(third[valAcc].toDouble() * 1e4) / 1e4);
        }
        const QString csvFile = dir.path() + QStringLiteral("/curves.csv");
        QVERIFY(panel->exportCurves(QStringLiteral("csv"), csvFile));
        QFile csvOut(csvFile);
        QVERIFY(csvOut.open(QIODevice::ReadOnly));
        const QString curves = QString::fromUtf8(csvOut.readAll());
        QCOMPARE(curves.count(QStringLiteral("\nval_accuracy,")), 3);
        QCOMPARE(curves.count(QStringLiteral("\ntrain_loss_batch,")), panel->lossPlot()->graph(0)->dataCount());
        QVERIFY(panel->exportCurves(QStringLiteral("png"), dir.path() + QStringLiteral("/curves.png")));
        QVERIFY(QImage(dir.path() + QStringLiteral("/curves.png")).width() > 100);

        // A long run, stopped after its first epoch.
        e.training.epochs = 500;
        e.save(file);
        finished.clear();
        QVERIFY(panel->start(QString::fromStdString(file)));
        QTRY_VERIFY_WITH_TIMEOUT(panel->lossPlot()->graph(1)->dataCount() >= 1, 120000);
        QElapsedTimer t;
        t.start();
        panel->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 10000);
        QVERIFY2(t.elapsed() < 1000, qPrintable(QStringLiteral("%1 ms").arg(t.elapsed())));
        const auto stopped = finished.first().first().value<TrainingResultInfo>();
        QVERIFY(stopped.stopped);
        QVERIFY(QFileInfo::exists(stopped.runDir + QStringLiteral("/checkpoints/last.pt")));

        // The run history lists both runs; the stopped one resumes from where it stopped.
        QTreeWidget *runs = panel->runList();
        QCOMPARE(runs->topLevelItemCount(), 2);
        QTreeWidgetItem *stoppedItem = nullptr;
        for (int i = 0; i < runs->topLevelItemCount(); ++i)
            if (runs->topLevelItem(i)->data(0, Qt::UserRole).toString() == stopped.runDir)
                stoppedItem = runs->topLevelItem(i);
        QVERIFY(stoppedItem);
        QCOMPARE(stoppedItem->text(1), QStringLiteral("stopped"));
        // Export… on a run opens the export dialog for exactly that run.
        for (int i = 0; i < runs->topLevelItemCount(); ++i)
            if (runs->topLevelItem(i) != stoppedItem)
                runs->setCurrentItem(runs->topLevelItem(i));
        QTest::mouseClick(panel->findChild<QPushButton *>(QStringLiteral("exportRun")), Qt::LeftButton);
        ExportDialog *exporter = window.findChild<ExportDialog *>();
        QVERIFY(exporter && exporter->isVisible());
        QVERIFY2(exporter->folder()->text().startsWith(runs->currentItem()->data(0, Qt::UserRole).toString()), qPrintable(exporter->folder()->text()));
        exporter->close();
        auto *resumeButton = panel->findChild<QPushButton *>(QStringLiteral("resumeRun"));
        runs->setCurrentItem(stoppedItem);
        QVERIFY(resumeButton->isEnabled());
        finished.clear();
        QTest::mouseClick(resumeButton, Qt::LeftButton);
        QVERIFY(panel->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(panel->lossPlot()->graph(1)->dataCount() >= 1, 120000);
        panel->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 10000);
        const auto again = finished.first().first().value<TrainingResultInfo>();
        QVERIFY(again.stopped);
        QCOMPARE(again.runDir, stopped.runDir);
        QVERIFY(again.epochsCompleted >= 2); // continued after epoch 1 rather than starting over
        QFile csv(stopped.runDir + QStringLiteral("/metrics.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 3); // header, epoch 1 from the first session, epoch 2 from the resumed one
        QVERIFY(lines[1].startsWith(QStringLiteral("1,")) && lines[2].startsWith(QStringLiteral("2,")));

        // A GPU that cannot be used: the run trains on the CPU and says so.
        const std::vector<std::string> devices = trainingDevices();
        if (std::find(devices.begin(), devices.end(), "cuda:7") == devices.end()) {
            e.training.epochs = 1;
            e.save(file);
            panel->setChosenDevice(QStringLiteral("cuda:7"));
            QSignalSpy messages(panel, &TrainingPanel::message);
            finished.clear();
            QVERIFY(panel->start(QString::fromStdString(file)));
            QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 120000);
            QCOMPARE(finished.count(), 1);
            const auto onCpu = finished.first().first().value<TrainingResultInfo>();
            QVERIFY(!onCpu.stopped);
            bool told = false;
            for (const auto &m : messages)
                told |= m.first().toString().contains(QStringLiteral("cuda:7 cannot be used")) &&
                        m.first().toString().contains(QStringLiteral("training on the CPU instead"));
            QVERIFY(told);
            QCOMPARE(Experiment::load((onCpu.runDir + QStringLiteral("/experiment.fuselab.json")).toStdString()).training.device,
                     std::string("cpu"));
            bool listed = false;
            for (int i = 0; i < runs->topLevelItemCount(); ++i)
                if (runs->topLevelItem(i)->data(0, Qt::UserRole).toString() == onCpu.runDir) {
                    QCOMPARE(runs->topLevelItem(i)->text(8), QStringLiteral("cpu")); // where it trained
                    QVERIFY(!runs->topLevelItem(i)->text(7).isEmpty());           // when it started
                    listed = true;
                }
            QVERIFY(listed);
        }

        // A run made by the command line shows in the history too; a past run's dashboard
        // shows its epochs; deleting a run removes its folder and its line.
        {
            const std::string cliRun = root + "/runs/from-cli";
            e.training.epochs = 2;
            e.save(file);
            QCOMPARE(test::runCli({"train", file, "--out", cliRun}), 0);
            panel->refreshRuns();
            QTreeWidgetItem *cliItem = nullptr;
            for (int i = 0; i < runs->topLevelItemCount(); ++i)
                if (runs->topLevelItem(i)->data(0, Qt::UserRole).toString() == QString::fromStdString(cliRun))
                    cliItem = runs->topLevelItem(i);
            QVERIFY(cliItem);
            QCOMPARE(cliItem->text(1), QStringLiteral("finished"));
            panel->showRun(QString::fromStdString(cliRun));
            QCOMPARE(panel->epochTable()->rowCount(), 2);
            QCOMPARE(panel->lossPlot()->graph(4)->dataCount(), 2);
            QVERIFY(panel->confusionMap()->visible());
            const int before = runs->topLevelItemCount();
            QVERIFY(panel->deleteRun(QString::fromStdString(cliRun), false));
            QVERIFY(!QFileInfo::exists(QString::fromStdString(cliRun)));
            QCOMPARE(runs->topLevelItemCount(), before - 1);
        }

        // Comparing the first, finished run with the stopped one: one curve per run with its
        // metrics.csv rows, and a table row each with the report's test accuracy.
        runs->clearSelection();
        QTreeWidgetItem *finishedItem = nullptr;
        for (int i = 0; i < runs->topLevelItemCount(); ++i) {
            const QString d = runs->topLevelItem(i)->data(0, Qt::UserRole).toString();
            if (d == result.runDir)
                finishedItem = runs->topLevelItem(i);
            if (d == result.runDir || d == stopped.runDir)
                runs->topLevelItem(i)->setSelected(true);
        }
        QVERIFY(finishedItem);
        auto *compare = panel->findChild<QPushButton *>(QStringLiteral("compareRuns"));
        QVERIFY(compare->isEnabled());
        QTest::mouseClick(compare, Qt::LeftButton);
        RunComparison *comparison = panel->comparison();
        QCOMPARE(comparison->plot()->graphCount(), 2);
        QCOMPARE(comparison->table()->rowCount(), 2);
        for (int g = 0; g < 2; ++g) {
            const QString name = comparison->plot()->graph(g)->name();
            const QString dir = name.startsWith(QFileInfo(result.runDir).fileName()) ? result.runDir : stopped.runDir;
            if (g == 1) // the legend names what differs from the first run
                QVERIFY2(name.contains(QStringLiteral("training.epochs")), qPrintable(name));
            QFile m(dir + QStringLiteral("/metrics.csv"));
            QVERIFY(m.open(QIODevice::ReadOnly));
            QCOMPARE(comparison->plot()->graph(g)->dataCount(), QString::fromUtf8(m.readAll()).count(QLatin1Char('\n')) - 1);
        }
        for (int r = 0; r < 2; ++r)
            if (comparison->table()->item(r, 0)->text() == QFileInfo(result.runDir).fileName())
                QCOMPARE(comparison->table()->item(r, 4)->text(), QString::number(result.testAccuracy * 100, 'f', 1) + QLatin1Char('%'));
    }

    // A multi-label run's Classes tab: per-label precision/recall/F1 and each label's 2×2
    // matrix. The report is written by hand: label "cat" over 5 test samples, truth
    // 1 1 0 0 1 and prediction 1 0 0 1 1 -> tn 1, fp 1, fn 1, tp 2, precision = recall = 2/3;
    // label "dog" never true, predicted once -> tn 4, fp 1, precision = recall = 0.
    void multiLabelRunsShowEachLabelsMatrix()
    {
        QTemporaryDir dir;
        const nlohmann::json report = {
            {"classes", {"cat", "dog"}},
            {"best_epoch", 2},
            {"test",
             {{"task", "multi-label"},
              {"per_label", {{"precision", {2.0 / 3, 0.0}}, {"recall", {2.0 / 3, 0.0}}, {"f1", {2.0 / 3, 0.0}}, {"support", {3, 0}}}},
              {"label_confusion", {{{1, 1}, {1, 2}}, {{4, 1}, {0, 0}}}}}}};
        test::writeFile(dir.path().toStdString() + "/report.json", report.dump());
        ClassMetricsView view;
        view.resize(800, 600);
        view.show();
        view.setRun(dir.path());
        QCOMPARE(view.table()->rowCount(), 2);
        LabelMatrixGrid *grid = view.labelMatrices();
        QVERIFY(grid->isVisibleTo(&view));
        QCOMPARE(grid->labels(), (QStringList{QStringLiteral("cat"), QStringLiteral("dog")}));
        QCOMPARE(grid->matrices().size(), 2);
        const std::array<qint64, 4> cat{1, 1, 1, 2}, dog{4, 1, 0, 0}; // tn, fp, fn, tp
        QCOMPARE(grid->matrices()[0], cat);
        QCOMPARE(grid->matrices()[1], dog);
        // The table's precision is tp / (tp + fp) of the matrix shown beside it.
        view.table()->sortItems(0);
        QCOMPARE(view.table()->item(0, 1)->data(Qt::DisplayRole).toDouble(), 0.667);
        QVERIFY(!grid->grab().isNull());
        // A single-label report has no label matrices.
        test::writeFile(dir.path().toStdString() + "/report.json",
                        nlohmann::json({{"classes", {"a", "b"}},
                                        {"test", {{"per_class", {{"precision", {1.0, 1.0}}, {"recall", {1.0, 1.0}}, {"f1", {1.0, 1.0}}, {"support", {1, 1}}}}}}})
                            .dump());
        view.setRun(dir.path());
        QCOMPARE(view.table()->rowCount(), 2);
        QVERIFY(!grid->isVisibleTo(&view) && grid->matrices().isEmpty());
    }

    // A GPU failure mid-run (its signal from the worker, as a CUDA out-of-memory would send
    // it; this machine has no GPU) says why and offers to resume on the CPU, which continues
    // the same run from its last checkpoint on the CPU.
    void gpuFailureOffersToResumeOnTheCpu()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        const std::string file = root + "/long.fuselab.json";
        brightnessExperiment(root, 500).save(file);
        MainWindow window;
        window.show();
        window.openPath(QString::fromStdString(file));
        TrainingPanel *panel = window.trainingPanel();
        QVERIFY(panel->start(QString::fromStdString(file)));
        QTRY_VERIFY_WITH_TIMEOUT(panel->lossPlot()->graph(1)->dataCount() >= 1, 120000);
        panel->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 30000);
        const QString runDir = panel->lastRunDir();
        QVERIFY(QFileInfo::exists(runDir + QStringLiteral("/checkpoints/last.pt")));
        const int epochsBefore = static_cast<int>(RunFolder(runDir.toStdString()).readMetrics().size());
        auto *resumeOnCpu = panel->findChild<QPushButton *>(QStringLiteral("resumeOnCpu"));
        QVERIFY(resumeOnCpu && !resumeOnCpu->isVisible());
        // A failure that is not the GPU's offers nothing.
        Q_EMIT panel->worker()->failed(QStringLiteral("disk full"), false);
        QCoreApplication::processEvents();
        QVERIFY(!resumeOnCpu->isVisible());
        QSignalSpy said(panel, &TrainingPanel::message);
        Q_EMIT panel->worker()->failed(QStringLiteral("CUDA out of memory. Tried to allocate 2.00 GiB"), true);
        QTRY_VERIFY(resumeOnCpu->isVisible());
        QVERIFY(!said.isEmpty() && said.last().at(1).toBool()); // an error, with the reason
        QVERIFY2(said.last().at(0).toString().contains(QStringLiteral("CUDA out of memory")), qPrintable(said.last().at(0).toString()));
        QSignalSpy started(panel, &TrainingPanel::runStarted);
        QTest::mouseClick(resumeOnCpu, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1, 30000);
        QVERIFY(panel->isRunning());
        QCOMPARE(panel->plan().device, QStringLiteral("cpu"));
        QCOMPARE(panel->plan().startEpoch, epochsBefore + 1); // the same run, from its checkpoint
        QCOMPARE(panel->lastRunDir(), runDir);
        QTRY_VERIFY_WITH_TIMEOUT(static_cast<int>(RunFolder(runDir.toStdString()).readMetrics().size()) > epochsBefore, 120000);
        panel->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 30000);
        QCOMPARE(RunFolder(runDir.toStdString()).status(), RunStatus::Stopped);
    }

    // File → Export: the dialog writes the run's safetensors, TorchScript and ONNX files off the
    // GUI thread, and refuses a folder that is not empty before touching anything.
    void exportDialogWritesTheRun()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        const std::string file = root + "/small.fuselab.json";
        brightnessExperiment(root, 2).save(file);
        std::string out, err;
        QVERIFY2(test::runCli({"train", file, "--out", root + "/run", "--quiet"}, &out, &err) == 0, err.c_str());
        ExportDialog dialog(QString::fromStdString(root + "/run"));
        dialog.show();
        dialog.folder()->setText(QString::fromStdString(root + "/out"));
        QSignalSpy exported(&dialog, &ExportDialog::exported);
        QTest::mouseClick(dialog.exportButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60000);
        for (const char *f : {"model.pt", "model.safetensors", "model.onnx", "preprocessing.json", "README.md", "experiment.fuselab.json"})
            QVERIFY2(QFileInfo(QString::fromStdString(root + "/out/" + f)).size() > 0, f);
        QVERIFY(!readSafetensors(root + "/out/model.safetensors").tensors.empty());
        const QDateTime written = QFileInfo(QString::fromStdString(root + "/out/model.pt")).lastModified();
        QVERIFY(!dialog.startExport());
        QVERIFY2(dialog.status()->text().contains(QStringLiteral("not empty")), qPrintable(dialog.status()->text()));
        QCOMPARE(QFileInfo(QString::fromStdString(root + "/out/model.pt")).lastModified(), written);
        // No format chosen: nothing starts.
        dialog.safetensors()->setChecked(false);
        dialog.torchScript()->setChecked(false);
        dialog.onnx()->setChecked(false);
        dialog.folder()->setText(QString::fromStdString(root + "/out2"));
        QVERIFY(!dialog.startExport() && !dialog.isExporting());
    }

    // Closing the window during a run asks; "Yes" stops the run, keeps its checkpoint (it
    // reads as stopped, resumable) and ends the training thread before the window goes.
    void closingDuringTrainingKeepsTheCheckpoint()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        const std::string file = root + "/long.fuselab.json";
        brightnessExperiment(root, 500).save(file);
        auto *window = new MainWindow;
        window->show();
        window->openPath(QString::fromStdString(file));
        TrainingPanel *panel = window->trainingPanel();
        QVERIFY(panel->start(QString::fromStdString(file)));
        QTRY_VERIFY_WITH_TIMEOUT(panel->lossPlot()->graph(1)->dataCount() >= 1, 120000);
        const QString runDir = panel->lastRunDir();
        bool asked = false;
        QTimer::singleShot(100, [&] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                asked = true;
                box->button(QMessageBox::Yes)->click();
            }
        });
        QElapsedTimer t;
        t.start();
        QVERIFY(window->close());
        QVERIFY(asked);
        QVERIFY2(t.elapsed() < 5000, qPrintable(QStringLiteral("%1 ms").arg(t.elapsed())));
        // The training thread has ended before the window went (no leaked thread).
        QThread *thread = panel->findChild<QThread *>(QStringLiteral("fuselab-training"));
        QVERIFY(thread && !thread->isRunning());
        delete window;
        QVERIFY(QFileInfo::exists(runDir + QStringLiteral("/checkpoints/last.pt")));
        QCOMPARE(std::string(runStatusName(RunFolder(runDir.toStdString()).status())), std::string("stopped"));
    }

    void sampleBrowserOpens70000SamplesFast()
    {
        // Fashion-MNIST's size: the browser must not build a widget, or decode, per sample.
        auto d = std::make_shared<Dataset>();
        d->classes = {"a", "b"};
        d->columns = {{"image", Modality::Image}};
        auto blob = std::make_shared<ImageBlob>();
        blob->count = 70000;
        blob->rows = blob->cols = 28;
        blob->pixels.resize(70000 * 28 * 28);
        for (std::size_t i = 0; i < blob->pixels.size(); ++i)
            blob->pixels[i] = static_cast<std::uint8_t>((i / 784) % 256);
        d->blob = blob;
        d->samples.resize(70000);
        for (std::size_t i = 0; i < d->samples.size(); ++i) {
            Sample &s = d->samples[i];
            s.id = std::to_string(i);
            s.label = static_cast<int>(i % 2);
            s.split = i < 60000 ? Split::Train : Split::Test;
            s.fields = {Field{true, {}, false, static_cast<std::int64_t>(i)}};
        }
        SampleBrowser browser;
        browser.resize(600, 500);
        browser.show();
        QElapsedTimer t;
        t.start();
        browser.setDataset(d);
        QApplication::processEvents();
        const qint64 opened = t.elapsed();
        QCOMPARE(browser.model()->rowCount(), 70000);
        QVERIFY2(opened < 1000, qPrintable(QStringLiteral("%1 ms").arg(opened)));
        // The visible thumbnails arrive; sample 3's picture is its grey level (3).
        auto centre = [&] {
            return browser.model()->data(browser.model()->index(3), Qt::DecorationRole).value<QPixmap>().toImage().pixelColor(36, 36);
        };
        QCOMPARE(centre(), QColor(0xe8, 0xe8, 0xe8)); // a placeholder first: nothing decoded on the GUI thread
        QTRY_COMPARE_WITH_TIMEOUT(centre(), QColor(3, 3, 3), 5000);
        // Scrolling to the end stays quick.
        t.restart();
        browser.view()->scrollToBottom();
        QApplication::processEvents();
        QVERIFY2(t.elapsed() < 500, qPrintable(QStringLiteral("%1 ms").arg(t.elapsed())));
        qInfo("70,000 samples shown in %lld ms", static_cast<long long>(opened));
    }

    // The dataset panel's skipped files with their reasons, in English and, with the app's
    // Chinese catalogue installed (the one gui_main loads, embedded here at the same path),
    // in Chinese: a reader's reason with a nested sentence ("(none)" inside the unknown
    // extension), a decoding error from the health check, and the health check's own.
    void skippedFilesAreShownTranslated()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/shapes";
        for (const char *c : {"cat", "dog"})
            for (int i = 0; i < 3; ++i)
                test::writeFile(root + "/" + c + "/" + std::to_string(i) + ".pgm", "P5\n4 4\n255\n" + std::string(16, static_cast<char>(40 + 20 * i)));
        test::writeFile(root + "/cat/empty.pgm", "");
        test::writeFile(root + "/dog/notes", "not a sample");
        const auto reasons = [&] {
            DatasetPanel panel;
            QSignalSpy opened(&panel, &DatasetPanel::opened);
            panel.open(QString::fromStdString(root));
            [&] { QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 20000); }();
            std::map<QString, QString> byFile;
            auto *list = panel.findChild<QTreeWidget *>(QStringLiteral("skippedFiles"));
            for (int i = 0; list && i < list->topLevelItemCount(); ++i)
                byFile[list->topLevelItem(i)->text(0)] = list->topLevelItem(i)->text(1);
            return byFile;
        };

        const std::map<QString, QString> english = reasons();
        QCOMPARE(english.size(), std::size_t(3));
        QCOMPARE(english.at("dog/notes"), QString("unknown extension \"(none)\" (not an image, audio or .txt file); skipped"));
        QCOMPARE(english.at("cat/empty.pgm"), QString("empty file (0 bytes)"));
        QCOMPARE(english.at("cat/empty"), QString("sample has no readable modality; skipped"));

        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(":/i18n/fuselab_zh_CN.qm")));
        QVERIFY(QCoreApplication::installTranslator(&zh));
        const std::map<QString, QString> chinese = reasons();
        QCoreApplication::removeTranslator(&zh);
        QCOMPARE(chinese.size(), std::size_t(3));
        QCOMPARE(chinese.at("dog/notes"), QString("未知的扩展名“（无）”（不是图像、音频或 .txt 文件）；已跳过"));
        QCOMPARE(chinese.at("cat/empty.pgm"), QString("空文件（0 字节）"));
        QCOMPARE(chinese.at("cat/empty"), QString("样本没有可读取的模态；已跳过"));
    }

    void cancelStopsALargeScanWithinASecond()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString() + "/big";
        // 30 classes x 400 small images: the health check decodes and hashes every one.
        for (int c = 0; c < 30; ++c)
            for (int i = 0; i < 400; ++i)
                test::writeFile(root + "/class" + std::to_string(c) + "/" + std::to_string(i) + ".pgm",
                                "P5\n16 16\n255\n" + std::string(256, static_cast<char>((c * 7 + i) % 250)));
        DatasetPanel panel;
        QSignalSpy opened(&panel, &DatasetPanel::opened);
        // Cancel as soon as the work reports progress, i.e. in the middle of it.
        QElapsedTimer t;
        QString stageAtCancel;
        connect(&panel, &DatasetPanel::progressed, &panel, [&](const QString &stage, qint64 done, qint64 total) {
            if (t.isValid() || (total > 0 && done >= total))
                return;
            stageAtCancel = stage;
            t.start();
            panel.cancel();
        });
        panel.open(QString::fromStdString(root));
        QVERIFY(panel.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy(), 10000);
        QVERIFY2(t.isValid(), "no progress was reported");
        QVERIFY2(t.elapsed() < 1000, qPrintable(QStringLiteral("took %1 ms").arg(t.elapsed())));
        QCOMPARE(opened.count(), 0); // stopped, not finished
        QVERIFY(panel.dataset() == nullptr);
        qInfo("cancelled while %s", qPrintable(stageAtCancel));
    }
};

QTEST_MAIN(TestGraphEditor)
#include "test_graph_editor.moc"
