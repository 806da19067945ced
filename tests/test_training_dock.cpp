// SPDX-License-Identifier: GPL-3.0-or-later
// The training dock: a run trained in the worker thread with live curves and the confusion
// matrix, Stop and resume, multi-label matrices, the GPU fall-back, the export dialog, and
// closing the window during a run.
#include "core/cache/TensorCache.h"
#include "core/document/RunFolder.h"
#include "core/document/Templates.h"
#include "core/project/Services.h"
#include "core/model/BlockCatalogue.h"
#include "tests/support/GuiTest.h"
#include "tests/support/TestFiles.h"
#include "widgets/training/ClassMetricsView.h"
#include "widgets/training/RegressionView.h"
#include "widgets/training/SequenceView.h"
#include "core/train/Explanation.h"
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

class TestTrainingDock final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FuseLabTests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_training_dock"));
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
        // The dock's test accuracy is the run's: recounted here from its per-sample predictions.
        {
            QFile preds(result.runDir + QStringLiteral("/predictions-test.jsonl"));
            QVERIFY(preds.open(QIODevice::ReadOnly));
            int right = 0, all = 0;
            for (const QByteArray &line : preds.readAll().split('\n')) {
                if (line.trimmed().isEmpty())
                    continue;
                const auto p = nlohmann::json::parse(line.toStdString());
                right += p["label"] == p["predicted"];
                ++all;
            }
            QCOMPARE(all, 9);
            QCOMPARE(result.testAccuracy, double(right) / all);
        }
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
        // Stop is honoured between batches (test_training counts them); here the dock's part:
        // the worker ends with a stopped, resumable run, long before its 500 epochs.
        QElapsedTimer t;
        t.start();
        panel->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 60000);
        qInfo("the run stopped %lld ms after Stop", static_cast<long long>(t.elapsed()));
        QCOMPARE(finished.count(), 1);
        const auto stopped = finished.first().first().value<TrainingResultInfo>();
        QVERIFY(stopped.stopped);
        QVERIFY2(stopped.epochsCompleted < 500, qPrintable(QString::number(stopped.epochsCompleted)));
        QCOMPARE(RunFolder(stopped.runDir.toStdString()).status(), RunStatus::Stopped);
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
    // A regression run's events (as the worker sends them): the predicted-against-true view
    // takes the confusion matrix's place, the curves and the table name R², r and RMSE, and a
    // click on a point names that sample's row, target and prediction.
    void aRegressionRunShowsPredictedAgainstTrue()
    {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        TrainingPanel *panel = window.trainingPanel();
        TrainingPlanInfo plan;
        plan.epochs = 3;
        plan.stepsPerEpoch = 4;
        plan.classes = {QStringLiteral("score")};
        plan.regression = true;
        Q_EMIT panel->worker()->started(plan);
        QCoreApplication::processEvents();
        QVERIFY(panel->regressionView()->isVisible());
        QVERIFY(!panel->confusionPlot()->isVisible());
        QCOMPARE(panel->lossPlot()->graph(2)->name(), QStringLiteral("validation R²"));
        QCOMPARE(panel->epochTable()->horizontalHeaderItem(3)->text(), QStringLiteral("Validation RMSE"));
        TrainingEpochInfo e;
        e.epoch = 1;
        e.trainLoss = 0.5;
        e.valLoss = 0.4;
        e.regression = true;
        e.valRmse = 0.25;
        e.valR2 = 0.9;
        e.valPearson = 0.95;
        e.best = true;
        e.valRows = {7, 3, 11, 5};
        e.valTargets = {4.0, 1.0, 9.0, 2.5}; // not in order: the view sorts by the truth
        e.valPredicted = {4.5, 1.25, 8.0, 2.0};
        Q_EMIT panel->worker()->epoch(e);
        QCoreApplication::processEvents();
        RegressionView *view = panel->regressionView();
        QCOMPARE(view->pointCount(), 4);
        QCOMPARE(panel->epochTable()->item(0, 3)->text(), QStringLiteral("0.25"));
        QCOMPARE(panel->lossPlot()->graph(2)->data()->at(0)->value, 0.9);
        QCOMPARE(panel->lossPlot()->graph(3)->data()->at(0)->value, 0.95);
        // 20 bins of residuals: 4 samples counted.
        auto *bars = static_cast<QCPBars *>(view->residualPlot()->plottable(0));
        double counted = 0;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            counted += it->value;
        QCOMPARE(counted, 4.0);
        // A click on the point (9, 8) opens row 11.
        QSignalSpy chosen(panel, &TrainingPanel::regressionSampleChosen);
        view->scatterPlot()->replot();
        const QPoint at(static_cast<int>(view->scatterPlot()->xAxis->coordToPixel(9.0)), static_cast<int>(view->scatterPlot()->yAxis->coordToPixel(8.0)));
        QTest::mouseClick(view->scatterPlot(), Qt::LeftButton, Qt::NoModifier, at);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toLongLong(), 11LL);
        QCOMPARE(chosen.at(0).at(1).toDouble(), 9.0);
        QCOMPARE(chosen.at(0).at(2).toDouble(), 8.0);
        view->residualPlot()->replot();
        panel->lossPlot()->replot();
        if (qEnvironmentVariableIsSet("FUSELAB_SHOT"))
            window.grab().save(qEnvironmentVariable("FUSELAB_SHOT"));
    }

    // A sequence run's events (as the worker sends them): the sample table takes the
    // confusion matrix's place, worst first by each sample's WER (counted here by hand), the
    // curves and the table name BLEU and WER, and choosing a row names its dataset row.
    void aSequenceRunListsItsSamplesWorstFirst()
    {
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        TrainingPanel *panel = window.trainingPanel();
        TrainingPlanInfo plan;
        plan.epochs = 3;
        plan.stepsPerEpoch = 4;
        plan.classes = {QStringLiteral("<pad>"), QStringLiteral("<unk>"), QStringLiteral("<bos>"), QStringLiteral("<eos>"), QStringLiteral("a")};
        plan.sequence = true;
        Q_EMIT panel->worker()->started(plan);
        QCoreApplication::processEvents();
        QVERIFY(panel->sequenceView()->isVisible());
        QVERIFY(!panel->confusionPlot()->isVisible());
        QVERIFY(!panel->regressionView()->isVisible());
        QCOMPARE(panel->lossPlot()->graph(2)->name(), QStringLiteral("validation BLEU"));
        QCOMPARE(panel->lossPlot()->graph(3)->name(), QStringLiteral("validation WER (%)"));
        QCOMPARE(panel->epochTable()->horizontalHeaderItem(3)->text(), QStringLiteral("Validation BLEU"));
        QCOMPARE(panel->epochTable()->horizontalHeaderItem(4)->text(), QStringLiteral("WER"));
        TrainingEpochInfo e;
        e.epoch = 1;
        e.trainLoss = 2.5;
        e.valLoss = 2.0;
        e.sequence = true;
        e.valBleu = 37.5;
        e.valWer = 0.25;
        e.best = true;
        // WER by hand: 0/4; "a x c" for "a b c d" is a substitution and a deletion, 2/4;
        // "a b c x" one substitution, 1/4.
        e.valRows = {4, 9, 2};
        e.valReferences = {QStringLiteral("a b c d"), QStringLiteral("a b c d"), QStringLiteral("a b c d")};
        e.valHypotheses = {QStringLiteral("a b c d"), QStringLiteral("a x c"), QStringLiteral("a b c x")};
        Q_EMIT panel->worker()->epoch(e);
        QCoreApplication::processEvents();
        SequenceView *view = panel->sequenceView();
        QCOMPARE(view->table()->rowCount(), 3);
        QCOMPARE(view->rowAt(0), 9LL);
        QCOMPARE(view->rowAt(1), 2LL);
        QCOMPARE(view->rowAt(2), 4LL);
        QCOMPARE(view->table()->item(0, 0)->text(), QStringLiteral("50%"));
        QCOMPARE(view->table()->item(1, 0)->text(), QStringLiteral("25%"));
        QCOMPARE(view->table()->item(2, 0)->text(), QStringLiteral("0%"));
        QCOMPARE(view->table()->item(0, 3)->text(), QStringLiteral("a x c"));
        QCOMPARE(panel->epochTable()->item(0, 3)->text(), QStringLiteral("37.50"));
        QCOMPARE(panel->epochTable()->item(0, 4)->text(), QStringLiteral("0.2500"));
        QCOMPARE(panel->lossPlot()->graph(2)->data()->at(0)->value, 37.5);
        QCOMPARE(panel->lossPlot()->graph(3)->data()->at(0)->value, 25.0);
        QSignalSpy chosen(panel, &TrainingPanel::sequenceSampleChosen);
        QTest::mouseClick(view->table()->viewport(), Qt::LeftButton, Qt::NoModifier,
                          view->table()->visualItemRect(view->table()->item(1, 2)).center());
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toLongLong(), 2LL);
        // Character targets: the same samples by CER.
        e.characterTargets = true;
        e.valCer = 0.1;
        Q_EMIT panel->worker()->epoch(e);
        QCoreApplication::processEvents();
        QCOMPARE(panel->epochTable()->horizontalHeaderItem(4)->text(), QStringLiteral("CER"));
        QCOMPARE(view->table()->horizontalHeaderItem(0)->text(), QStringLiteral("CER"));
        // "a x c" against "a b c d" by characters (spaces kept, as jiwer counts): "a x c"
        // vs "a b c d" is 1 substitution and 2 deletions of 7 characters.
        QCOMPARE(view->table()->item(0, 0)->text(), QStringLiteral("%1%").arg(100.0 * 3 / 7, 0, 'f', 0));
    }

    // A real sequence run trained in the dock: the sample table's Source column is the
    // dataset's text, and choosing a sample shows the decoder's attention from the best
    // checkpoint, the same weights core computes for that row.
    void aTrainedSequenceRunShowsTheAttentionOfASample()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        const char *shapes[][2] = {{"kreis", "circle"}, {"stern", "star"}, {"quadrat", "square"}};
        const char *names[] = {"anna", "bert", "clara", "dora"};
        std::string manifest = "photo,source,target\n";
        std::vector<std::string> sources;
        for (int i = 0; i < 120; ++i) {
            const int shape = i % 3, shade = (i / 3) % 2;
            const char *name = names[(i / 6) % 4];
            std::string pgm = "P5\n4 4\n255\n" + std::string(16, static_cast<char>(shade ? 220 : 30));
            test::writeFile(root + "/p" + std::to_string(i) + ".pgm", pgm);
            sources.push_back(std::string("der ") + shapes[shape][0] + " bei " + name);
            manifest += "p" + std::to_string(i) + ".pgm," + sources.back() + ",the " + (shade ? "light " : "dark ") + shapes[shape][1] + " near " + name + "\n";
        }
        test::writeFile(root + "/manifest.csv", manifest);
        std::string out, err;
        QVERIFY2(test::runCli({"new", "--template", "translation", "--dataset", root + "/manifest.csv", "--label-column", "target", "--task",
                               "sequence", "-o", root + "/tr.fuselab.json"}, &out, &err) == 0, err.c_str());
        Experiment e = Experiment::load(root + "/tr.fuselab.json");
        e.training.epochs = 3;
        e.training.patience = 0;
        e.save(root + "/tr.fuselab.json");
        MainWindow window;
        window.resize(1600, 1000);
        window.show();
        window.openPath(QString::fromStdString(root + "/tr.fuselab.json"));
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->hasExperiment() && window.datasetPanel()->dataset(), 60000);
        TrainingPanel *panel = window.trainingPanel();
        QSignalSpy finished(panel, &TrainingPanel::runFinished);
        QVERIFY(panel->start(QString::fromStdString(root + "/tr.fuselab.json")));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 180000);
        SequenceView *view = panel->sequenceView();
        QVERIFY(view->isVisible());
        QVERIFY(view->table()->rowCount() > 0);
        const qint64 row = view->rowAt(0);
        QCOMPARE(view->table()->item(0, 1)->text(), QString::fromStdString(sources.at(static_cast<std::size_t>(row))));
        QSignalSpy shown(view, &SequenceView::attentionShown);
        view->chooseRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, 60000);
        QVERIFY2(shown.at(0).at(0).toBool(), qPrintable(shown.at(0).at(1).toString()));
        const RunRecord record = RunFolder(panel->lastRunDir().toStdString()).readRecord();
        const SequenceAttention want = attendSample(panel->lastRunDir().toStdString(), record.cache, row);
        QCPColorMapData *data = view->colorMap()->data();
        QCOMPARE(data->keySize(), static_cast<int>(want.slots.size()));
        QCOMPARE(data->valueSize(), static_cast<int>(want.outputs.size()));
        for (std::size_t t = 0; t < want.outputs.size(); ++t)
            for (std::size_t k = 0; k < want.slots.size(); ++k)
                QCOMPARE(data->cell(static_cast<int>(k), static_cast<int>(t)), want.weights[t][k]);
        QVERIFY(view->heatMap()->isVisible());

        // Opened again from the run history, the finished run lists its best checkpoint's
        // validation samples: every one, references as the dataset has them, and as many
        // exact matches as the report's validation exact match says.
        view->clear();
        QCOMPARE(view->table()->rowCount(), 0);
        panel->showRun(panel->lastRunDir());
        const TensorCache cache = TensorCache::open(record.cache);
        const auto valRows = cache.rows(Split::Val);
        QCOMPARE(view->table()->rowCount(), static_cast<int>(valRows.size()));
        int exact = 0;
        for (int i = 0; i < view->table()->rowCount(); ++i) {
            const qint64 r = view->rowAt(i);
            QVERIFY(std::find(valRows.begin(), valRows.end(), r) != valRows.end());
            QCOMPARE(view->table()->item(i, 2)->text(), QString::fromStdString(cache.targetText(r)));
            exact += view->table()->item(i, 2)->text() == view->table()->item(i, 3)->text();
        }
        const auto report = nlohmann::json::parse(test::readAll(panel->lastRunDir().toStdString() + "/report.json"));
        QCOMPARE(100.0 * exact / valRows.size(), report["val"]["exact_match"].get<double>());
    }

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

};

QTEST_MAIN(TestTrainingDock)
#include "test_training_dock.moc"
