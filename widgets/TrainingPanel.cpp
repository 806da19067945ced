// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/TrainingPanel.h"

#include "core/project/Services.h"
#include "core/train/TrainingObserver.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/ClassMetricsView.h"
#include "widgets/PredictPanel.h"
#include "widgets/RunComparison.h"
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

    // Loss (left axis) and validation accuracy (right axis) as they come.
    m_loss->setMinimumHeight(150);
    m_loss->addGraph(m_loss->xAxis, m_loss->yAxis);
    m_loss->graph(0)->setName(tr("training loss (batches)"));
    m_loss->graph(0)->setPen(QPen(QColor(0x4e, 0x79, 0xa7, 160)));
    m_loss->addGraph(m_loss->xAxis, m_loss->yAxis);
    m_loss->graph(1)->setName(tr("validation loss"));
    m_loss->graph(1)->setPen(QPen(QColor(0xe1, 0x57, 0x59), 2));
    m_loss->graph(1)->setScatterStyle(QCPScatterStyle::ssCircle);
    m_loss->addGraph(m_loss->xAxis, m_loss->yAxis2);
    m_loss->graph(2)->setName(tr("validation accuracy"));
    m_loss->graph(2)->setPen(QPen(QColor(0x59, 0xa1, 0x4f), 2));
    m_loss->graph(2)->setScatterStyle(QCPScatterStyle::ssDiamond);
    m_loss->addGraph(m_loss->xAxis, m_loss->yAxis2);
    m_loss->graph(3)->setName(tr("validation macro-F1"));
    m_loss->graph(3)->setPen(QPen(QColor(0x9c, 0x6a, 0xde), 1.5, Qt::DashLine)); // not accuracy's green: they often overlap
    m_loss->graph(3)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, 6));
    m_loss->addGraph(m_loss->xAxis, m_loss->yAxis);
    m_loss->graph(4)->setName(tr("training loss (epochs)"));
    m_loss->graph(4)->setPen(QPen(QColor(0x4e, 0x79, 0xa7), 2));
    m_loss->graph(4)->setScatterStyle(QCPScatterStyle::ssSquare);
    // The learning rate on an axis of its own (it is orders of magnitude below the rest).
    m_lrAxis = m_loss->axisRect()->addAxis(QCPAxis::atRight);
    m_lrAxis->setLabel(tr("learning rate"));
    m_lrAxis->setNumberFormat(QStringLiteral("gb"));
    m_lrAxis->setVisible(false); // until a run reports its rate
    m_loss->addGraph(m_loss->xAxis, m_lrAxis);
    m_loss->graph(5)->setName(tr("learning rate"));
    m_loss->graph(5)->setPen(QPen(QColor(0xb0, 0x7a, 0xa1), 1.2, Qt::DashDotDotLine)); // not the grid's grey dots
    // The best epoch so far, marked.
    m_bestLine = new QCPItemStraightLine(m_loss);
    m_bestLine->setPen(QPen(QColor(0xf2, 0x8e, 0x2b), 1.5, Qt::DashDotLine));
    m_bestLine->setVisible(false);
    m_bestLabel = new QCPItemText(m_loss);
    m_bestLabel->setText(tr("best"));
    m_bestLabel->setColor(QColor(0xf2, 0x8e, 0x2b));
    m_bestLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignTop); // left of the line: the best epoch is often the last
    m_bestLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_bestLabel->setVisible(false);
    // Zoom and pan with the mouse; right-click to export.
    m_loss->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_loss->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_loss, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu menu(this);
        menu.addAction(tr("Export as PNG…"), this, [this] { exportCurves(QStringLiteral("png")); });
        menu.addAction(tr("Export as PDF…"), this, [this] { exportCurves(QStringLiteral("pdf")); });
        menu.addAction(tr("Export data as CSV…"), this, [this] { exportCurves(QStringLiteral("csv")); });
        menu.addAction(tr("Show everything"), this, [this] {
            m_loss->rescaleAxes();
            m_loss->replot();
        });
        menu.exec(m_loss->mapToGlobal(at));
    });
    m_loss->xAxis->setLabel(tr("epoch"));
    m_loss->yAxis->setLabel(tr("loss"));
    m_loss->yAxis2->setLabel(tr("accuracy"));
    m_loss->yAxis2->setVisible(true);
    m_loss->yAxis2->setRange(0, 1);
    m_loss->legend->setVisible(true);
    m_loss->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 2)));
    // The legend in a row of its own above the plot, so it never hides a curve.
    m_loss->plotLayout()->insertRow(0);
    m_loss->plotLayout()->addElement(0, 0, m_loss->legend);
    m_loss->plotLayout()->setRowStretchFactor(0, 0.001);
    m_loss->legend->setWrap(3); // six series: two rows of three, so none is cut off
    m_loss->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_loss->legend->setBorderPen(Qt::NoPen);

    // The latest validation confusion matrix, counts written in the cells.
    m_confusion->setMinimumHeight(150);
    m_map = new QCPColorMap(m_confusion->xAxis, m_confusion->yAxis);
    m_map->setInterpolate(false);
    // Dark to bright without white (white cells read as holes in the panel).
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    gradient.setColorStopAt(1.0, QColor(0xf6, 0xd7, 0x46));
    m_map->setGradient(gradient);
    m_map->setVisible(false); // nothing to show before a run's first validation
    m_confusion->xAxis->setTicks(false);
    m_confusion->yAxis->setTicks(false);
    m_confusion->xAxis->setLabel(tr("predicted"));
    m_confusion->yAxis->setLabel(tr("true"));
    m_confusion->yAxis->setRangeReversed(true);
    m_confusion->setToolTip(tr("Click a cell to see its samples"));
    connect(m_confusion, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        if (!m_map->visible())
            return;
        const int p = static_cast<int>(std::lround(m_confusion->xAxis->pixelToCoord(event->pos().x())));
        const int t = static_cast<int>(std::lround(m_confusion->yAxis->pixelToCoord(event->pos().y())));
        chooseConfusionCell(t, p);
    });

    // Where the next run trains: the experiment's setting, the CPU, or each usable GPU.
    m_device->setObjectName(QStringLiteral("trainingDevice"));
    m_device->addItem(tr("Device: experiment's setting"), QString());
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    for (const std::string &d : trainingDevices())
        if (d != "cpu")
            m_device->addItem(tr("GPU %1 (CUDA)").arg(qs(d.substr(5))), qs(d));
    m_device->setToolTip(tr("The device for the next run; a GPU that cannot be used falls back to the CPU."));
    m_resumeOnCpu->setObjectName(QStringLiteral("resumeOnCpu"));
    m_resumeOnCpu->setVisible(false);

    // The run history: every run beside the experiment, resumable when it was not finished.
    m_runs->setObjectName(QStringLiteral("runHistory"));
    m_runs->setRootIsDecorated(false);
    m_runs->setHeaderLabels({tr("Run"), tr("Status"), tr("Epochs"), tr("Best epoch"), tr("Validation accuracy"), tr("Test accuracy"),
                             tr("Changed since the previous run"), tr("Started"), tr("Device")});
    m_runs->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
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
    auto *confusionRow = new QHBoxLayout;
    confusionRow->addWidget(m_confusionSource);
    confusionRow->addWidget(m_confusionShares);
    confusionRow->addStretch(1);
    liveLayout->addLayout(confusionRow);
    liveLayout->addWidget(m_confusion, 2);
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

    // Points are appended as they come and drawn at most every 100 ms.
    m_replot.setInterval(100);
    connect(&m_replot, &QTimer::timeout, this, &TrainingPanel::replot);
    m_replot.start();

    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stop);
    connect(m_pause, &QPushButton::toggled, this, &TrainingPanel::setPaused);
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

