// SPDX-License-Identifier: GPL-3.0-or-later
// The lesson window as a host: its controls, running a lesson on a thread, opening a lesson folder, presentation mode (the pages and the report are beside it).
#include "widgets/lessons/LessonWindow.h"
#include "widgets/lessons/FusionLessonPage.h"
#include "widgets/lessons/ImbalanceLessonPage.h"
#include "widgets/lessons/LessonViews.h"

#include "core/document/RunFolder.h"
#include "core/project/Lesson.h"
#include "core/util/Error.h"
#include "widgets/BackgroundTask.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/ThreadHandoff.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fuselab {
namespace gui {

namespace {

// Lesson progress for the GUI: progress and stop through the BackgroundTask's observer, each
// run's start and each validated epoch as queued calls on the window (plain values only).
class LessonProgress final : public LessonObserver {
public:
    LessonProgress(ProgressObserver &outer, LessonWindow *window, std::function<void(int, int, QString)> began,
                   std::function<void(int, double)> epoch)
        : m_outer(outer), m_window(window), m_began(std::move(began)), m_epoch(std::move(epoch))
    {
    }
    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override { m_outer.onProgress(stage, done, total); }
    bool isCancelled() const override { return m_outer.isCancelled(); }
    bool isPaused() const override { return m_outer.isPaused(); }
    void lessonRun(int index, int count, const LessonRun &run) override
    {
        const QString name = qs(run.name);
        handoffRelease(); // ThreadHandoff.h
        QMetaObject::invokeMethod(m_window, [f = m_began, index, count, name] { f(index, count, name); }, Qt::QueuedConnection);
    }
    void batchEnded(const BatchEvent &b) override
    {
        m_outer.onProgress(Message(FL_TR("Lesson", "epoch %1"), std::to_string(b.epoch)).str(), b.step, b.steps);
    }
    void epochEnded(const EpochResult &e) override
    {
        if (!e.hasValidation)
            return;
        handoffRelease();
        QMetaObject::invokeMethod(m_window, [f = m_epoch, epoch = e.epoch, acc = e.val.accuracy] { f(epoch, acc); }, Qt::QueuedConnection);
    }

private:
    ProgressObserver &m_outer;
    LessonWindow *m_window;
    std::function<void(int, int, QString)> m_began;
    std::function<void(int, double)> m_epoch;
};

} // namespace

LessonWindow::LessonWindow(QWidget *parent) : QWidget(parent, Qt::Window), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("lessonWindow"));
    m_baseFont = font();
    auto *top = new QHBoxLayout;
    m_datasetLabel = new QLabel;
    m_datasetLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_epochs = new QSpinBox;
    m_epochs->setRange(0, 1000);
    m_run = new QPushButton;
    m_stop = new QPushButton;
    m_open = new QPushButton;
    m_report = new QPushButton;
    m_present = new QPushButton;
    m_present->setCheckable(true);
    top->addWidget(m_datasetLabel, 1);
    m_epochsLabel = new QLabel;
    m_epochsLabel->setObjectName(QStringLiteral("epochsLabel"));
    top->addWidget(m_epochsLabel);
    top->addWidget(m_epochs);
    for (QPushButton *b : {m_run, m_stop, m_open, m_report, m_present})
        top->addWidget(b);
    m_epochs->setMinimumWidth(m_epochs->fontMetrics().horizontalAdvance(QStringLiteral("template default")) + 40);
    m_setupWidgets = {m_datasetLabel, m_epochsLabel, m_epochs, m_run, m_open, m_report}; // hidden in presentation mode

    auto *statusRow = new QHBoxLayout;
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(260);
    m_progress->setVisible(false);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_progress);

    m_tabs = new QTabWidget;
    m_fusionPage = new FusionLessonPage;
    m_imbalancePage = new ImbalanceLessonPage;
    m_tabs->addTab(m_fusionPage, QString());
    m_tabs->addTab(m_imbalancePage, QString());
    m_setupWidgets << m_fusionPage->choices() << m_imbalancePage->choices();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(statusRow);
    layout->addWidget(m_tabs, 1);

    connect(m_run, &QPushButton::clicked, this, [this] {
        if (m_tabs->currentIndex() == 1)
            startImbalanceLesson();
        else
            startFusionLesson();
    });
    connect(m_stop, &QPushButton::clicked, this, &LessonWindow::stop);
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a lesson folder"), m_folder.isEmpty() ? m_lessonsFolder : m_folder);
        QString error;
        if (!dir.isEmpty() && !openFolder(dir, &error))
            m_status->setText(error);
    });
    connect(m_report, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, tr("Export the lesson as a report"),
                                                          QDir(m_folder).filePath(QStringLiteral("report.html")), tr("Web page (*.html)"));
        if (file.isEmpty())
            return;
        QString error;
        m_status->setText(exportReport(file, &error) ? tr("Report written to %1").arg(QDir::toNativeSeparators(file)) : error);
    });
    connect(m_present, &QPushButton::toggled, this, &LessonWindow::setPresentationMode);
    connect(m_task, &BackgroundTask::progress, this, [this](const QString &stage, qint64 done, qint64 total) {
        m_progress->setVisible(true);
        m_progress->setFormat(stage + QStringLiteral("  %p%"));
        m_progress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            m_progress->setValue(static_cast<int>(1000 * done / total));
    });
    connect(m_task, &BackgroundTask::finished, this, &LessonWindow::ended);
    retranslate();
    setBusy(false);
    resize(1280, 860);
}

