// SPDX-License-Identifier: GPL-3.0-or-later
// The training dock as a controller: its layout, the worker thread, starting, stopping and resuming runs.
#include "widgets/training/TrainingPanel.h"

#include "core/project/Services.h"
#include "core/train/TrainingObserver.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/training/ClassMetricsView.h"
#include "widgets/PredictPanel.h"
#include "widgets/training/RegressionView.h"
#include "widgets/training/SequenceView.h"
#include "widgets/training/RunComparison.h"
#include "widgets/ThreadHandoff.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QHeaderView>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QTabWidget>
#include <QTreeWidget>
#include <QUrl>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace fuselab {
namespace gui {

TrainingPanel::TrainingPanel(ExperimentDocument *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_thread(new QThread(this)), m_worker(new TrainingWorker),
      m_start(new QPushButton(tr("Train"), this)), m_pause(new QPushButton(tr("Pause"), this)), m_stop(new QPushButton(tr("Stop"), this)),
      m_resumeOnCpu(new QPushButton(tr("Resume on the CPU"), this)), m_resumeRun(new QPushButton(tr("Resume"), this)),
      m_device(new QComboBox(this)), m_runs(new QTreeWidget(this)),
      m_status(new QLabel(this)), m_progress(new QProgressBar(this)), m_loss(new QCustomPlot(this)), m_confusion(new QCustomPlot(this))
{
    setObjectName(QStringLiteral("trainingPanel"));
    m_start->setObjectName(QStringLiteral("startTraining"));
    m_stop->setObjectName(QStringLiteral("stopTraining"));
    m_pause->setObjectName(QStringLiteral("pauseTraining"));
    m_pause->setCheckable(true);
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_status->setWordWrap(true);
    m_status->setText(tr("Train the open experiment: it is saved first, and the run uses that saved version."));
    m_progress->setVisible(false);

    buildCurves();

    buildConfusionView();

    buildDeviceChoice();

    // The run history: every run beside the experiment, resumable when it was not finished.
    m_runs->setObjectName(QStringLiteral("runHistory"));
    m_runs->setRootIsDecorated(false);
    m_runs->setHeaderLabels({tr("Run"), tr("Status"), tr("Epochs"), tr("Best epoch"), tr("Validation score"), tr("Test score"),
                             tr("Changed since the previous run"), tr("Started"), tr("Device")});
    m_runs->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    for (int c : {4, 5})
        m_runs->headerItem()->setToolTip(c, tr("Accuracy; BLEU for runs that produce texts, R² for runs that predict a number"));
    m_runs->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_runs->setToolTip(tr("Select several runs (Ctrl or Shift) and press Compare"));
    m_resumeRun->setObjectName(QStringLiteral("resumeRun"));
    m_resumeRun->setEnabled(false);
    m_compareRuns = new QPushButton(tr("Compare"), this);
    m_compareRuns->setObjectName(QStringLiteral("compareRuns"));
    m_compareRuns->setEnabled(false);
    m_comparison = new RunComparison(this);
    auto *refresh = new QPushButton(tr("Refresh"), this);
    auto *openFolder = new QPushButton(tr("Open folder"), this);
    auto *deleteButton = new QPushButton(tr("Delete…"), this);
    deleteButton->setObjectName(QStringLiteral("deleteRun"));
    connect(deleteButton, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *item = m_runs->currentItem())
            deleteRun(item->data(0, Qt::UserRole).toString(), true);
    });
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setObjectName(QStringLiteral("exportRun"));
    exportButton->setToolTip(tr("Write the selected run's best checkpoint for other tools (safetensors, TorchScript)"));
    connect(exportButton, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *item = m_runs->currentItem())
            Q_EMIT exportRequested(item->data(0, Qt::UserRole).toString());
    });
    auto *runsPage = new QWidget(this);
    auto *runButtons = new QHBoxLayout;
    runButtons->addWidget(m_resumeRun);
    runButtons->addWidget(m_compareRuns);
    runButtons->addWidget(exportButton);
    runButtons->addWidget(openFolder);
    runButtons->addWidget(deleteButton);
    runButtons->addStretch(1);
    runButtons->addWidget(refresh);
    auto *runsLayout = new QVBoxLayout(runsPage);
    runsLayout->setContentsMargins(0, 4, 0, 0);
    runsLayout->addWidget(m_runs, 1);
    runsLayout->addLayout(runButtons);
    auto *livePage = new QWidget(this);
    auto *liveLayout = new QVBoxLayout(livePage);
    liveLayout->setContentsMargins(0, 4, 0, 0);
    liveLayout->addWidget(m_loss, 3);
    // Which confusion matrix: the latest validation (live), or the best checkpoint's on the
    // validation or test split (from the run's report); counts or each row's shares.
    m_confusionSource = new QComboBox(this);
    m_confusionSource->setObjectName(QStringLiteral("confusionSource"));
    m_confusionSource->addItem(tr("Latest validation"), QStringLiteral("live"));
    m_confusionSource->addItem(tr("Best epoch, validation split"), QStringLiteral("val"));
    m_confusionSource->addItem(tr("Best epoch, test split"), QStringLiteral("test"));
    m_confusionShares = new QCheckBox(tr("Shares of each true class"), this);
    m_confusionShares->setObjectName(QStringLiteral("confusionShares"));
    m_confusionPage = new QWidget(this);
    auto *confusionLayout = new QVBoxLayout(m_confusionPage);
    confusionLayout->setContentsMargins(0, 0, 0, 0);
    auto *confusionRow = new QHBoxLayout;
    confusionRow->addWidget(m_confusionSource);
    confusionRow->addWidget(m_confusionShares);
    confusionRow->addStretch(1);
    confusionLayout->addLayout(confusionRow);
    confusionLayout->addWidget(m_confusion, 1);
    liveLayout->addWidget(m_confusionPage, 2);
    // A regression run shows its predictions against the truth in the matrix's place.
    m_regressionView = new RegressionView(this);
    m_regressionView->setVisible(false);
    liveLayout->addWidget(m_regressionView, 2);
    connect(m_regressionView, &RegressionView::sampleChosen, this, &TrainingPanel::regressionSampleChosen);
    // A sequence run lists its samples' references and decoded texts there instead.
    m_sequenceView = new SequenceView(this);
    m_sequenceView->setVisible(false);
    liveLayout->addWidget(m_sequenceView, 2);
    connect(m_sequenceView, &SequenceView::sampleChosen, this, &TrainingPanel::sequenceSampleChosen);
    connect(m_confusionSource, &QComboBox::currentIndexChanged, this, &TrainingPanel::redrawConfusion);
    connect(m_confusionShares, &QCheckBox::toggled, this, &TrainingPanel::redrawConfusion);
    m_epochs = new QTableWidget(0, 7, this);
    m_epochs->setObjectName(QStringLiteral("epochTable"));
    m_epochs->setHorizontalHeaderLabels({tr("Epoch"), tr("Training loss"), tr("Validation loss"), tr("Validation accuracy"),
                                         tr("Macro-F1"), tr("Learning rate"), tr("Seconds")});
    m_epochs->verticalHeader()->setVisible(false);
    m_epochs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_epochs->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("trainingTabs"));
    tabs->addTab(livePage, tr("Live"));
    tabs->addTab(m_epochs, tr("Per epoch"));
    tabs->addTab(runsPage, tr("Runs"));
    m_classMetrics = new ClassMetricsView(this);
    tabs->addTab(m_classMetrics, tr("Classes"));
    tabs->addTab(m_comparison, tr("Compare"));
    m_predictPanel = new PredictPanel(this);
    tabs->addTab(m_predictPanel, tr("Predict"));
    connect(m_runs, &QTreeWidget::itemSelectionChanged, this, [this] { m_compareRuns->setEnabled(!m_runs->selectedItems().isEmpty()); });
    connect(m_compareRuns, &QPushButton::clicked, this, [this, tabs] {
        compareRuns();
        tabs->setCurrentWidget(m_comparison);
    });

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_device);
    buttons->addStretch(1);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(6, 6, 6, 6);
    v->addLayout(buttons);
    v->addWidget(m_status);
    v->addWidget(m_resumeOnCpu, 0, Qt::AlignLeft);
    v->addWidget(m_progress);
    v->addWidget(tabs, 1);
    setRunning(false);

    connect(m_runs, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        setRunning(m_running);
        if (item)
            m_classMetrics->setRun(item->data(0, Qt::UserRole).toString());
        if (item && RunFolder(item->data(0, Qt::UserRole).toString().toStdString()).hasBestCheckpoint())
            m_predictPanel->setRun(item->data(0, Qt::UserRole).toString());
    });
    connect(m_runs, &QTreeWidget::itemDoubleClicked, this, [this, tabs](QTreeWidgetItem *item) {
        showRun(item->data(0, Qt::UserRole).toString());
        if (tabs)
            tabs->setCurrentIndex(0);
    });
    connect(m_resumeRun, &QPushButton::clicked, this, &TrainingPanel::resumeSelected);
    connect(refresh, &QPushButton::clicked, this, &TrainingPanel::refreshRuns);
    connect(openFolder, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *item = m_runs->currentItem())
            QDesktopServices::openUrl(QUrl::fromLocalFile(item->data(0, Qt::UserRole).toString()));
    });
    connect(m_resumeOnCpu, &QPushButton::clicked, this, [this] {
        m_resumeOnCpu->setVisible(false);
        resume(m_runDir, QStringLiteral("cpu"));
    });
    connect(m_document, &ExperimentDocument::pathChanged, this, &TrainingPanel::refreshRuns);
    connect(m_document, &ExperimentDocument::documentReset, this, &TrainingPanel::refreshRuns);

    startWorker();

    // Points are appended as they come and drawn at most every 100 ms.
    m_replot.setInterval(100);
    connect(&m_replot, &QTimer::timeout, this, &TrainingPanel::replot);
    m_replot.start();

    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stop);
    connect(m_pause, &QPushButton::toggled, this, &TrainingPanel::setPaused);
}

