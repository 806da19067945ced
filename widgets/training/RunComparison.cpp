// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/training/RunComparison.h"

#include "core/document/RunFolder.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <optional>

namespace fuselab {
namespace gui {

namespace {
// Tableau 10: distinct, and the same run keeps its colour while the selection keeps its order.
const QColor kColours[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59), QColor(0x76, 0xb7, 0xb2),
                           QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48), QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7),
                           QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac)};
} // namespace

RunComparison::RunComparison(QWidget *parent) : QWidget(parent), m_plot(new QCustomPlot(this)), m_table(new QTableWidget(0, 7, this))
{
    setObjectName(QStringLiteral("runComparison"));
    m_plot->setMinimumHeight(140);
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("validation accuracy"));
    m_plot->yAxis->setRange(0, 1);
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 2)));
    m_plot->plotLayout()->insertRow(0); // the legend above the plot, never over a curve
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_table->setObjectName(QStringLiteral("comparisonTable"));
    m_table->setHorizontalHeaderLabels({tr("Run"), tr("Status"), tr("Best epoch"), tr("Validation score"), tr("Test score"),
                                        tr("Test macro-F1"), tr("Minutes")});
    m_table->horizontalHeaderItem(3)->setToolTip(tr("Accuracy; BLEU for runs that produce texts, R² for runs that predict a number"));
    m_table->horizontalHeaderItem(4)->setToolTip(m_table->horizontalHeaderItem(3)->toolTip());
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 4, 0, 0);
    v->addWidget(m_plot, 3);
    v->addWidget(m_table, 2);
}

QString RunComparison::scoreText(const std::string &score, const std::optional<double> &v)
{
    if (!v)
        return {};
    if (score == "bleu")
        return tr("BLEU %1").arg(*v, 0, 'f', 1);
    if (score == "r2")
        return tr("R² %1").arg(*v, 0, 'f', 3);
    return QString::number(*v * 100, 'f', 1) + QLatin1Char('%');
}

QString RunComparison::statusText(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return tr("running");
    case RunStatus::Finished: return tr("finished");
    case RunStatus::Stopped: return tr("stopped");
    case RunStatus::Failed: return tr("failed");
    case RunStatus::Interrupted: return tr("interrupted");
    }
    return {};
}

void RunComparison::setRuns(const std::vector<std::string> &runDirs)
{
    m_plot->clearGraphs();
    m_table->setRowCount(0);
    int bestRow = -1;
    double bestTest = -std::numeric_limits<double>::infinity();
    double lastEpoch = 1, scoreRange = 1, lowest = 0;
    // The legend names what each run changed against the first one (the newest).
    std::optional<Experiment> first;
    for (std::size_t i = 0; i < runDirs.size(); ++i) {
        const RunFolder run(runDirs[i]);
        const RunSummary s = run.summary();
        const QString name = QFileInfo(qs(runDirs[i])).fileName();
        QString legend = name;
        try {
            const Experiment e = run.readExperiment();
            if (!first) {
                first = e;
            } else {
                QStringList changes;
                for (const std::string &d : settingDifferences(*first, e))
                    changes << qs(d);
                if (changes.size() > 2)
                    changes = changes.mid(0, 2) << QStringLiteral("…");
                if (!changes.isEmpty())
                    legend += QStringLiteral(" (") + changes.join(QStringLiteral(", ")) + QLatin1Char(')');
            }
        } catch (const std::exception &) {
        }
        QCPGraph *g = m_plot->addGraph();
        g->setName(legend);
        g->setPen(QPen(kColours[i % 10], 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        // Each run's own headline figure per epoch; the axis is named after the first run's.
        if (i == 0) {
            m_plot->yAxis->setLabel(s.score == "bleu" ? tr("validation BLEU") : s.score == "r2" ? tr("validation R²") : tr("validation accuracy"));
            scoreRange = s.score == "bleu" ? 100.0 : 1.0;
        }
        QVector<double> x, y;
        for (const EpochRow &r : run.readMetrics()) {
            const double v = s.score == "bleu" ? r.valBleu : s.score == "r2" ? r.valR2 : r.valAccuracy;
            if (!std::isnan(v)) {
                x << r.epoch;
                y << v;
                lastEpoch = std::max(lastEpoch, double(r.epoch));
                lowest = std::min(lowest, v);
            }
        }
        g->setData(x, y, true);
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const QStringList cells = {name, statusText(s.status), s.bestEpoch > 0 ? QString::number(s.bestEpoch) : QString(),
                                   scoreText(s.score, s.bestValScore), scoreText(s.score, s.testScore),
                                   s.testMacroF1 ? QString::number(*s.testMacroF1, 'f', 3) : QString(),
                                   s.seconds ? QString::number(*s.seconds / 60.0, 'f', 1) : QString()};
        for (int c = 0; c < cells.size(); ++c)
            m_table->setItem(row, c, new QTableWidgetItem(cells[c]));
        m_table->item(row, 0)->setForeground(kColours[i % 10]);
        if (s.testScore && *s.testScore > bestTest) { // higher is better for each figure
            bestTest = *s.testScore;
            bestRow = row;
        }
    }
    if (bestRow >= 0)
        for (int c = 0; c < m_table->columnCount(); ++c) {
            QFont f = m_table->item(bestRow, c)->font();
            f.setBold(true);
            m_table->item(bestRow, c)->setFont(f);
        }
    m_plot->xAxis->setRange(0.5, lastEpoch + 0.5);
    m_plot->yAxis->setRange(std::min(0.0, lowest), scoreRange); // R² can be below 0
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace gui
} // namespace fuselab