void TrainingPanel::clearCurves()
{
    for (int g = 0; g < m_loss->graphCount(); ++g)
        m_loss->graph(g)->data()->clear();
    m_bestLine->setVisible(false);
    m_bestLabel->setVisible(false);
    m_highestRate = 0;
    m_epochs->setRowCount(0);
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

QString TrainingPanel::selectedRunDir() const
{
    const QTreeWidgetItem *item = m_runs->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
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

void TrainingPanel::refreshRuns()
{
    const QString selected = m_runs->currentItem() ? m_runs->currentItem()->data(0, Qt::UserRole).toString() : QString();
    m_runs->clear();
    if (m_document->path().isEmpty())
        return;
    const std::vector<RunSummary> runs = runHistory(m_document->path().toStdString()); // with the lessons' runs
    if (runs.empty())
        return;
    // What each run changed against the one before it (the list is newest first).
    std::vector<std::optional<Experiment>> experiments;
    for (const RunSummary &r : runs) {
        try {
            experiments.push_back(RunFolder(r.dir).readExperiment());
        } catch (const std::exception &) {
            experiments.push_back(std::nullopt);
        }
    }
    std::size_t index = 0;
    for (const RunSummary &r : runs) {
        QStringList changes;
        const std::size_t k = index++;
        if (k + 1 < experiments.size() && experiments[k] && experiments[k + 1])
            for (const std::string &d : settingDifferences(*experiments[k + 1], *experiments[k]))
                changes << qs(d);
        const QString status = RunComparison::statusText(r.status);
        auto percent = [](const std::optional<double> &v) { return v ? QString::number(*v * 100, 'f', 1) + QLatin1Char('%') : QString(); };
        const QString name = qs(r.name);
        auto *item = new QTreeWidgetItem(m_runs, {name, status,
                                                  QStringLiteral("%1 / %2").arg(r.epochsCompleted).arg(r.epochs),
                                                  r.bestEpoch > 0 ? QString::number(r.bestEpoch) : QString(), percent(r.bestValAccuracy),
                                                  percent(r.testAccuracy), changes.join(QStringLiteral("; "))});
        item->setToolTip(6, changes.join(QLatin1Char('\n')));
        const QDateTime started = QDateTime::fromString(qs(r.created), Qt::ISODate);
        item->setText(7, started.isValid() ? QLocale().toString(started.toLocalTime(), QLocale::ShortFormat) : qs(r.created));
        item->setText(8, qs(r.device));
        item->setData(0, Qt::UserRole, qs(r.dir));
        const bool resumable = r.status == RunStatus::Stopped || r.status == RunStatus::Interrupted || r.status == RunStatus::Failed;
        item->setData(0, Qt::UserRole + 1, resumable);
        item->setToolTip(0, QDir::toNativeSeparators(qs(r.dir)));
        if (qs(r.dir) == selected)
            m_runs->setCurrentItem(item);
    }
    setRunning(m_running);
}

void TrainingPanel::compareRuns()
{
    // In the history's order (newest first), so a run keeps its colour as the selection grows.
    std::vector<std::string> dirs;
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i)
        if (m_runs->topLevelItem(i)->isSelected())
            dirs.push_back(m_runs->topLevelItem(i)->data(0, Qt::UserRole).toString().toStdString());
    m_comparison->setRuns(dirs);
}

void TrainingPanel::resumeSelected()
{
    QTreeWidgetItem *item = m_runs->currentItem();
    if (item && item->data(0, Qt::UserRole + 1).toBool())
        resume(item->data(0, Qt::UserRole).toString());
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

void TrainingPanel::onStarted(const TrainingPlanInfo &plan)
{
    m_plan = plan;
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

void TrainingPanel::showRun(const QString &runDir)
{
    if (m_running)
        return; // the live run owns the views
    const RunFolder run(runDir.toStdString());
    Experiment e;
    try {
        e = run.readExperiment();
    } catch (const Error &err) {
        Q_EMIT message(translated(messageOf(err)), true);
        return;
    }
    const auto report = run.readReport();
    const int bestEpoch = report ? report->value("best_epoch", 0) : 0;
    clearCurves();
    m_lastEpoch = TrainingEpochInfo();
    m_runDir = runDir;
    QStringList classes;
    for (const std::string &c : e.dataset.classes)
        classes << qs(c);
    setClasses(classes, e.training.epochs);
    for (const EpochRow &r : run.readMetrics()) {
        TrainingEpochInfo i;
        i.epoch = r.epoch;
        i.trainLoss = r.trainLoss;
        i.hasValidation = !std::isnan(r.valAccuracy);
        i.valLoss = r.valLoss;
        i.valAccuracy = r.valAccuracy;
        i.valMacroF1 = r.valMacroF1;
        i.learningRate = r.learningRate;
        i.seconds = r.seconds;
        i.best = r.epoch == bestEpoch;
        onEpoch(i);
        m_loss->graph(5)->addData(QVector<double>{double(r.epoch - 1)}, QVector<double>{r.learningRate}, true);
        m_highestRate = std::max(m_highestRate, std::isnan(r.learningRate) ? 0.0 : r.learningRate);
    }
    // The best checkpoint's validation confusion matrix (the report's), its cells backed by
    // the run's prediction files.
    {
        const QSignalBlocker quiet(m_confusionSource);
        m_confusionSource->setCurrentIndex(m_confusionSource->findData(QStringLiteral("val")));
    }
    redrawConfusion();
    m_status->setText(tr("Run %1: %2, best epoch %3").arg(QFileInfo(runDir).fileName(), RunComparison::statusText(run.status())).arg(bestEpoch));
    m_loss->xAxis->setRange(-0.03 * std::max(1, m_epochs->rowCount()), std::max(1, m_epochs->rowCount()) * 1.03);
    m_dirty = true;
}

bool TrainingPanel::deleteRun(const QString &runDir, bool ask)
{
    if (runDir.isEmpty() || (m_running && runDir == m_runDir))
        return false;
    const RunFolder run(runDir.toStdString());
    if (!run.isRun() || run.status() == RunStatus::Running)
        return false;
    if (ask && QMessageBox::question(this, tr("Delete run"),
                                     tr("Delete the run %1 with its checkpoints and logs? This cannot be undone.")
                                         .arg(QDir::toNativeSeparators(runDir))) != QMessageBox::Yes)
        return false;
    const bool ok = QDir(runDir).removeRecursively();
    if (!ok)
        Q_EMIT message(tr("Could not delete %1 completely").arg(QDir::toNativeSeparators(runDir)), true);
    refreshRuns();
    return ok;
}

void TrainingPanel::onBatch(const TrainingBatchInfo &b)
{
    const double x = (b.epoch - 1) + double(b.step) / double(std::max<qint64>(1, b.steps));
    m_loss->graph(0)->addData(QVector<double>{x}, QVector<double>{b.loss}, true);
    m_loss->graph(5)->addData(QVector<double>{x}, QVector<double>{b.learningRate}, true);
    m_highestRate = std::max(m_highestRate, b.learningRate);
    m_globalSteps = (b.epoch - m_plan.startEpoch) * b.steps + b.step;
    m_progress->setValue(static_cast<int>(m_globalSteps));
    const double elapsed = m_clock.elapsed() / 1000.0;
    const double left = m_globalSteps > 0 ? elapsed * (m_progress->maximum() - m_globalSteps) / double(m_globalSteps) : 0;
    m_progress->setFormat(tr("epoch %1 of %2, step %3 of %4 — %5 samples/s, about %6 s left")
                              .arg(b.epoch)
                              .arg(m_plan.epochs)
                              .arg(b.step)
                              .arg(b.steps)
                              .arg(b.samplesPerSecond, 0, 'f', 0)
                              .arg(left, 0, 'f', 0));
    m_dirty = true;
}

void TrainingPanel::onEpoch(const TrainingEpochInfo &e)
{
    if (e.hasValidation) {
        m_loss->graph(1)->addData(QVector<double>{double(e.epoch)}, QVector<double>{e.valLoss}, true);
        m_loss->graph(2)->addData(QVector<double>{double(e.epoch)}, QVector<double>{e.valAccuracy}, true);
        m_loss->graph(3)->addData(QVector<double>{double(e.epoch)}, QVector<double>{e.valMacroF1}, true);
    }
    m_loss->graph(4)->addData(QVector<double>{double(e.epoch)}, QVector<double>{e.trainLoss}, true);
    if (e.best) {
        m_bestLine->point1->setCoords(e.epoch, 0);
        m_bestLine->point2->setCoords(e.epoch, 1);
        m_bestLine->setVisible(true);
        m_bestLabel->position->setCoords(e.epoch, 0.0);
        m_bestLabel->setVisible(true);
        m_bestEpoch = e.epoch;
    }
    const int row = m_epochs->rowCount();
    m_epochs->insertRow(row);
    const QStringList cells = {QString::number(e.epoch),
                               QString::number(e.trainLoss, 'f', 4),
                               e.hasValidation ? QString::number(e.valLoss, 'f', 4) : QString(),
                               e.hasValidation ? QString::number(e.valAccuracy, 'f', 4) : QString(),
                               e.hasValidation ? QString::number(e.valMacroF1, 'f', 4) : QString(),
                               QString::number(e.learningRate, 'g', 3),
                               QString::number(e.seconds, 'f', 1)};
    for (int c = 0; c < cells.size(); ++c)
        m_epochs->setItem(row, c, new QTableWidgetItem(cells[c]));
    if (e.best) // the best epoch so far in bold; earlier ones back to normal
        for (int r = 0; r < m_epochs->rowCount(); ++r)
            for (int c = 0; c < cells.size(); ++c) {
                QFont f = m_epochs->item(r, c)->font();
                f.setBold(r == row);
                m_epochs->item(r, c)->setFont(f);
            }
    m_epochs->scrollToBottom();
    if (showConfusion(e.confusion)) {
        m_lastEpoch = e;
        if (m_confusionSource->currentData().toString() == QLatin1String("live"))
            m_cellSamples = e.val;
    }
    m_status->setText(tr("epoch %1: training loss %2, validation accuracy %3%4")
                          .arg(e.epoch)
                          .arg(e.trainLoss, 0, 'f', 4)
                          .arg(e.hasValidation ? QString::number(e.valAccuracy, 'f', 4) : tr("n/a"))
                          .arg(e.best ? tr(" (best so far)") : QString()));
    m_dirty = true;
}

void TrainingPanel::redrawConfusion()
{
    const QString source = m_confusionSource->currentData().toString();
    QVector<QVector<qint64>> confusion = m_lastEpoch.confusion;
    m_cellSamples = m_lastEpoch.val;
    if (source != QLatin1String("live")) {
        confusion.clear();
        m_cellSamples = PredictionList();
        if (!m_runDir.isEmpty()) {
            // The best checkpoint's prediction of each sample of that split, for the cells'
            // galleries (written by the trainer beside report.json).
            try {
                if (const auto p = RunFolder(m_runDir.toStdString()).readPredictions(source.toStdString())) {
                    std::vector<std::string> classes;
                    for (const QString &c : m_plan.classes)
                        classes.push_back(c.toStdString());
                    m_cellSamples = predictionList(*p, classes);
                }
            } catch (const Error &e) {
                Q_EMIT message(translated(messageOf(e)), true);
            }
        }
        const auto report = m_runDir.isEmpty() ? std::nullopt : RunFolder(m_runDir.toStdString()).readReport();
        const std::string split = source.toStdString();
        if (report && report->contains(split) && (*report)[split].is_object() && (*report)[split].contains("confusion"))
            for (const auto &row : (*report)[split]["confusion"]) {
                QVector<qint64> cells;
                for (const auto &v : row)
                    cells << v.get<qint64>();
                confusion << cells;
            }
        if (confusion.isEmpty()) {
            m_map->setVisible(false);
            m_confusion->clearItems();
            m_status->setText(tr("No best-epoch results yet: they come when the run has finished."));
            m_confusion->replot(QCustomPlot::rpQueuedReplot);
            return;
        }
    }
    drawConfusion(confusion);
    m_confusion->replot(QCustomPlot::rpQueuedReplot);
}

bool TrainingPanel::showConfusion(const QVector<QVector<qint64>> &confusion)
{
    // The live matrix is drawn only while "Latest validation" is chosen.
    if (m_confusionSource->currentData().toString() != QLatin1String("live"))
        return confusion.size() > 0 && m_map->data()->keySize() == confusion.size();
    return drawConfusion(confusion);
}

bool TrainingPanel::drawConfusion(const QVector<QVector<qint64>> &confusion)
{
    const int C = confusion.size();
    if (C == 0 || m_map->data()->keySize() != C)
        return false;
    const bool shares = m_confusionShares->isChecked();
    m_confusion->clearItems();
    qint64 most = 1;
    for (auto &row : confusion)
        for (qint64 v : row)
            most = std::max(most, v);
    for (int t = 0; t < C; ++t) {
        qint64 rowTotal = 0;
        for (qint64 v : confusion[t])
            rowTotal += v;
        for (int p = 0; p < C && p < confusion[t].size(); ++p) {
            const double share = rowTotal > 0 ? double(confusion[t][p]) / double(rowTotal) : 0.0;
            const double value = shares ? share : double(confusion[t][p]);
            m_map->data()->setCell(p, t, value);
            auto *label = new QCPItemText(m_confusion);
            label->position->setCoords(p, t);
            // Empty cells stay blank: the matrix scans faster with only its non-zero counts.
            label->setText(confusion[t][p] == 0 ? QString()
                           : shares        ? QString::number(share * 100, 'f', 0) + QLatin1Char('%')
                                           : QString::number(confusion[t][p]));
            label->setColor((shares ? share > 0.6 : confusion[t][p] > most * 0.6) ? Qt::black : Qt::white); // readable on bright cells
        }
    }
    m_map->rescaleDataRange(true);
    m_map->setVisible(true);
    return true;
}

void TrainingPanel::chooseConfusionCell(int trueClass, int predicted)
{
    if (!m_map->visible())
        return;
    if (m_cellSamples.isEmpty()) {
        Q_EMIT message(tr("This matrix's samples are not known: the run's prediction files are missing (a run stopped before its test, or made by an older FuseLab)."), false);
        return;
    }
    const int C = m_map->data()->keySize();
    if (trueClass < 0 || predicted < 0 || trueClass >= C || predicted >= C)
        return;
    std::vector<int> order;
    for (int i = 0; i < m_cellSamples.rows.size(); ++i)
        if (m_cellSamples.truth[i] == trueClass && m_cellSamples.predicted[i] == predicted)
            order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [this](int a, int b) { return m_cellSamples.confidence[a] > m_cellSamples.confidence[b]; });
    QVector<qint64> rows;
    QStringList top;
    for (int i : order) {
        rows << m_cellSamples.rows[i];
        top << m_cellSamples.top.value(i);
    }
    const QString source = m_confusionSource->currentData().toString();
    Q_EMIT confusionCellChosen(trueClass, predicted, rows, top, source == QLatin1String("test") ? source : QStringLiteral("val"));
}

void TrainingPanel::onFinished(const TrainingResultInfo &r)
{
    setRunning(false);
    m_pause->setChecked(false);
    const QString where = QDir::toNativeSeparators(r.runDir);
    QString text;
    if (r.stopped)
        text = tr("Stopped after %1 complete epoch(s); the run is kept in %2 and can be resumed.").arg(r.epochsCompleted).arg(where);
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

bool TrainingPanel::exportCurves(const QString &format, QString file)
{
    if (file.isEmpty()) {
        const QString filter = format == QLatin1String("csv") ? tr("CSV files (*.csv)")
                             : format == QLatin1String("pdf") ? tr("PDF files (*.pdf)")
                                                              : tr("PNG images (*.png)");
        file = QFileDialog::getSaveFileName(this, tr("Export the curves"), QStringLiteral("training.%1").arg(format), filter);
        if (file.isEmpty())
            return false;
    }
    bool ok = false;
    if (format == QLatin1String("png")) {
        ok = m_loss->savePng(file, 0, 0, 2.0); // twice the screen's pixels
    } else if (format == QLatin1String("pdf")) {
        ok = m_loss->savePdf(file);
    } else {
        // Every point, not the drawn ones: one row per (series, x).
        QString text = QStringLiteral("series,x,value\n");
        const char *names[] = {"train_loss_batch", "val_loss", "val_accuracy", "val_macro_f1", "train_loss_epoch", "learning_rate"};
        for (int g = 0; g < m_loss->graphCount() && g < 6; ++g)
            for (auto it = m_loss->graph(g)->data()->constBegin(); it != m_loss->graph(g)->data()->constEnd(); ++it)
                text += QStringLiteral("%1,%2,%3\n").arg(QLatin1String(names[g])).arg(it->key, 0, 'g', 10).arg(it->value, 0, 'g', 10);
        QSaveFile out(file); // atomic: a failed export leaves no half file
        ok = out.open(QIODevice::WriteOnly) && out.write(text.toUtf8()) >= 0 && out.commit();
    }
    if (!ok)
        Q_EMIT message(tr("Could not write %1").arg(QDir::toNativeSeparators(file)), true);
    return ok;
}

void TrainingPanel::replot()
{
    if (!m_dirty)
        return;
    m_dirty = false;
    m_loss->yAxis->rescale();
    if (m_loss->yAxis->range().lower > 0)
        m_loss->yAxis->setRangeLower(0);
    // The learning rate from zero to a little above its largest value (QCustomPlot's own
    // rescale widens a constant rate to ±1 around it).
    m_lrAxis->setVisible(m_highestRate > 0);
    if (m_highestRate > 0)
        m_lrAxis->setRange(0, m_highestRate * 1.15);
    if (m_bestLine->visible()) // a vertical line through the best epoch, whatever the y range
        m_bestLine->point2->setCoords(m_bestEpoch, m_loss->yAxis->range().upper);
    m_loss->replot(QCustomPlot::rpQueuedReplot);
    m_confusion->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace gui
} // namespace fuselab