// Where the next run trains: the experiment's setting, the CPU, or each usable GPU.
void TrainingPanel::buildDeviceChoice()
{
    m_device->setObjectName(QStringLiteral("trainingDevice"));
    m_device->addItem(tr("Device: experiment's setting"), QString());
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    for (const std::string &d : trainingDevices())
        if (d != "cpu")
            m_device->addItem(tr("GPU %1 (CUDA)").arg(qs(d.substr(5))), qs(d));
    m_device->setToolTip(tr("The device for the next run; a GPU that cannot be used falls back to the CPU."));
    m_resumeOnCpu->setObjectName(QStringLiteral("resumeOnCpu"));
    m_resumeOnCpu->setVisible(false);

}

// The worker thread and the queued signals between it and this panel (value types only).
void TrainingPanel::startWorker()
{
    m_worker->moveToThread(m_thread);
    m_thread->setObjectName(QStringLiteral("fuselab-training"));
    connect(this, &TrainingPanel::requestTrain, m_worker, &TrainingWorker::train, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::started, this, &TrainingPanel::onStarted, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::batch, this, &TrainingPanel::onBatch, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::epoch, this, &TrainingPanel::onEpoch, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::finished, this, &TrainingPanel::onFinished, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::failed, this, &TrainingPanel::onFailed, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::notice, this, [this](const QString &text) { Q_EMIT message(text, true); }, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::phaseChanged, this, [this](int phase) {
        switch (static_cast<TrainingPhase>(phase)) {
        case TrainingPhase::PreparingData: m_phase = tr("Preparing the data…"); break;
        case TrainingPhase::Training: m_phase = tr("Training…"); break;
        case TrainingPhase::Validating: m_phase = tr("Validating…"); break;
        case TrainingPhase::Testing: m_phase = tr("Testing the best epoch…"); break;
        case TrainingPhase::Paused: m_phase = tr("Paused"); break;
        }
        m_status->setText(m_phase);
    }, Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::progress, this, [this](const QString &stage, qint64 done, qint64 total) {
        m_status->setText(total > 0 ? tr("%1: %2 of %3").arg(stage).arg(done).arg(total) : tr("%1: %2").arg(stage).arg(done));
    }, Qt::QueuedConnection);
    m_thread->start();
}

