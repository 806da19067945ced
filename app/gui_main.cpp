// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab: the desktop workbench. Arguments: an experiment file or a dataset to open
// (default: the built-in demo dataset with a concat experiment), --language en|zh_CN for
// this run, --screenshots DIR to render the documentation's screenshots and quit.
#include "widgets/training/ClassMetricsView.h"
#include "widgets/DatasetPanel.h"
#include "widgets/ExportDialog.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphView.h"
#include "widgets/ExplainView.h"
#include "widgets/lessons/LessonWindow.h"
#include "widgets/MainWindow.h"
#include "widgets/TemplateDialog.h"
#include "widgets/PreferencesDialog.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/training/TrainingPanel.h"
#include "widgets/training/SequenceView.h"

#include <csignal>
#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTranslator>

#include <cstdio>
#include <cstdlib>

namespace {

QString demoDir()
{
    const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/fuselab/demo");
    if (QFileInfo::exists(installed + QStringLiteral("/manifest.csv")))
        return QDir::cleanPath(installed);
    return QStringLiteral(FUSELAB_DEMO_DIR);
}

// Waits (processing events) until `done` or `ms` pass.
template <typename F>
bool waitFor(F done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    return done();
}

} // namespace

int main(int argc, char **argv)
{
    // A file past the size limit (ulimit -f) fails its write with a message, not a silent kill.
    std::signal(SIGXFSZ, SIG_IGN);
    const bool hasDisplay = std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY") || std::getenv("QT_QPA_PLATFORM");
    if (!hasDisplay) {
        std::fprintf(stderr, "fuselab: no display found (DISPLAY is not set).\n"
                             "On a machine without a screen, run it in a virtual one:\n"
                             "  xvfb-run -a -s '-screen 0 1920x1080x24' build/bin/fuselab\n"
                             "or use the command line: build/bin/fuselab-cli --help\n");
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FuseLab"));
    QApplication::setApplicationName(QStringLiteral("FuseLab"));
    QApplication::setApplicationVersion(QStringLiteral(FUSELAB_VERSION));
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("FuseLab, a workbench for multimodal deep learning"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption language(QStringLiteral("language"), QStringLiteral("en or zh_CN, for this run"), QStringLiteral("code"));
    QCommandLineOption screenshots(QStringLiteral("screenshots"), QStringLiteral("render screenshots into DIR and quit"), QStringLiteral("DIR"));
    QCommandLineOption templateOption(QStringLiteral("template"), QStringLiteral("with --screenshots and a dataset: the template to draw"),
                                      QStringLiteral("name"), QStringLiteral("concat"));
    QCommandLineOption trainShots(QStringLiteral("train-screenshots"),
                                  QStringLiteral("with --screenshots: train this experiment in the dock and capture the dock during and after the run"),
                                  QStringLiteral("EXPERIMENT"));
    QCommandLineOption epochsOption(QStringLiteral("epochs"), QStringLiteral("with --train-screenshots: epochs to train"), QStringLiteral("n"),
                                    QStringLiteral("2"));
    QCommandLineOption nameOption(QStringLiteral("name"), QStringLiteral("with --train-screenshots: the screenshots' file name prefix"),
                                  QStringLiteral("name"), QStringLiteral("run"));
    QCommandLineOption lessonShots(QStringLiteral("lesson-screenshots"),
                                   QStringLiteral("with --screenshots: capture the lesson window over these lesson folders (comma-separated)"),
                                   QStringLiteral("DIRS"));
    QCommandLineOption explainShot(QStringLiteral("explain"), QStringLiteral("with --lesson-screenshots: also capture \"Why this prediction?\" for RUN_DIR:ROW"),
                                   QStringLiteral("RUN:ROW"));
    parser.addOption(lessonShots);
    parser.addOption(explainShot);
    parser.addOption(language);
    parser.addOption(screenshots);
    parser.addOption(trainShots);
    parser.addOption(epochsOption);
    parser.addOption(nameOption);
    parser.addOption(templateOption);
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("an experiment file or a dataset"));
    parser.process(app);

    const QString lang = parser.isSet(language) ? parser.value(language) : fuselab::gui::PreferencesDialog::language();
    QTranslator own, qt;
    if (lang.startsWith(QLatin1String("zh"))) {
        if (own.load(QStringLiteral(":/i18n/fuselab_zh_CN.qm")))
            QApplication::installTranslator(&own);
        if (qt.load(QLocale(QLocale::Chinese, QLocale::China), QStringLiteral("qtbase"), QStringLiteral("_"),
                    QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QApplication::installTranslator(&qt);
    }

    if (parser.isSet(screenshots) && parser.isSet(lessonShots)) {
        // The lesson views over lesson folders written by fuselab-cli lesson / imbalance, in
        // normal and presentation mode, and an explanation.
        const QString dir = parser.value(screenshots);
        QDir().mkpath(dir);
        const QString suffix = lang.startsWith(QLatin1String("zh")) ? QStringLiteral("zh_CN") : QStringLiteral("en");
        bool ok = true;
        fuselab::gui::LessonWindow lessons;
        lessons.resize(1600, 1000);
        lessons.show();
        for (const QString &folder : parser.value(lessonShots).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            QString error;
            if (!lessons.openFolder(folder, &error)) {
                std::fprintf(stderr, "fuselab: %s\n", qPrintable(error));
                return 1;
            }
            QApplication::processEvents();
            const bool imbalance = lessons.tabs()->currentIndex() == 1;
            const QString name = imbalance ? QStringLiteral("lesson-imbalance") : QStringLiteral("lesson-fusion");
            ok &= lessons.grab().save(QStringLiteral("%1/%2-%3.png").arg(dir, name, suffix));
            if (!imbalance) {
                lessons.setPresentationMode(true);
                lessons.showNormal(); // full screen is the offscreen platform's small screen here
                lessons.resize(1920, 1080);
                QApplication::processEvents();
                ok &= lessons.grab().save(QStringLiteral("%1/lesson-presentation-%2.png").arg(dir, suffix));
                lessons.setPresentationMode(false);
                lessons.showNormal();
                lessons.resize(1600, 1000);
            }
            QString error2;
            ok &= lessons.exportReport(QStringLiteral("%1/%2-report-%3.html").arg(dir, name, suffix), &error2);
        }
        if (parser.isSet(explainShot)) {
            const QString spec = parser.value(explainShot);
            const int colon = spec.lastIndexOf(QLatin1Char(':'));
            fuselab::gui::ExplainView view;
            view.resize(1000, 1000);
            view.show();
            bool done = false, good = false;
            QObject::connect(&view, &fuselab::gui::ExplainView::explained, [&](bool okay, const QString &error) {
                done = true;
                good = okay;
                if (!okay)
                    std::fprintf(stderr, "fuselab: %s\n", qPrintable(error));
            });
            if (!view.explain(spec.left(colon), spec.mid(colon + 1).toLongLong()) || !waitFor([&] { return done; }, 120000) || !good)
                return 1;
            QApplication::processEvents();
            ok &= view.grab().save(QStringLiteral("%1/explain-%2.png").arg(dir, suffix));
        }
        return ok ? 0 : 1;
    }

    fuselab::gui::MainWindow window;
    if (parser.isSet(screenshots) && parser.isSet(trainShots)) {
        // The training dock on a real run: EXPERIMENT trained for --epochs, captured once the
        // first epoch has been validated (during) and when the run has finished (after, and
        // its Classes tab).
        const QString dir = parser.value(screenshots);
        QDir().mkpath(dir);
        const QString suffix = lang.startsWith(QLatin1String("zh")) ? QStringLiteral("zh_CN") : QStringLiteral("en");
        const QString name = parser.value(nameOption);
        window.resize(1920, 1080);
        window.show();
        window.openPath(parser.value(trainShots));
        if (!waitFor([&] { return window.document()->hasExperiment(); }, 120000)) {
            std::fprintf(stderr, "fuselab: %s did not open\n", qPrintable(parser.value(trainShots)));
            return 1;
        }
        QTemporaryDir tmp;
        fuselab::TrainingSettings t = window.document()->settings().training;
        t.epochs = parser.value(epochsOption).toInt();
        t.patience = 0;
        window.document()->setTrainingSettings(t, QStringLiteral("screenshot"));
        const QString file = tmp.path() + QStringLiteral("/") + QFileInfo(parser.value(trainShots)).fileName();
        window.saveTo(file);
        window.document()->undoStack()->clear();
        fuselab::gui::TrainingPanel *panel = window.trainingPanel();
        if (!panel->start(file))
            return 1;
        bool ok = true;
        if (waitFor([&] { return panel->lossPlot()->graph(1)->dataCount() >= 1 || !panel->isRunning(); }, 3600000) && panel->isRunning()) {
            QElapsedTimer settle; // a few more batches on the curve
            settle.start();
            waitFor([&] { return settle.elapsed() > 8000; }, 9000);
            ok &= window.saveScreenshot(QStringLiteral("%1/%2-during-%3.png").arg(dir, name, suffix), QSize(1920, 1080));
        }
        waitFor([&] { return !panel->isRunning(); }, 3600000);
        QApplication::processEvents();
        if (panel->sequenceView()->isVisibleTo(panel)) { // a sequence run: the worst sample's attention
            panel->sequenceView()->chooseRow(0);
            waitFor([&] { return !panel->sequenceView()->isComputing(); }, 120000);
            QApplication::processEvents();
        }
        if (auto *source = panel->confusionSource())
            source->setCurrentIndex(source->findData(QStringLiteral("test")));
        ok &= window.saveScreenshot(QStringLiteral("%1/%2-after-%3.png").arg(dir, name, suffix), QSize(1920, 1080));
        if (auto *tabs = panel->findChild<QTabWidget *>(QStringLiteral("trainingTabs"))) {
            tabs->setCurrentWidget(panel->classMetrics());
            QApplication::processEvents();
            ok &= panel->grab().save(QStringLiteral("%1/%2-classes-%3.png").arg(dir, name, suffix));
        }
        {
            fuselab::gui::ExportDialog exporter(panel->lastRunDir(), &window);
            exporter.show();
            QApplication::processEvents();
            ok &= exporter.grab().save(QStringLiteral("%1/%2-export-%3.png").arg(dir, name, suffix));
        }
        return ok ? 0 : 1;
    }
    if (parser.isSet(screenshots)) {
        // Documentation screenshots: the demo with its concat graph, then a gated-fusion graph.
        const QString dir = parser.value(screenshots);
        QDir().mkpath(dir);
        const QString suffix = lang.startsWith(QLatin1String("zh")) ? QStringLiteral("zh_CN") : QStringLiteral("en");
        window.show();
        // The demo by default; a dataset given on the command line to look at it as a user would.
        const QString data = parser.positionalArguments().isEmpty() ? demoDir() : parser.positionalArguments().first();
        window.openDatasetWithTemplate(data, parser.value(templateOption));
        if (!waitFor([&] { return window.document()->hasExperiment(); }, 60000)) {
            std::fprintf(stderr, "fuselab: the demo did not open\n");
            return 1;
        }
        bool ok = true;
        for (const QSize size : {QSize(1920, 1080), QSize(1280, 720)})
            ok &= window.saveScreenshot(QStringLiteral("%1/main-%2-%3x%4.png").arg(dir, suffix).arg(size.width()).arg(size.height()), size);
        window.resize(1920, 1080);
        QApplication::processEvents();
        ok &= window.datasetPanel()->grab().save(QStringLiteral("%1/dataset-%2.png").arg(dir, suffix));
        if (auto *tabs = window.datasetPanel()->findChild<QTabWidget *>(QStringLiteral("datasetTabs"))) {
            tabs->setCurrentIndex(1); // the sample browser, once its thumbnails are decoded
            QElapsedTimer settle;
            settle.start();
            waitFor([&] { return settle.elapsed() > 1500; }, 2000);
            ok &= window.datasetPanel()->grab().save(QStringLiteral("%1/samples-%2.png").arg(dir, suffix));
            tabs->setCurrentIndex(0);
        }
        if (const fuselab::Dataset *d = window.datasetPanel()->dataset()) { // the template gallery
            fuselab::gui::TemplateDialog gallery(*d, &window);
            gallery.show();
            QApplication::processEvents();
            ok &= gallery.grab().save(QStringLiteral("%1/templates-%2.png").arg(dir, suffix));
        }
        // A short training run of the demo, to show the training dock.
        {
            QTemporaryDir tmp;
            fuselab::TrainingSettings t = window.document()->settings().training;
            t.epochs = 12;
            t.batchSize = 8;
            window.document()->setTrainingSettings(t, QStringLiteral("screenshot"));
            const QString file = tmp.path() + QStringLiteral("/demo.fuselab.json");
            window.saveTo(file);
            window.document()->undoStack()->clear();
            if (window.trainingPanel()->start(file)) {
                waitFor([&] { return !window.trainingPanel()->isRunning(); }, 120000);
                QApplication::processEvents();
                ok &= window.saveScreenshot(QStringLiteral("%1/training-%2-1920x1080.png").arg(dir, suffix), QSize(1920, 1080));
            }
        }
        if (!parser.positionalArguments().isEmpty())
            return ok ? 0 : 1;
        window.openDatasetWithTemplate(demoDir(), QStringLiteral("gated-fusion"));
        waitFor([&] { return window.document()->settings().name == "gated-fusion"; }, 60000);
        ok &= window.saveScreenshot(QStringLiteral("%1/fusion-%2-1920x1080.png").arg(dir, suffix), QSize(1920, 1080));
        window.view()->fitAll();
        QApplication::processEvents();
        ok &= window.view()->grab().save(QStringLiteral("%1/graph-%2.png").arg(dir, suffix));
        return ok ? 0 : 1;
    }
    window.show();
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty())
        window.openDatasetWithTemplate(demoDir(), QStringLiteral("concat"));
    else
        window.openPath(args.first());
    return app.exec();
}
