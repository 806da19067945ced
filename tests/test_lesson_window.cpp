// SPDX-License-Identifier: GPL-3.0-or-later
// The lessons in the app: a lesson folder shown as a table (best row marked), overlaid
// curves, grouped bars and modality weights, checked value by value against the lesson file
// written here by hand; the HTML report parsed back and checked section by section; a real
// lesson trained in the window's worker thread, then one stopped mid-run (stopped within a
// second, the rest skipped); "Why this prediction?" for a trained fusion.
#include "core/document/RunFolder.h"
#include "core/project/Lesson.h"
#include "core/project/Prediction.h"
#include "core/train/Predictor.h"
#include "core/train/Explanation.h"
#include "tests/support/TestFiles.h"
#include "widgets/ExplainView.h"
#include "widgets/lessons/LessonWindow.h"
#include "widgets/QCustomPlotWrapper.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <filesystem>
#include <set>
#include <sstream>

using namespace fuselab;
using namespace fuselab::gui;
namespace fs = std::filesystem;

namespace {

// A lesson as fuselab-cli writes it: three runs (image only 80%, audio only 60%, concat 92%,
// attention 90% with weights), what each modality brings to concat.
nlohmann::json handLesson()
{
    using J = nlohmann::json;
    J runs = J::array();
    runs.push_back({{"name", "image only"}, {"kind", "single"}, {"template", "image-cnn"}, {"modality", "image"}, {"run_dir", "/nonexistent/a"},
                    {"status", "finished"}, {"parameters", 1000}, {"seconds", 12.4}, {"val_accuracy", {0.5, 0.7, 0.8}},
                    {"test_accuracy", 0.8}, {"test_macro_f1", 0.79}, {"test_recall", {0.9, 0.7}}});
    runs.push_back({{"name", "audio only"}, {"kind", "single"}, {"template", "audio-cnn"}, {"modality", "audio"}, {"run_dir", "/nonexistent/b"},
                    {"status", "finished"}, {"parameters", 2000}, {"seconds", 20.0}, {"val_accuracy", {0.4, 0.55, 0.6}},
                    {"test_accuracy", 0.6}, {"test_macro_f1", 0.58}, {"test_recall", {0.5, 0.7}}});
    runs.push_back({{"name", "concat"}, {"kind", "fusion"}, {"template", "concat"}, {"modality", ""}, {"run_dir", "/nonexistent/c"},
                    {"status", "finished"}, {"parameters", 3000}, {"seconds", 31.6}, {"val_accuracy", {0.6, 0.85, 0.9}},
                    {"test_accuracy", 0.92}, {"test_macro_f1", 0.915}, {"test_recall", {0.95, 0.89}}});
    runs.push_back({{"name", "attention-fusion"}, {"kind", "fusion"}, {"template", "attention-fusion"}, {"modality", ""}, {"run_dir", "/nonexistent/d"},
                    {"status", "stopped"}, {"parameters", 3500}, {"seconds", 8.0}, {"val_accuracy", {0.62, 0.8}},
                    {"test_accuracy", 0.9}, {"test_macro_f1", 0.9}, {"test_recall", {0.9, 0.9}},
                    {"modality_weights", {{{"node", "fusion"}, {"kind", "attention"}, {"modalities", {"image", "audio"}},
                                           {"per_class", {{0.7, 0.3}, {0.4, 0.6}}}, {"samples", {10, 10}}, {"overall", {0.55, 0.45}}}}}});
    J contributions = J::array();
    contributions.push_back({{"removed", ""}, {"accuracy", 0.92}, {"macro_f1", 0.915}, {"recall", {0.95, 0.89}}});
    contributions.push_back({{"removed", "image"}, {"accuracy", 0.55}, {"macro_f1", 0.5}, {"recall", {0.4, 0.7}}});
    contributions.push_back({{"removed", "audio"}, {"accuracy", 0.81}, {"macro_f1", 0.8}, {"recall", {0.9, 0.72}}});
    return {{"format", "fuselab-lesson"}, {"version", 1}, {"dataset", "/data/set"}, {"classes", {"cat", "dog"}}, {"runs", runs},
            {"contributions", contributions}};
}

double valueAt(QCPBars *bars, double key)
{
    const auto it = bars->data()->findBegin(key, false);
    return it != bars->data()->constEnd() && it->key == key ? it->value : -1;
}

} // namespace