TrainingPanel::~TrainingPanel()
{
    stopAndWait();
    delete m_worker; // its thread has ended: nothing runs in it any more
}

void TrainingPanel::stopAndWait()
{
    m_worker->stop = true;
    m_worker->pause = false;
    if (m_thread->isRunning()) {
        m_thread->quit(); // after the current run returns (it stops within a batch)
        m_thread->wait();
    }
}

bool TrainingPanel::start(const QString &experimentFile)
{
    if (m_running || experimentFile.isEmpty())
        return false;
    const QFileInfo file(experimentFile);
    m_runDir = QString::fromStdString(newRunDir(file.absoluteFilePath().toStdString())); // as the CLI names runs
    beginRun(tr("Starting…"));
    handoffRelease(); // to the worker thread (ThreadHandoff.h)
    Q_EMIT requestTrain(file.absoluteFilePath(), m_runDir, false, chosenDevice());
    return true;
}

bool TrainingPanel::resume(const QString &runDir, const QString &device)
{
    if (m_running || runDir.isEmpty())
        return false;
    m_runDir = runDir;
    beginRun(tr("Resuming %1…").arg(QDir::toNativeSeparators(runDir)));
    handoffRelease(); // to the worker thread (ThreadHandoff.h)
    Q_EMIT requestTrain(QString(), runDir, true, device.isEmpty() ? chosenDevice() : device);
    return true;
}

