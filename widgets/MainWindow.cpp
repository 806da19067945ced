// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/MainWindow.h"

#include "widgets/ExportDialog.h"
#include "widgets/ExplainView.h"
#include "widgets/lessons/LessonWindow.h"

#include "core/data/DatasetLoader.h"
#include "core/project/Services.h"
#include "core/util/Error.h"
#include "widgets/BlockPalette.h"
#include "widgets/DatasetPanel.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/GuiText.h"
#include "widgets/LogPanel.h"
#include "widgets/PreferencesDialog.h"
#include "widgets/PropertiesPanel.h"
#include "widgets/TemplateDialog.h"
#include "widgets/SampleBrowser.h"
#include "widgets/training/TrainingPanel.h"

#include <algorithm>
#include <cmath>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QLabel>
#include <QMenuBar>
#include <QStandardPaths>
#include <QMessageBox>
#include <QTabWidget>
#include <QMimeData>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoStack>

#include <filesystem>

namespace fuselab {
namespace gui {

namespace {
bool isExperimentFile(const QString &path) { return path.endsWith(QLatin1String(".fuselab.json")) || path.endsWith(QLatin1String(".json")); }
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_document(new ExperimentDocument(this)), m_scene(new GraphScene(m_document, this)),
      m_view(new GraphView(m_scene, m_document, this)), m_dataset(new DatasetPanel(this)), m_palette(new BlockPalette(this)),
      m_properties(new PropertiesPanel(m_document, this)), m_log(new LogPanel(this)), m_training(new TrainingPanel(m_document, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setCentralWidget(m_view);
    setAcceptDrops(true);
    setDockNestingEnabled(true);

    auto dock = [this](QWidget *w, const QString &title, const char *name, Qt::DockWidgetArea area) {
        auto *d = new QDockWidget(title, this);
        d->setObjectName(QString::fromLatin1(name));
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    QDockWidget *datasetDock = dock(m_dataset, tr("Dataset"), "datasetDock", Qt::LeftDockWidgetArea);
    QDockWidget *blocksDock = dock(m_palette, tr("Blocks"), "blocksDock", Qt::LeftDockWidgetArea);
    QDockWidget *propertiesDock = dock(m_properties, tr("Properties"), "propertiesDock", Qt::RightDockWidgetArea);
    QDockWidget *trainingDock = dock(m_training, tr("Training"), "trainingDock", Qt::RightDockWidgetArea);
    QDockWidget *logDock = dock(m_log, tr("Log"), "logDock", Qt::BottomDockWidgetArea);
    splitDockWidget(datasetDock, blocksDock, Qt::Vertical);
    splitDockWidget(propertiesDock, trainingDock, Qt::Vertical);
    resizeDocks({datasetDock, propertiesDock}, {320, 340}, Qt::Horizontal);
    resizeDocks({datasetDock, blocksDock}, {420, 300}, Qt::Vertical);
    resizeDocks({propertiesDock, trainingDock}, {300, 520}, Qt::Vertical);
    resizeDocks({logDock}, {80}, Qt::Vertical);
    m_propertiesDock = propertiesDock;
    m_trainingDock = trainingDock;
    connect(m_training, &TrainingPanel::startRequested, this, &MainWindow::startTraining);
    connect(m_training, &TrainingPanel::exportRequested, this, [this](const QString &run) { exportModel(run); });
    // The first run of a session makes room for the dashboard: the right column wider and
    // the training dock most of its height (the canvas and the properties stay usable; the
    // user's own sizes are not touched again).
    connect(m_training, &TrainingPanel::runStarted, this, [this] {
        if (m_trainingDockGrown || !m_trainingDock->isVisible() || m_trainingDock->isFloating())
            return;
        m_trainingDockGrown = true;
        if (m_trainingDock->width() < width() * 2 / 5)
            resizeDocks({m_trainingDock}, {width() * 2 / 5}, Qt::Horizontal);
        if (m_propertiesDock->isVisible() && !m_propertiesDock->isFloating() && m_trainingDock->height() < height() * 3 / 5) {
            const int column = m_propertiesDock->height() + m_trainingDock->height();
            resizeDocks({m_propertiesDock, m_trainingDock}, {column / 4, column * 3 / 4}, Qt::Vertical);
        }
    });
    connect(m_training, &TrainingPanel::message, this, &MainWindow::showMessage);

    createActions();
    for (QDockWidget *d : {datasetDock, blocksDock, propertiesDock, trainingDock, logDock})
        m_viewMenu->addAction(d->toggleViewAction());

    connect(m_document, &ExperimentDocument::pathChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ExperimentDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ExperimentDocument::documentReset, this, [this] {
        updateTitle();
        m_view->fitAll();
    });
    connect(m_scene, &GraphScene::message, this, [this](const QString &text) { showMessage(text, true); });
    connect(m_scene, &GraphScene::analysisUpdated, this, &MainWindow::updateProblems);
    connect(m_scene, &GraphScene::nodeSelectionChanged, m_properties, &PropertiesPanel::showNode);
    connect(m_log, &LogPanel::nodeClicked, this, [this](const QString &id) { m_scene->selectNode(id.toStdString()); });
    connect(m_palette, &BlockPalette::blockActivated, this, [this](const QString &type) {
        const QPointF c = m_view->mapToScene(m_view->viewport()->rect().center());
        const EditResult r = m_document->addNode(type.toStdString(), c.x(), c.y());
        if (!r.ok)
            showMessage(translated(r.reason), true);
    });
    connect(m_dataset, &DatasetPanel::openRequested, this, &MainWindow::openDataset);
    connect(m_dataset, &DatasetPanel::newExperimentRequested, this, &MainWindow::newFromTemplate);
    connect(m_dataset, &DatasetPanel::failed, this, [this](const QString &m) { showMessage(m, true); });
    connect(m_dataset, &DatasetPanel::opened, this, [this](const QString &path) {
        showMessage(tr("Opened dataset %1").arg(QDir::toNativeSeparators(path)));
        if (!m_templateAfterOpen.isEmpty()) {
            const QString t = m_templateAfterOpen;
            m_templateAfterOpen.clear();
            createExperiment(t);
        }
        if (m_afterDatasetOpens) {
            const auto then = std::move(m_afterDatasetOpens);
            m_afterDatasetOpens = nullptr;
            then();
        }
    });
    connect(m_training, &TrainingPanel::confusionCellChosen, this, &MainWindow::showConfusionSamples);
    connect(m_training, &TrainingPanel::regressionSampleChosen, this, [this](qint64 row, double truth, double predicted) {
        const Dataset *d = m_dataset->dataset();
        if (!d || row < 0 || static_cast<std::size_t>(row) >= d->samples.size() ||
            std::abs(d->samples[static_cast<std::size_t>(row)].target - truth) > 1e-6 * std::max(1.0, std::abs(truth))) {
            showMessage(tr("The dataset's samples are not the ones this run was trained on (has the data changed?)."), true);
            return;
        }
        m_dataset->browser()->showSamples({static_cast<std::size_t>(row)},
                                          tr("A validation sample: true %1, predicted %2").arg(truth, 0, 'g', 5).arg(predicted, 0, 'g', 5));
        if (auto *tabs = m_dataset->findChild<QTabWidget *>(QStringLiteral("datasetTabs")))
            tabs->setCurrentWidget(m_dataset->browser());
    });
    // A sequence run's table: the sample's source (its first text, else its first file's name).
    m_training->setSampleText([this](qint64 row) {
        const Dataset *d = m_dataset->dataset();
        if (!d || row < 0 || static_cast<std::size_t>(row) >= d->samples.size())
            return QString();
        const Sample &sample = d->samples[static_cast<std::size_t>(row)];
        QString firstFile;
        for (std::size_t c = 0; c < sample.fields.size() && c < d->columns.size(); ++c) {
            const Field &f = sample.fields[c];
            if (!f.present)
                continue;
            if (d->columns[c].kind == Modality::Text && !f.isPath)
                return qs(f.value);
            if (firstFile.isEmpty())
                firstFile = QFileInfo(qs(f.value)).fileName();
        }
        return firstFile;
    });
    connect(m_training, &TrainingPanel::sequenceSampleChosen, this, [this](qint64 row) {
        const Dataset *d = m_dataset->dataset();
        if (!d || row < 0 || static_cast<std::size_t>(row) >= d->samples.size())
            return;
        m_dataset->browser()->showSamples({static_cast<std::size_t>(row)},
                                          tr("A validation sample: reference “%1”").arg(qs(d->samples[static_cast<std::size_t>(row)].targetText)));
    });
    m_dataset->browser()->setExplainable(true);
    connect(m_dataset->browser(), &SampleBrowser::explainRequested, this, [this](qint64 row) { explainSample(row); });

    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1440, 900);
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    updateTitle();
    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow() = default;


void MainWindow::showMessage(const QString &text, bool error)
{
    statusBar()->showMessage(text, 8000);
    m_log->addMessage(text, error);
}

void MainWindow::updateTitle()
{
    const QString path = m_document->path();
    const QString name = path.isEmpty() ? (m_document->hasExperiment() ? tr("untitled") : QString()) : QFileInfo(path).fileName();
    setWindowTitle(name.isEmpty() ? QStringLiteral("FuseLab") : QStringLiteral("%1[*] — FuseLab").arg(name));
    setWindowModified(m_document->isModified());
}

void MainWindow::updateProblems()
{
    const GraphModel &model = m_document->model();
    m_log->setProblems(model.analysis().problems, [&model](const std::string &id) {
        const GraphNode *n = model.node(id);
        return qs(n ? n->displayName() : id);
    });
}

void MainWindow::exportModel(const QString &runDir)
{
    const QString run = !runDir.isEmpty() ? runDir : m_training->selectedRunDir().isEmpty() ? m_training->lastRunDir() : m_training->selectedRunDir();
    if (run.isEmpty() || !RunFolder(run.toStdString()).hasBestCheckpoint()) {
        showMessage(tr("Nothing to export yet: train the experiment (or select a finished run in the Runs tab) first."), true);
        return;
    }
    auto *dialog = new ExportDialog(run, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExportDialog::exported, this, [this](const QString &folder) { showMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(folder))); });
    connect(dialog, &ExportDialog::failed, this, [this](const QString &why) { showMessage(tr("The export failed: %1").arg(why), true); });
    dialog->show();
}

void MainWindow::startTraining()
{
    if (!m_document->hasExperiment()) {
        showMessage(tr("Open or create an experiment to train it."), true);
        return;
    }
    if (!m_document->model().analysis().ok()) {
        showMessage(tr("The graph has problems (see the log); fix them before training."), true);
        return;
    }
    // A run trains the saved file: save first (asking for a name when there is none).
    if ((m_document->isModified() || m_document->path().isEmpty()) && !save())
        return;
    m_training->start(m_document->path());
}

void MainWindow::openPath(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        showMessage(tr("%1: no such file or folder").arg(QDir::toNativeSeparators(path)), true);
        return;
    }
    if (info.isFile() && isExperimentFile(path)) {
        if (!maybeSave())
            return;
        try {
            m_document->load(path);
            addRecent(info.absoluteFilePath());
            showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(path)));
            // Its dataset in the dataset panel, as the experiment names it.
            QString data = qs(m_document->settings().dataset.path);
            if (!data.isEmpty() && QFileInfo(data).isRelative())
                data = info.absoluteDir().filePath(data);
            if (!data.isEmpty() && QFileInfo::exists(data) &&
                (!m_dataset->dataset() || QFileInfo(m_dataset->path()).canonicalFilePath() != QFileInfo(data).canonicalFilePath())) {
                const LoadOptions options = experimentLoadOptions(m_document->settings());
                m_dataset->open(data, &options);
            }
        } catch (const Error &e) {
            const QString why = e.message().empty() ? qs(e.what()) : translated(e.message());
            showMessage(why, true);
            QMessageBox::warning(this, tr("Cannot open the experiment"), why);
        }
        return;
    }
    m_dataset->open(path);
}