LessonWindow::~LessonWindow() = default; // the task, a child, cancels and waits first

QCustomPlot *LessonWindow::curvesPlot() const { return m_fusionPage->curvesPlot(); }
QCustomPlot *LessonWindow::contributionsPlot() const { return m_fusionPage->contributionsPlot(); }
QCustomPlot *LessonWindow::recallPlot() const { return m_imbalancePage->recallPlot(); }
QTableWidget *LessonWindow::lessonTable() const { return m_fusionPage->table(); }
QTableWidget *LessonWindow::weightsTable() const { return m_fusionPage->weightsTable(); }
QTableWidget *LessonWindow::imbalanceTable() const { return m_imbalancePage->table(); }
QLabel *LessonWindow::verdictLabel() const { return m_fusionPage->verdictLabel(); }
QTextBrowser *LessonWindow::fusionExplanation() const { return m_fusionPage->explanation(); }
QTextBrowser *LessonWindow::imbalanceExplanation() const { return m_imbalancePage->explanation(); }

void LessonWindow::retranslate()
{
    setWindowTitle(tr("Lessons — FuseLab"));
    m_tabs->setTabText(0, tr("Fusion lesson"));
    m_tabs->setTabText(1, tr("Imbalance lesson"));
    m_run->setText(tr("&Run lesson"));
    m_run->setToolTip(tr("Train the lesson's models one after another on the dataset (the lesson of the tab shown)"));
    m_stop->setText(tr("&Stop"));
    m_stop->setToolTip(tr("Stop the current run (kept as a stopped run you can resume) and skip the rest"));
    m_open->setText(tr("&Open lesson…"));
    m_report->setText(tr("&Export report…"));
    m_report->setToolTip(tr("One web page with the plots, tables, graph and settings, to hand out"));
    m_present->setText(tr("&Presentation mode"));
    m_present->setToolTip(tr("Larger text and plots for a projector (F5)"));
    m_epochsLabel->setText(tr("Epochs per run:"));
    m_epochs->setSpecialValueText(tr("template default"));
    m_datasetLabel->setText(m_datasetPath.isEmpty() ? tr("No dataset open: open one in the main window, or open a lesson folder.")
                                                    : tr("Dataset: %1").arg(QDir::toNativeSeparators(m_datasetPath)));
    m_fusionPage->retranslate();
    m_imbalancePage->retranslate();
    showLessons();
}

void LessonWindow::showLessons()
{
    if (m_lesson)
        m_fusionPage->showLesson(*m_lesson, m_liveRun);
    if (m_imbalance)
        m_imbalancePage->showLesson(*m_imbalance);
}

void LessonWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void LessonWindow::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_F5) {
        m_present->toggle();
        return;
    }
    if (event->key() == Qt::Key_Escape && m_presentation) {
        m_present->setChecked(false);
        return;
    }
    QWidget::keyPressEvent(event);
}

void LessonWindow::setDataset(const QString &path, const QStringList &classes)
{
    m_datasetPath = path;
    m_imbalancePage->setClasses(classes);
    retranslate();
    setBusy(isRunning());
}

void LessonWindow::setFusions(const QStringList &templates) { m_fusionPage->setFusions(templates); }

QStringList LessonWindow::fusions() const { return m_fusionPage->fusions(); }

