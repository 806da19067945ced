// SPDX-License-Identifier: GPL-3.0-or-later
// The training dock's confusion matrix: live, or a run's best checkpoint on val or test; a cell opens its samples.
#include "widgets/training/TrainingPanel.h"

#include "core/project/Services.h"
#include "core/train/TrainingObserver.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/training/ClassMetricsView.h"
#include "widgets/PredictPanel.h"
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

// The latest validation confusion matrix, counts written in the cells; a click opens a cell's samples.
void TrainingPanel::buildConfusionView()
{
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
}

void TrainingPanel::redrawConfusion()
{
    if (m_regression || m_sequence)
        return; // no classes: their views stand in the matrix's place
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

} // namespace gui
} // namespace fuselab