void MainWindow::showConfusionSamples(int trueClass, int predicted, const QVector<qint64> &rows, const QStringList &topAnswers, const QString &split)
{
    const QStringList classes = m_training->classes();
    const Experiment &e = m_document->settings();
    QString data = qs(e.dataset.path);
    if (QFileInfo(data).isRelative() && !m_document->path().isEmpty())
        data = QFileInfo(m_document->path()).absoluteDir().filePath(data);
    auto show = [this, trueClass, predicted, rows, classes, topAnswers, split] {
        const Dataset *d = m_dataset->dataset();
        if (!d)
            return;
        // The run's rows are the dataset's samples in order; a sample of another class means
        // the data changed since the run was trained.
        std::vector<std::size_t> samples;
        for (qint64 r : rows) {
            if (r < 0 || static_cast<std::size_t>(r) >= d->samples.size() || d->samples[static_cast<std::size_t>(r)].label != trueClass) {
                showMessage(tr("The dataset's samples are not the ones this run was trained on (has the data changed?)."), true);
                return;
            }
            samples.push_back(static_cast<std::size_t>(r));
        }
        const QString caption = (split == QLatin1String("test") ? tr("%1 test sample(s) of “%2” predicted as “%3”, the most confident first")
                                                                : tr("%1 validation sample(s) of “%2” predicted as “%3”, the most confident first"))
                                    .arg(samples.size())
                                    .arg(classes.value(trueClass), classes.value(predicted));
        m_dataset->browser()->showSamples(samples, caption, topAnswers);
        if (auto *tabs = m_dataset->findChild<QTabWidget *>(QStringLiteral("datasetTabs")))
            tabs->setCurrentWidget(m_dataset->browser());
        if (auto *dockWidget = qobject_cast<QDockWidget *>(m_dataset->parentWidget())) {
            dockWidget->show();
            dockWidget->raise();
        }
    };
    if (m_dataset->dataset() && QFileInfo(m_dataset->path()).canonicalFilePath() == QFileInfo(data).canonicalFilePath()) {
        show();
    } else {
        m_afterDatasetOpens = show;
        m_dataset->open(data);
    }
}

