// SPDX-License-Identifier: GPL-3.0-or-later
// The training dock's live curves: loss, accuracy, macro-F1 and learning rate as they come, and their export.
#include "widgets/training/TrainingPanel.h"
#include "widgets/training/RegressionView.h"
#include "widgets/training/SequenceView.h"

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

// The live curves: loss on the left axis, accuracy and macro-F1 on the right, the learning
// rate on an axis of its own, the best epoch marked; zoom, pan and export.
void TrainingPanel::buildCurves()
{
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
    if (e.sequence && (!m_sequence || e.characterTargets != m_characters)) // the plan does not say which tokens
        showTask(false, true, e.characterTargets);
    const double errorRate = 100 * (m_characters ? e.valCer : e.valWer);
    if (e.hasValidation) {
        m_loss->graph(1)->addData(QVector<double>{double(e.epoch)}, QVector<double>{e.valLoss}, true);
        m_loss->graph(2)->addData(QVector<double>{double(e.epoch)},
                                  QVector<double>{e.sequence ? e.valBleu : e.regression ? e.valR2 : e.valAccuracy}, true);
        m_loss->graph(3)->addData(QVector<double>{double(e.epoch)},
                                  QVector<double>{e.sequence ? errorRate : e.regression ? e.valPearson : e.valMacroF1}, true);
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
    const QString third = e.sequence ? QString::number(e.valBleu, 'f', 2) : QString::number(e.regression ? e.valRmse : e.valAccuracy, e.regression ? 'g' : 'f', 4);
    const QString fourth = e.sequence ? QString::number(errorRate / 100, 'f', 4) : QString::number(e.regression ? e.valR2 : e.valMacroF1, 'f', 4);
    const QStringList cells = {QString::number(e.epoch),
                               QString::number(e.trainLoss, 'f', 4),
                               e.hasValidation ? QString::number(e.valLoss, 'f', 4) : QString(),
                               e.hasValidation ? third : QString(),
                               e.hasValidation ? fourth : QString(),
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
    if (e.regression && !e.valRows.isEmpty())
        m_regressionView->setPoints(e.valRows, e.valTargets, e.valPredicted, m_plan.classes.value(0));
    if (e.sequence && !e.valRows.isEmpty())
        m_sequenceView->setSamples(e.valRows, e.valReferences, e.valHypotheses, e.characterTargets);
    if (!e.regression && !e.sequence && showConfusion(e.confusion)) {
        m_lastEpoch = e;
        if (m_confusionSource->currentData().toString() == QLatin1String("live"))
            m_cellSamples = e.val;
    }
    if (e.sequence)
        m_status->setText((m_characters ? tr("epoch %1: training loss %2, validation BLEU %3, CER %4%5")
                                        : tr("epoch %1: training loss %2, validation BLEU %3, WER %4%5"))
                              .arg(e.epoch)
                              .arg(e.trainLoss, 0, 'f', 4)
                              .arg(e.hasValidation ? QString::number(e.valBleu, 'f', 2) : tr("n/a"))
                              .arg(e.hasValidation ? QString::number(errorRate / 100, 'f', 4) : tr("n/a"))
                              .arg(e.best ? tr(" (best so far)") : QString()));
    else if (e.regression)
        m_status->setText(tr("epoch %1: training loss %2, validation RMSE %3, R² %4%5")
                              .arg(e.epoch)
                              .arg(e.trainLoss, 0, 'f', 4)
                              .arg(e.hasValidation ? QString::number(e.valRmse, 'g', 4) : tr("n/a"))
                              .arg(e.hasValidation ? QString::number(e.valR2, 'f', 4) : tr("n/a"))
                              .arg(e.best ? tr(" (best so far)") : QString()));
    else
        m_status->setText(tr("epoch %1: training loss %2, validation accuracy %3%4")
                              .arg(e.epoch)
                              .arg(e.trainLoss, 0, 'f', 4)
                              .arg(e.hasValidation ? QString::number(e.valAccuracy, 'f', 4) : tr("n/a"))
                              .arg(e.best ? tr(" (best so far)") : QString()));
    m_dirty = true;
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
        if (m_regression) {
            names[2] = "val_r2";
            names[3] = "val_pearson";
        } else if (m_sequence) {
            names[2] = "val_bleu";
            names[3] = m_characters ? "val_cer_percent" : "val_wer_percent";
        }
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
