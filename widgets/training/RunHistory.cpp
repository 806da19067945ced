// SPDX-License-Identifier: GPL-3.0-or-later
// The training dock's run history: listing, comparing, resuming, showing and deleting runs.
#include "widgets/training/TrainingPanel.h"

#include "core/project/Services.h"
#include "core/train/TrainingObserver.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/training/ClassMetricsView.h"
#include "widgets/PredictPanel.h"
#include "widgets/training/RunComparison.h"
#include "widgets/training/SequenceView.h"
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

QString TrainingPanel::selectedRunDir() const
{
    const QTreeWidgetItem *item = m_runs->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
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
        const QString name = qs(r.name);
        auto *item = new QTreeWidgetItem(m_runs, {name, status,
                                                  QStringLiteral("%1 / %2").arg(r.epochsCompleted).arg(r.epochs),
                                                  r.bestEpoch > 0 ? QString::number(r.bestEpoch) : QString(),
                                                  RunComparison::scoreText(r.score, r.bestValScore), RunComparison::scoreText(r.score, r.testScore),
                                                  changes.join(QStringLiteral("; "))});
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
    showTask(e.dataset.task == Task::Regression, e.dataset.task == Task::Sequence, e.preprocessing.target.chars());
    m_sequenceView->setRun(runDir);
    for (const EpochRow &r : run.readMetrics()) {
        TrainingEpochInfo i;
        i.regression = m_regression;
        i.sequence = m_sequence;
        i.characterTargets = m_characters;
        i.valBleu = r.valBleu;
        i.valChrf = r.valChrf;
        i.valExactMatch = r.valExactMatch;
        i.valWer = r.valWer;
        i.valCer = r.valCer;
        i.valRmse = r.valRmse;
        i.valR2 = r.valR2;
        i.valPearson = r.valPearson;
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
    // A text-producing run: its best checkpoint's decoded validation samples, worst first.
    if (m_sequence) {
        QVector<qint64> rows;
        QStringList references, hypotheses;
        if (const auto texts = run.readTexts("val"))
            for (const SampleText &t : *texts) {
                rows << t.row;
                references << qs(t.reference);
                hypotheses << qs(t.hypothesis);
            }
        if (!rows.isEmpty())
            m_sequenceView->setSamples(rows, references, hypotheses, m_characters);
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

} // namespace gui
} // namespace fuselab