void MainWindow::openDatasetWithTemplate(const QString &path, const QString &templateName)
{
    m_templateAfterOpen = templateName;
    m_dataset->open(path);
}

void MainWindow::createExperiment(const QString &templateName)
{
    const Dataset *d = m_dataset->dataset();
    if (!d)
        return;
    try {
        const std::string datasetPath = QFileInfo(m_dataset->path()).absoluteFilePath().toStdString();
        std::vector<Message> choices;
        Experiment e = newExperiment(templateName.toStdString(), *d, datasetPath, LoadOptions{},
                                     QFileInfo(m_dataset->path()).absolutePath().toStdString(), &choices);
        e.dataset.path = datasetPath; // an unsaved experiment names its data absolutely
        // The description says why the settings are what they are, in the user's language.
        QStringList why;
        for (const Message &m : choices)
            why << translated(m);
        if (!why.isEmpty())
            e.description = why.join(QStringLiteral("\n\n")).toStdString();
        m_document->reset(std::move(e));
        showMessage(tr("New experiment from the template %1").arg(templateName));
        for (const QString &w : why) // paragraphs: the log, not the status bar
            m_log->addMessage(w);
    } catch (const Error &err) {
        showMessage(err.message().empty() ? qs(err.what()) : translated(err.message()), true);
    }
}