void TrainingPanel::beginRun(const QString &status)
{
    clearCurves();
    m_map->data()->clear();
    m_globalSteps = 0;
    m_worker->stop = false;
    m_worker->pause = false;
    m_pause->setChecked(false);
    m_resumeOnCpu->setVisible(false);
    m_confusionSource->setCurrentIndex(0); // a new run: its live matrix
    setRunning(true);
    m_clock.start();
    m_status->setText(status);
}

QString TrainingPanel::chosenDevice() const { return m_device->currentData().toString(); }

void TrainingPanel::setChosenDevice(const QString &device)
{
    const int i = m_device->findData(device);
    if (i >= 0) {
        m_device->setCurrentIndex(i);
    } else { // a GPU this machine lacks: listed, so that choosing it shows the fallback
        m_device->addItem(device, device);
        m_device->setCurrentIndex(m_device->count() - 1);
    }
}

void TrainingPanel::stop()
{
    if (!m_running)
        return;
    m_worker->stop = true;
    m_status->setText(tr("Stopping after this batch…"));
}

void TrainingPanel::setPaused(bool paused)
{
    m_worker->pause = paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
}

void TrainingPanel::setRunning(bool running)
{
    m_running = running;
    m_start->setEnabled(!running);
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    m_device->setEnabled(!running);
    m_progress->setVisible(running);
    QTreeWidgetItem *run = m_runs->currentItem();
    m_resumeRun->setEnabled(!running && run && run->data(0, Qt::UserRole + 1).toBool());
}

void TrainingPanel::showTask(bool regression, bool sequence, bool characters)
{
    m_regression = regression;
    m_sequence = sequence;
    m_characters = characters;
    m_confusionPage->setVisible(!regression && !sequence);
    m_regressionView->setVisible(regression);
    m_regressionView->clear();
    m_sequenceView->setVisible(sequence);
    m_sequenceView->clear();
    if (sequence) {
        // BLEU and the error rate both in percent on the right axis: up is better for one,
        // down for the other.
        m_loss->graph(2)->setName(tr("validation BLEU"));
        m_loss->graph(3)->setName(characters ? tr("validation CER (%)") : tr("validation WER (%)"));
        m_loss->yAxis2->setLabel(characters ? tr("BLEU / CER (%)") : tr("BLEU / WER (%)"));
        m_loss->yAxis2->setRange(0, 100);
        m_epochs->setHorizontalHeaderLabels({tr("Epoch"), tr("Training loss"), tr("Validation loss"), tr("Validation BLEU"),
                                             characters ? tr("CER") : tr("WER"), tr("Learning rate"), tr("Seconds")});
        return;
    }
    m_loss->graph(2)->setName(regression ? tr("validation R²") : tr("validation accuracy"));
    m_loss->graph(3)->setName(regression ? tr("validation Pearson r") : tr("validation macro-F1"));
    m_loss->yAxis2->setLabel(regression ? tr("R² / r") : tr("accuracy"));
    m_loss->yAxis2->setRange(regression ? -0.2 : 0.0, 1);
    m_epochs->setHorizontalHeaderLabels({tr("Epoch"), tr("Training loss"), tr("Validation loss"),
                                         regression ? tr("Validation RMSE") : tr("Validation accuracy"),
                                         regression ? tr("R²") : tr("Macro-F1"), tr("Learning rate"), tr("Seconds")});
}