void LessonWindow::setEpochs(int epochs) { m_epochs->setValue(epochs); }

void LessonWindow::setImbalance(const QString &rareClass, double ratio) { m_imbalancePage->setImbalance(rareClass, ratio); }

bool LessonWindow::isRunning() const { return m_task->isRunning(); }

bool LessonWindow::startFusionLesson(const QString &outDir) { return start(false, outDir); }
bool LessonWindow::startImbalanceLesson(const QString &outDir) { return start(true, outDir); }

bool LessonWindow::start(bool imbalance, QString outDir)
{
    if (isRunning())
        return false;
    if (m_datasetPath.isEmpty()) {
        m_status->setText(tr("Open a dataset with two or more modalities in the main window first."));
        return false;
    }
    if (!imbalance && fusions().isEmpty()) {
        m_status->setText(tr("Choose at least one fusion to compare."));
        return false;
    }
    if (imbalance && m_imbalancePage->rareClass().isEmpty()) {
        m_status->setText(tr("Choose the class to make rare."));
        return false;
    }
    if (outDir.isEmpty()) {
        const QString base = m_lessonsFolder.isEmpty() ? QDir::current().filePath(QStringLiteral("lessons")) : m_lessonsFolder;
        const QString name = QFileInfo(m_datasetPath).isDir() ? QFileInfo(m_datasetPath).fileName() : QFileInfo(m_datasetPath).dir().dirName();
        outDir = QDir(base).filePath(QStringLiteral("%1-%2-%3")
                                         .arg(name.isEmpty() ? QStringLiteral("dataset") : name,
                                              imbalance ? QStringLiteral("imbalance") : QStringLiteral("lesson"),
                                              QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    }
    clearViews();
    m_folder = m_runFolder = outDir;
    m_stopRequested = false;
    m_runningImbalance = imbalance;
    m_liveRun = -1;
    m_tabs->setCurrentIndex(imbalance ? 1 : 0);
    const std::optional<int> epochs = m_epochs->value() > 0 ? std::optional<int>(m_epochs->value()) : std::nullopt;
    std::function<void(int, int, QString)> began = [this](int i, int n, const QString &name) { beginRun(i, n, name); };
    std::function<void(int, double)> epoch = [this](int e, double acc) { addEpoch(e, acc); };
    std::function<void(ProgressObserver &)> work;
    if (imbalance) {
        ImbalanceRequest r;
        r.dataset = m_datasetPath.toStdString();
        r.outDir = outDir.toStdString();
        r.rareClass = m_imbalancePage->rareClass().toStdString();
        r.ratio = m_imbalancePage->ratio();
        r.epochs = epochs;
        work = [this, r, began, epoch](ProgressObserver &p) {
            LessonProgress observer(p, this, began, epoch);
            runImbalanceLesson(r, &observer);
        };
    } else {
        LessonRequest r;
        r.dataset = m_datasetPath.toStdString();
        r.outDir = outDir.toStdString();
        r.fusions.clear();
        for (const QString &f : fusions())
            r.fusions.push_back(f.toStdString());
        r.epochs = epochs;
        work = [this, r, began, epoch](ProgressObserver &p) {
            LessonProgress observer(p, this, began, epoch);
            runLesson(r, &observer);
        };
    }
    if (!m_task->start(work))
        return false;
    m_status->setText(tr("Reading the dataset…"));
    setBusy(true);
    return true;
}

void LessonWindow::stop()
{
    if (!isRunning())
        return;
    m_stopRequested = true; // a stop while the lesson measures its last run ends it normally: still a stop
    m_task->cancel();
    m_status->setText(tr("Stopping: the current run saves a checkpoint and the rest are skipped…"));
}

void LessonWindow::setBusy(bool busy)
{
    m_run->setEnabled(!busy && !m_datasetPath.isEmpty());
    m_stop->setEnabled(busy);
    m_open->setEnabled(!busy);
    m_report->setEnabled(!busy && (m_lesson || m_imbalance));
    m_fusionPage->setChoicesEnabled(!busy);
    m_imbalancePage->setChoicesEnabled(!busy);
    m_epochs->setEnabled(!busy);
    if (!busy)
        m_progress->setVisible(false);
}

void LessonWindow::beginRun(int index, int count, const QString &name)
{
    reloadFolder(); // the runs finished so far (the lesson file is rewritten after each)
    m_liveRun = index;
    m_status->setText(tr("Training %1 (run %2 of %3)…").arg(m_runningImbalance ? remedyName(name.toStdString()) : name).arg(index + 1).arg(count));
    if (!m_runningImbalance)
        m_fusionPage->beginLiveRun(index, name);
    Q_EMIT runBegan(index, count, name);
}

void LessonWindow::addEpoch(int epoch, double valAccuracy)
{
    if (!m_runningImbalance)
        m_fusionPage->addLiveEpoch(epoch, valAccuracy);
    Q_EMIT epochPlotted(m_liveRun, epoch, valAccuracy);
}

void LessonWindow::ended(bool ok, bool cancelled, const QString &error)
{
    setBusy(false);
    m_folder = m_runFolder; // the lesson that ran is the one shown
    reloadFolder();
    bool stopped = cancelled || m_stopRequested;
    if (m_lesson)
        for (const LessonRun &r : m_lesson->runs)
            stopped |= r.status == "stopped";
    if (m_imbalance)
        for (const ImbalanceRun &r : m_imbalance->runs)
            stopped |= r.status == "stopped";
    if (!ok && !cancelled)
        m_status->setText(tr("The lesson failed: %1").arg(error));
    else if (stopped)
        m_status->setText(tr("Stopped. The runs that finished are compared below; the stopped run can be resumed from the run history."));
    else
        m_status->setText(tr("Lesson finished. Its runs are in %1 and in the run history.").arg(QDir::toNativeSeparators(m_folder)));
    setBusy(false);
    Q_EMIT lessonFinished(ok || cancelled, stopped, ok || cancelled ? QString() : error);
}

void LessonWindow::reloadFolder()
{
    if (m_folder.isEmpty())
        return;
    QString error;
    if (!openFolder(m_folder, &error) && !isRunning())
        m_status->setText(error);
}

void LessonWindow::clearViews()
{
    m_lesson.reset();
    m_imbalance.reset();
    m_fusionPage->clear();
    m_imbalancePage->clear();
}

bool LessonWindow::openFolder(const QString &dir, QString *error)
{
    if (isRunning() && QDir(dir) != QDir(m_runFolder)) {
        if (error)
            *error = tr("A lesson is running: stop it before opening another one.");
        return false;
    }
    const std::string d = dir.toStdString();
    const bool fusion = QFileInfo::exists(QDir(dir).filePath(QStringLiteral("lesson.json")));
    const bool imbalance = QFileInfo::exists(QDir(dir).filePath(QStringLiteral("imbalance.json")));
    if (!fusion && !imbalance) {
        if (error)
            *error = tr("%1 holds no lesson (no lesson.json or imbalance.json)").arg(QDir::toNativeSeparators(dir));
        return false;
    }
    try {
        // Read first, so a folder that cannot be read leaves the lesson shown as it was.
        std::unique_ptr<Lesson> lesson = fusion ? std::make_unique<Lesson>(readLesson(d)) : nullptr;
        std::unique_ptr<ImbalanceLesson> imb = imbalance ? std::make_unique<ImbalanceLesson>(readImbalanceLesson(d)) : nullptr;
        if (!isRunning() || m_folder != dir) { // another folder: nothing of the previous one stays (report included)
            const int live = m_liveRun;
            clearViews();
            m_liveRun = live;
        }
        m_lesson = std::move(lesson);
        m_imbalance = std::move(imb);
        showLessons();
    } catch (const std::exception &e) {
        if (error)
            *error = translated(messageOf(e));
        return false;
    }
    m_folder = dir;
    if (!isRunning())
        m_tabs->setCurrentIndex(fusion ? 0 : 1);
    setBusy(isRunning());
    return true;
}

void LessonWindow::setPresentationMode(bool on)
{
    if (m_presentation == on)
        return;
    m_presentation = on;
    if (m_present->isChecked() != on)
        m_present->setChecked(on);
    QFont f = m_baseFont;
    f.setPointSizeF(m_baseFont.pointSizeF() * (on ? 1.6 : 1.0));
    setFont(f);
    for (QWidget *w : m_setupWidgets)
        w->setVisible(!on);
    m_fusionPage->setPresentation(on, f);
    m_imbalancePage->setPresentation(on, f);
    if (on)
        showFullScreen();
    else if (isFullScreen())
        showNormal();
}

} // namespace gui
} // namespace fuselab