void MainWindow::newFromTemplate()
{
    if (!m_dataset->dataset()) {
        QMessageBox::information(this, tr("New experiment"),
                                 tr("A new experiment starts from a dataset: open one first (or drop it on the window)."));
        openDataset();
        return;
    }
    if (!maybeSave())
        return;
    TemplateDialog dialog(*m_dataset->dataset(), this);
    if (dialog.exec() != QDialog::Accepted || dialog.chosenTemplate().isEmpty())
        return;
    createExperiment(dialog.chosenTemplate());
}

void MainWindow::open()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open experiment"), QString(), tr("FuseLab experiments (*.fuselab.json);;All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::openDataset()
{
    // A folder (class folders, IDX files, or one holding a manifest), or a manifest file.
    QMessageBox ask(QMessageBox::Question, tr("Open dataset"), tr("Open a dataset folder, or a CSV/JSONL manifest file?"),
                    QMessageBox::Cancel, this);
    QPushButton *folder = ask.addButton(tr("Folder…"), QMessageBox::AcceptRole);
    QPushButton *manifest = ask.addButton(tr("Manifest file…"), QMessageBox::AcceptRole);
    ask.exec();
    QString path;
    if (ask.clickedButton() == folder)
        path = QFileDialog::getExistingDirectory(this, tr("Open dataset folder"));
    else if (ask.clickedButton() == manifest)
        path = QFileDialog::getOpenFileName(this, tr("Open manifest"), QString(), tr("Manifests (*.csv *.jsonl *.ndjson)"));
    if (!path.isEmpty())
        m_dataset->open(path);
}

bool MainWindow::saveTo(const QString &path)
{
    try {
        m_document->save(path);
        addRecent(QFileInfo(path).absoluteFilePath());
        showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
        return true;
    } catch (const std::exception &e) {
        const QString why = translated(messageOf(e));
        showMessage(tr("Cannot save %1: %2").arg(QDir::toNativeSeparators(path), why), true);
        QMessageBox::warning(this, tr("Cannot save"), why);
        return false;
    }
}