void TrainingPanel::setSampleText(std::function<QString(qint64)> source) { m_sequenceView->setSourceText(std::move(source)); }

void TrainingPanel::onStarted(const TrainingPlanInfo &plan)
{
    m_plan = plan;
    showTask(plan.regression, plan.sequence, plan.characterTargets);
    m_sequenceView->setRun(plan.runDir);
    m_progress->setRange(0, static_cast<int>(std::max<qint64>(1, plan.stepsPerEpoch * (plan.epochs - plan.startEpoch + 1))));
    m_progress->setValue(0);
    setClasses(plan.classes, plan.epochs);
    if (!plan.notice.isEmpty())
        Q_EMIT message(plan.notice, false);
    refreshRuns(); // the new run, as running
    m_dirty = true;
    Q_EMIT runStarted();
}

void TrainingPanel::setClasses(const QStringList &classes, int epochs)
{
    m_plan.classes = classes;
    m_loss->xAxis->setRange(-0.03 * epochs, epochs * 1.03); // the first and last points whole
    const int C = classes.size();
    m_map->data()->setSize(C, C);
    m_map->data()->setRange(QCPRange(0, C - 1), QCPRange(0, C - 1));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int c = 0; c < C; ++c)
        ticker->addTick(c, classes[c]);
    m_confusion->xAxis->setTicker(ticker);
    m_confusion->yAxis->setTicker(ticker);
    m_confusion->xAxis->setRange(-0.5, C - 0.5);
    m_confusion->yAxis->setRange(-0.5, C - 0.5);
    m_confusion->xAxis->setTicks(true);
    m_confusion->yAxis->setTicks(true);
    for (QCPAxis *axis : {m_confusion->xAxis, m_confusion->yAxis}) { // labels only: no tick marks into the cells
        axis->setTickLength(0, 0);
        axis->setSubTicks(false);
    }
    m_map->setVisible(false);
    m_confusion->clearItems();
}

void TrainingPanel::onFinished(const TrainingResultInfo &r)
{
    setRunning(false);
    m_pause->setChecked(false);
    const QString where = QDir::toNativeSeparators(r.runDir);
    QString text;
    if (r.stopped)
        text = tr("Stopped after %1 complete epoch(s); the run is kept in %2 and can be resumed.").arg(r.epochsCompleted).arg(where);
    else if (r.testRmse >= 0)
        text = tr("Finished: test RMSE %1, R² %2 (best epoch %3). Run folder: %4")
                   .arg(r.testRmse, 0, 'g', 4)
                   .arg(r.testR2, 0, 'f', 4)
                   .arg(r.bestEpoch)
                   .arg(where);
    else if (r.testBleu >= 0)
        text = tr("Finished: test BLEU %1, WER %2 (best epoch %3). Run folder: %4")
                   .arg(r.testBleu, 0, 'f', 2)
                   .arg(r.testWer, 0, 'f', 3)
                   .arg(r.bestEpoch)
                   .arg(where);
    else if (r.testAccuracy >= 0)
        text = tr("Finished: test accuracy %1 (best epoch %2). Run folder: %3").arg(r.testAccuracy, 0, 'f', 4).arg(r.bestEpoch).arg(where);
    else
        text = tr("Finished after %1 epoch(s). Run folder: %2").arg(r.epochsCompleted).arg(where);
    m_status->setText(text);
    Q_EMIT message(text, false);
    Q_EMIT runFinished(r);
    if (RunFolder(r.runDir.toStdString()).hasBestCheckpoint())
        m_predictPanel->setRun(r.runDir);
    m_classMetrics->setRun(r.runDir);
    refreshRuns();
    m_dirty = true;
}

void TrainingPanel::onFailed(const QString &text, bool deviceFailure)
{
    setRunning(false);
    QString shown = tr("The run failed: %1").arg(text);
    // A GPU failure keeps the last checkpoint: offer to go on from it on the CPU.
    if (deviceFailure && RunFolder(m_runDir.toStdString()).hasLastCheckpoint()) {
        shown += QLatin1Char(' ') + tr("The last checkpoint is kept; the run can continue on the CPU.");
        m_resumeOnCpu->setVisible(true);
    }
    m_status->setText(shown);
    Q_EMIT message(shown, true);
    refreshRuns();
}

} // namespace gui
} // namespace fuselab