class TestLessonWindow final : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void showsALessonFolderAndItsReport()
    {
        const std::string dir = m_tmp.path().toStdString() + "/hand";
        test::writeFile(dir + "/lesson.json", handLesson().dump(2));
        LessonWindow w;
        QString error;
        QVERIFY2(w.openFolder(QString::fromStdString(dir), &error), qPrintable(error));
        // The table: one row per run; 4 + 2 classes + 3 columns; the best (concat) marked and bold.
        QTableWidget *t = w.lessonTable();
        QCOMPARE(t->rowCount(), 4);
        QCOMPARE(t->columnCount(), 9);
        QCOMPARE(t->item(2, 0)->text(), QStringLiteral("★ concat (best)"));
        QVERIFY(t->item(2, 2)->font().bold());
        QCOMPARE(t->item(2, 2)->text(), QStringLiteral("92.0%"));
        QCOMPARE(t->item(2, 5)->text(), QStringLiteral("89.0%")); // recall of dog
        QCOMPARE(t->item(0, 0)->text(), QStringLiteral("image only"));
        QCOMPARE(t->item(3, 8)->text(), QStringLiteral("stopped"));
        QVERIFY(!t->item(1, 2)->font().bold()); // audio only is neither best single nor best fusion
        // The verdict: best fusion concat 92% against the best single modality image 80%: +12.0 points.
        QVERIFY2(w.verdictLabel()->text().contains(QStringLiteral("gains 12.0 points")), qPrintable(w.verdictLabel()->text()));
        QVERIFY(w.verdictLabel()->text().contains(QStringLiteral("image alone")));
        // Curves: one per run, the lesson's values per epoch.
        QCustomPlot *curves = w.curvesPlot();
        QCOMPARE(curves->graphCount(), 4);
        QCOMPARE(curves->graph(2)->dataCount(), 3);
        QCOMPARE(curves->graph(2)->data()->at(1)->key, 2.0);
        QCOMPARE(curves->graph(2)->data()->at(1)->value, 0.85);
        QCOMPARE(curves->graph(3)->dataCount(), 2);
        // What each modality brings: a bar set per contribution; overall accuracy at 0, recall per class after.
        QCustomPlot *bars = w.contributionsPlot();
        QCOMPARE(bars->plottableCount(), 3);
        auto *withoutImage = qobject_cast<QCPBars *>(bars->plottable(1));
        QVERIFY(withoutImage);
        QCOMPARE(withoutImage->name(), QStringLiteral("without image"));
        QCOMPARE(valueAt(withoutImage, 0), 0.55);
        QCOMPARE(valueAt(withoutImage, 1), 0.4);
        QCOMPARE(valueAt(withoutImage, 2), 0.7);
        // Modality weights per class: the attention run's two modalities, classes and "all classes".
        QTableWidget *weights = w.weightsTable();
        QCOMPARE(weights->columnCount(), 2);
        QCOMPARE(weights->rowCount(), 3);
        QCOMPARE(weights->horizontalHeaderItem(0)->text(), QStringLiteral("attention-fusion: image"));
        QCOMPARE(weights->item(1, 1)->text(), QStringLiteral("60.0%"));
        QCOMPARE(weights->item(2, 0)->text(), QStringLiteral("55.0%"));
        QVERIFY(w.fusionExplanation()->toPlainText().contains(QStringLiteral("Feature-level fusion")));

        // The report: XHTML that parses, with every section, the plots as PNGs that decode, the tables' rows.
        const QString report = m_tmp.filePath(QStringLiteral("report.html"));
        QVERIFY2(w.exportReport(report, &error), qPrintable(error));
        QFile f(report);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&f);
        std::set<QString> sections;
        int images = 0, resultRows = 0, weightRows = 0;
        QString table, verdict;
        bool inVerdict = false;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement()) {
                if (xml.name() == QLatin1String("section"))
                    sections.insert(xml.attributes().value(QStringLiteral("id")).toString());
                if (xml.name() == QLatin1String("table"))
                    table = xml.attributes().value(QStringLiteral("id")).toString();
                if (xml.name() == QLatin1String("tr") && table == QLatin1String("results-table"))
                    ++resultRows;
                if (xml.name() == QLatin1String("tr") && table == QLatin1String("weights-table"))
                    ++weightRows;
                if (xml.name() == QLatin1String("p") && xml.attributes().value(QStringLiteral("class")) == QLatin1String("verdict"))
                    inVerdict = true;
                if (xml.name() == QLatin1String("img")) {
                    const QString src = xml.attributes().value(QStringLiteral("src")).toString();
                    QVERIFY(src.startsWith(QStringLiteral("data:image/png;base64,")));
                    QImage image;
                    QVERIFY(image.loadFromData(QByteArray::fromBase64(src.mid(22).toLatin1()), "PNG"));
                    QVERIFY(image.width() >= 400 && image.height() >= 200);
                    ++images;
                }
            }
            if (xml.isCharacters() && inVerdict) {
                verdict += xml.text();
            }
            if (xml.isEndElement() && xml.name() == QLatin1String("p"))
                inVerdict = false;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        for (const char *id : {"verdict", "curves", "results", "contributions", "weights", "settings", "explanation"})
            QVERIFY2(sections.count(QString::fromLatin1(id)), id);
        QCOMPARE(images, 2); // curves and contributions (no graph: the runs' folders do not exist)
        QCOMPARE(resultRows, 1 + 4);
        QCOMPARE(weightRows, 1 + 3);
        QCOMPARE(verdict, w.verdictLabel()->text());

        // Presentation mode: 1.6 times the text, back on leaving it.
        const double before = w.lessonTable()->font().pointSizeF();
        w.setPresentationMode(true);
        QCOMPARE(w.lessonTable()->font().pointSizeF(), before * 1.6);
        QCOMPARE(w.curvesPlot()->xAxis->tickLabelFont().pointSizeF(), before * 1.6);
        w.setPresentationMode(false);
        QCOMPARE(w.lessonTable()->font().pointSizeF(), before);

        // Not a lesson: refused with the folder named; a broken lesson file: the file named.
        QVERIFY(!w.openFolder(m_tmp.path(), &error));
        QVERIFY2(error.contains(QStringLiteral("no lesson")), qPrintable(error));
        test::writeFile(dir + "-bad/lesson.json", R"({"format":"fuselab-lesson","runs":[{"name":"x","test_accuracy":"high"}]})");
        QVERIFY(!w.openFolder(QString::fromStdString(dir + "-bad"), &error));
        QVERIFY2(error.contains(QStringLiteral("lesson.json")), qPrintable(error));
    }

    void showsAnImbalanceLesson()
    {
        const std::string dir = m_tmp.path().toStdString() + "/imb";
        using J = nlohmann::json;
        J runs = J::array();
        const char *remedies[] = {"none", "class weights", "balanced sampler", "oversampling + augmentation"};
        const double rare[] = {0.1, 0.5, 0.6, 0.7}, f1[] = {0.6, 0.75, 0.8, 0.78};
        for (int i = 0; i < 4; ++i)
            runs.push_back({{"remedy", remedies[i]}, {"run_dir", "/nonexistent"}, {"status", "finished"}, {"train_samples", 84}, {"rare_train_samples", 4},
                            {"test_accuracy", 0.8}, {"test_macro_f1", f1[i]}, {"test_recall", {rare[i], 0.9, 0.95}}, {"rare_recall", rare[i]}});
        test::writeFile(dir + "/imbalance.json", J{{"format", "fuselab-imbalance-lesson"}, {"version", 1}, {"dataset", "/d"}, {"rare_class", "dark"},
                                                   {"ratio", 0.05}, {"template", "image-cnn"}, {"classes", {"dark", "mid", "bright"}}, {"runs", runs}}
                                                    .dump());
        LessonWindow w;
        QString error;
        test::writeFile(dir + "-fusion/lesson.json", handLesson().dump());
        QVERIFY2(w.openFolder(QString::fromStdString(dir + "-fusion"), &error), qPrintable(error));
        QVERIFY2(w.openFolder(QString::fromStdString(dir), &error), qPrintable(error));
        QCOMPARE(w.tabs()->currentIndex(), 1);
        QCOMPARE(w.lessonTable()->rowCount(), 0); // the fusion lesson shown before is gone
        QCOMPARE(w.recallPlot()->plottableCount(), 4);
        auto *sampler = qobject_cast<QCPBars *>(w.recallPlot()->plottable(2));
        QCOMPARE(sampler->name(), QStringLiteral("balanced sampler"));
        QCOMPARE(valueAt(sampler, 0), 0.6);
        QCOMPARE(valueAt(sampler, 2), 0.95);
        auto ticker = w.recallPlot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
        QVERIFY(ticker);
        QCOMPARE(ticker->ticks().value(0), QStringLiteral("dark (rare)"));
        QTableWidget *t = w.imbalanceTable();
        QCOMPARE(t->rowCount(), 4);
        QCOMPARE(t->item(2, 0)->text(), QStringLiteral("★ balanced sampler (best macro-F1)"));
        QVERIFY(t->item(2, 1)->font().bold());
        QCOMPARE(t->item(0, 3)->text(), QStringLiteral("10.0%"));
        QCOMPARE(t->item(0, 4)->text(), QStringLiteral("84 (4)"));
        QVERIFY(w.imbalanceExplanation()->toPlainText().contains(QStringLiteral("recall")));
        // Exactly one label says the verdict, on the imbalance page the window shows.
        QString verdict;
        int verdictLabels = 0;
        for (QLabel *l : w.findChildren<QLabel *>())
            if (l->text().startsWith(QStringLiteral("Best macro-F1"))) {
                verdict = l->text();
                ++verdictLabels;
                QVERIFY(w.tabs()->widget(1)->isAncestorOf(l));
            }
        QCOMPARE(verdictLabels, 1);
        QCOMPARE(verdict, QStringLiteral("Best macro-F1: balanced sampler (80.0%, against 60.0% with no remedy). "
                                         "The rare class's recall rises most with oversampling + augmentation: 10.0% → 70.0%."));
        // The verdict is core's (one sentence for the GUI, imbalance.md and any front end).
        const ImbalanceLesson lesson = readImbalanceLesson(dir);
        QCOMPARE(QString::fromStdString(imbalanceVerdict(lesson).str()), verdict);
        QVERIFY(lesson.markdown().find(verdict.toStdString()) != std::string::npos);
        const QString report = m_tmp.filePath(QStringLiteral("imbalance.html"));
        QVERIFY2(w.exportReport(report, &error), qPrintable(error));
        QFile f(report);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&f);
        int rows = 0;
        bool imbalanceSection = false;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == QLatin1String("section") && xml.attributes().value(QStringLiteral("id")) == QLatin1String("imbalance"))
                imbalanceSection = true;
            if (xml.isStartElement() && xml.name() == QLatin1String("tr"))
                ++rows;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(imbalanceSection);
        QVERIFY(test::readAll(report.toStdString()).find("id=\"results\"") == std::string::npos);
        QCOMPARE(rows, 1 + 4 + 1); // the remedies' table, and the settings' header (no run folder to read)
    }

    void trainsALessonAndStopsOne()
    {
        const std::string root = m_tmp.path().toStdString() + "/data";
        const std::string manifest = test::writePhotoCaptionDataset(root);
        qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(m_tmp.path().toStdString() + "/cache"));
        LessonWindow w;
        w.setDataset(QString::fromStdString(manifest), {QStringLiteral("bright"), QStringLiteral("dark"), QStringLiteral("mid")});
        w.setFusions({QStringLiteral("concat")});
        w.setEpochs(3);
        QSignalSpy began(&w, &LessonWindow::runBegan), epochs(&w, &LessonWindow::epochPlotted), finished(&w, &LessonWindow::lessonFinished);
        const QString out = m_tmp.filePath(QStringLiteral("lesson"));
        QVERIFY(w.startFusionLesson(out));
        QVERIFY(!w.startFusionLesson(out)); // one at a time
        QVERIFY(finished.wait(240000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QCOMPARE(began.count(), 3); // photo only, caption only, concat
        QCOMPARE(epochs.count(), 9);
        QCOMPARE(w.lessonTable()->rowCount(), 3);
        const Lesson lesson = readLesson(out.toStdString());
        QCOMPARE(lesson.runs.size(), std::size_t(3));
        for (const LessonRun &r : lesson.runs)
            QCOMPARE(r.status, std::string("finished"));
        QCOMPARE(w.curvesPlot()->graphCount(), 3);
        QCOMPARE(w.curvesPlot()->graph(0)->data()->at(2)->value, lesson.runs[0].valAccuracy[2]);
        QCOMPARE(w.contributionsPlot()->plottableCount(), 3); // every modality, without photo, without caption
        QVERIFY(w.statusLabel()->text().contains(QStringLiteral("finished")));

        // "Why this prediction?" for the concat run: a Grad-CAM map over the photo, each caption word's importance.
        ExplainView view;
        QSignalSpy explained(&view, &ExplainView::explained);
        QVERIFY(view.explain(QString::fromStdString(lesson.runs[2].runDir), 175));
        QVERIFY(explained.wait(60000));
        QVERIFY2(explained.first().at(0).toBool(), qPrintable(explained.first().at(1).toString()));
        QVERIFY(view.explanation());
        QCOMPARE(view.explanation()->row, 175);
        QCOMPARE(view.explanation()->maps.size(), std::size_t(1));
        QCOMPARE(view.explanation()->text.size(), std::size_t(1));
        QCOMPARE(view.explanation()->text[0].tokens.size(), std::size_t(4));
        QCOMPARE(view.pictures().size(), 2); // the photo as the model saw it, and the overlay
        QVERIFY(view.textView() && view.textView()->text().contains(QString::fromStdString(view.explanation()->text[0].tokens[0])));
        double sum = 0;
        for (int i = 0; i < view.probabilities()->plottableCount(); ++i) {
            auto *b = qobject_cast<QCPBars *>(view.probabilities()->plottable(i));
            for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it)
                sum += it->value;
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
        // Each modality removed in turn: the probability the Predictor gives with that modality absent.
        const SampleExplanation fromCache = *view.explanation();
        QCOMPARE(fromCache.without.size(), std::size_t(2));
        std::string caption;
        {
            std::istringstream lines(test::readAll(manifest));
            std::string line;
            for (int i = 0; i <= 176 && std::getline(lines, line); ++i)
                if (i == 176)
                    caption = line.substr(line.find(',') + 1, line.find(',', line.find(',') + 1) - line.find(',') - 1);
        }
        QVERIFY(!caption.empty());
        const Predictor predictor(lesson.runs[2].runDir, "cpu", RunFolder(lesson.runs[2].runDir).readRecord().cache);
        const auto captionOnly = predictor.predict({combinedSample(predictor.columns(), {}, {caption}).fields}).at(0);
        for (const ModalityEffect &m : fromCache.without)
            if (m.modality == "photo")
                QVERIFY2(std::abs(m.probability - captionOnly[static_cast<std::size_t>(fromCache.target)]) < 1e-5,
                         qPrintable(QStringLiteral("%1 vs %2").arg(m.probability).arg(captionOnly[static_cast<std::size_t>(fromCache.target)])));
        // The same sample given as files (the Predict panel's way): the same explanation as from the cache.
        QSignalSpy again(&view, &ExplainView::explained);
        QVERIFY(view.explainFiles(QString::fromStdString(lesson.runs[2].runDir), {QString::fromStdString(root + "/p175.pgm")},
                                  {QString::fromStdString(caption)}));
        QVERIFY(again.wait(60000));
        QVERIFY2(again.first().at(0).toBool(), qPrintable(again.first().at(1).toString()));
        const SampleExplanation &fromFiles = *view.explanation();
        QCOMPARE(fromFiles.row, std::int64_t(-1));
        QCOMPARE(fromFiles.predicted, fromCache.predicted);
        for (std::size_t c = 0; c < fromCache.probabilities.size(); ++c)
            QVERIFY(std::abs(fromFiles.probabilities[c] - fromCache.probabilities[c]) < 1e-5);
        QCOMPARE(fromFiles.text.at(0).tokens, fromCache.text.at(0).tokens);
        for (std::size_t k = 0; k < fromCache.maps.at(0).values.size(); ++k)
            QVERIFY(std::abs(fromFiles.maps[0].values[k] - fromCache.maps[0].values[k]) < 1e-4);
        QVERIFY(view.header()->text().contains(QStringLiteral("Your sample")));

        // Stopped mid-run: within a second, the run kept as stopped, the rest skipped, the table kept.
        w.setEpochs(500);
        began.clear();
        epochs.clear();
        finished.clear();
        const QString out2 = m_tmp.filePath(QStringLiteral("lesson2"));
        QVERIFY(w.startFusionLesson(out2));
        QVERIFY(epochs.wait(120000));
        QString refused;
        QVERIFY(!w.openFolder(out, &refused)); // another lesson cannot take the window while one runs
        QVERIFY2(refused.contains(QStringLiteral("running")), qPrintable(refused));
        QElapsedTimer timer;
        timer.start();
        w.stop();
        QVERIFY(finished.wait(30000));
        const qint64 ms = timer.elapsed();
        qInfo("the lesson stopped %lld ms after Stop", static_cast<long long>(ms));
        QCOMPARE(finished.first().at(1).toBool(), true);
        const Lesson stopped = readLesson(out2.toStdString());
        QCOMPARE(stopped.runs.size(), std::size_t(3));
        QCOMPARE(stopped.runs[0].status, std::string("stopped"));
        QCOMPARE(stopped.runs[1].status, std::string("skipped"));
        QCOMPARE(stopped.runs[2].status, std::string("skipped"));
        QVERIFY(fs::exists(stopped.runs[0].runDir + "/last.pt") || fs::exists(stopped.runs[0].runDir + "/checkpoints"));
        QCOMPARE(w.lessonTable()->rowCount(), 3);
        QVERIFY(w.statusLabel()->text().contains(QStringLiteral("Stopped")));
    }

    void picturesOfExplanations()
    {
        // Grad-CAM overlay: a black image, the map hot in the top-left pixel: red there, blue elsewhere.
        InputPicture p;
        p.column = 0;
        p.channels = 1;
        p.width = p.height = 2;
        p.pixels = {0, 0, 0, 0};
        GradCamMap m;
        m.column = 0;
        m.width = m.height = 2;
        m.values = {1, 0, 0, 0};
        const QImage o = gradCamOverlay(p, m);
        QCOMPARE(o.size(), QSize(2, 2));
        QVERIFY(qRed(o.pixel(0, 0)) > 100 && qBlue(o.pixel(0, 0)) < 20);
        QVERIFY(qBlue(o.pixel(1, 1)) > 100 && qRed(o.pixel(1, 1)) < 20);
        // Occlusion: 2 mels x 2 frames, the high band's second segment costs the most: the top-right cell is red.
        OcclusionMap a;
        a.mels = a.frames = a.bands = a.segments = 2;
        a.logMel = {0, 0, 0, 0};
        a.values = {0, 0, 0, 0.3f};
        const QImage s = occlusionPicture(a, 1, 1);
        QCOMPARE(s.size(), QSize(2, 2));
        QVERIFY(qRed(s.pixel(1, 0)) > 100 && qGreen(s.pixel(1, 0)) < 50);
        QCOMPARE(qRed(s.pixel(0, 1)), 0);
        // Tokens: escaped, each with its value.
        TokenImportance t;
        t.tokens = {"a<b", "dog"};
        t.importance = {0.25f, -0.05f};
        const QString html = tokenHtml(t);
        QVERIFY(html.contains(QStringLiteral("a&lt;b")) && html.contains(QStringLiteral("25.0")) && html.contains(QStringLiteral("-5.0")));
    }
};

QTEST_MAIN(TestLessonWindow)
#include "test_lesson_window.moc"