bool MainWindow::save()
{
    if (!m_document->hasExperiment())
        return false;
    if (m_document->path().isEmpty())
        return saveAs();
    return saveTo(m_document->path());
}

bool MainWindow::saveAs()
{
    if (!m_document->hasExperiment())
        return false;
    QString path = QFileDialog::getSaveFileName(this, tr("Save experiment"), m_document->path(), tr("FuseLab experiments (*.fuselab.json)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(QLatin1String(".json")))
        path += QStringLiteral(".fuselab.json");
    return saveTo(path);
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(this, tr("Unsaved changes"), tr("The experiment has unsaved changes. Save them?"),
                                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}




LessonWindow *MainWindow::showLessons()
{
    if (!m_lessons) {
        m_lessons = new LessonWindow(this);
        connect(m_lessons, &LessonWindow::lessonFinished, this, [this] { m_training->refreshRuns(); });
    }
    if (!m_lessons->isRunning()) {
        QStringList classes;
        if (const Dataset *d = m_dataset->dataset())
            for (const std::string &c : d->classes)
                classes << qs(c);
        m_lessons->setDataset(m_dataset->dataset() ? QFileInfo(m_dataset->path()).absoluteFilePath() : QString(), classes);
        // Beside the experiment (its run history lists the lessons' runs), else in FuseLab's data folder.
        m_lessons->setLessonsFolder(m_document->path().isEmpty()
                                        ? QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("lessons"))
                                        : QFileInfo(m_document->path()).absoluteDir().filePath(QStringLiteral("lessons")));
    }
    m_lessons->show();
    m_lessons->raise();
    m_lessons->activateWindow();
    return m_lessons;
}

ExplainView *MainWindow::explainSample(qint64 row)
{
    const QString run = !m_training->selectedRunDir().isEmpty() ? m_training->selectedRunDir() : m_training->lastRunDir();
    if (run.isEmpty()) {
        showMessage(tr("Train a model on this dataset first (or select a run in the Runs tab): its predictions are what gets explained."), true);
        return nullptr;
    }
    // The run's rows are this dataset's samples only when it was trained on this dataset.
    try {
        const RunFolder folder(run.toStdString());
        const RunRecord record = folder.readRecord();
        QString data = qs(folder.readExperiment().dataset.path);
        if (QFileInfo(data).isRelative())
            data = QDir(qs(record.experimentDir)).filePath(data);
        if (!m_dataset->dataset() || QFileInfo(data).canonicalFilePath() != QFileInfo(m_dataset->path()).canonicalFilePath()) {
            showMessage(tr("The run %1 was trained on %2, not on the dataset shown: open that dataset, or select a run of this one.")
                            .arg(QFileInfo(run).fileName(), QDir::toNativeSeparators(data)),
                        true);
            return nullptr;
        }
    } catch (const std::exception &e) {
        showMessage(translated(messageOf(e)), true);
        return nullptr;
    }
    if (!m_explain)
        m_explain = new ExplainView(this);
    m_explain->show();
    m_explain->raise();
    if (!m_explain->explain(run, row))
        showMessage(tr("An explanation is still being computed; try again when it is shown."), true);
    return m_explain;
}

void MainWindow::preferences()
{
    PreferencesDialog dialog(this);
    dialog.exec();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_training->isRunning()) {
        const auto answer = QMessageBox::question(this, tr("Training in progress"),
                                                  tr("A run is in progress. Stop it and close? Its last checkpoint is kept and the run can be resumed."),
                                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    if (m_lessons && m_lessons->isRunning()) {
        const auto answer = QMessageBox::question(this, tr("Lesson in progress"),
                                                  tr("A lesson is training. Stop it and close? Its current run is kept and can be resumed."),
                                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    if (m_lessons)
        m_lessons->stop(); // its task waits for the run to save when the window goes
    m_training->stopAndWait();
    m_dataset->cancel();
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    openPath(urls.first().toLocalFile());
    event->acceptProposedAction();
}

bool MainWindow::saveScreenshot(const QString &file, QSize size)
{
    resize(size);
    QApplication::processEvents();
    m_view->fitAll();
    QApplication::processEvents();
    return grab().save(file);
}

} // namespace gui
} // namespace fuselab
