// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/training/RegressionView.h"

#include "widgets/QCustomPlotWrapper.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fuselab {
namespace gui {

RegressionView::RegressionView(QWidget *parent)
    : QWidget(parent), m_scatter(new QCustomPlot(this)), m_residuals(new QCustomPlot(this)), m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("regressionView"));
    m_scatter->setObjectName(QStringLiteral("regressionScatter"));
    m_residuals->setObjectName(QStringLiteral("regressionResiduals"));
    m_scatter->setMinimumHeight(150);
    m_residuals->setMinimumHeight(150);
    // Graph 0: the identity line; graph 1: the samples, as points.
    m_scatter->addGraph();
    m_scatter->graph(0)->setPen(QPen(QColor(0x88, 0x88, 0x88), 1.2, Qt::DashLine));
    m_scatter->addGraph();
    m_scatter->graph(1)->setLineStyle(QCPGraph::lsNone);
    m_scatter->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0x4e, 0x79, 0xa7, 170), 6));
    m_scatter->graph(1)->setSelectable(QCP::stSingleData);
    m_scatter->setInteractions(QCP::iSelectPlottables);
    auto *bars = new QCPBars(m_residuals->xAxis, m_residuals->yAxis);
    bars->setPen(QPen(QColor(0x4e, 0x79, 0xa7)));
    bars->setBrush(QColor(0x4e, 0x79, 0xa7, 120));
    connect(m_scatter, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        const double x = m_scatter->xAxis->pixelToCoord(event->pos().x()), y = m_scatter->yAxis->pixelToCoord(event->pos().y());
        const int i = nearestPoint(x, y);
        if (i < 0)
            return;
        // Within 8 pixels of the point.
        const double dx = m_scatter->xAxis->coordToPixel(m_truth[i]) - event->pos().x();
        const double dy = m_scatter->yAxis->coordToPixel(m_predicted[i]) - event->pos().y();
        if (dx * dx + dy * dy <= 64)
            choosePoint(i);
    });
    m_summary->setWordWrap(true);
    auto *plots = new QHBoxLayout;
    plots->addWidget(m_scatter, 3);
    plots->addWidget(m_residuals, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addLayout(plots, 1);
    retranslate();
}

void RegressionView::retranslate()
{
    m_scatter->xAxis->setLabel(m_name.isEmpty() ? tr("true") : tr("true %1").arg(m_name));
    m_scatter->yAxis->setLabel(m_name.isEmpty() ? tr("predicted") : tr("predicted %1").arg(m_name));
    m_residuals->xAxis->setLabel(tr("residual (predicted − true)"));
    m_residuals->yAxis->setLabel(tr("samples"));
    m_scatter->setToolTip(tr("Each validation sample; on the dashed line the prediction is exact. Click a point to open its sample."));
    if (m_rows.isEmpty())
        m_summary->setText(tr("Predicted against true values of the validation samples appear after the first epoch."));
    else
        m_summary->setText(tr("Validation samples: %1, predicted against true, and how far off the predictions are.").arg(m_rows.size()));
}

void RegressionView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void RegressionView::clear()
{
    m_rows.clear();
    m_truth.clear();
    m_predicted.clear();
    m_scatter->graph(0)->data()->clear();
    m_scatter->graph(1)->data()->clear();
    static_cast<QCPBars *>(m_residuals->plottable(0))->data()->clear();
    retranslate();
    m_scatter->replot(QCustomPlot::rpQueuedReplot);
    m_residuals->replot(QCustomPlot::rpQueuedReplot);
}

void RegressionView::setPoints(const QVector<qint64> &rows, const QVector<double> &truth, const QVector<double> &predicted, const QString &name)
{
    const int n = static_cast<int>(std::min({rows.size(), truth.size(), predicted.size()}));
    // Kept in the order of the true values, the order the graph holds them in.
    QVector<int> order(n);
    for (int i = 0; i < n; ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return truth[a] < truth[b]; });
    m_rows.clear();
    m_truth.clear();
    m_predicted.clear();
    for (int i : order) {
        m_rows.push_back(rows[i]);
        m_truth.push_back(truth[i]);
        m_predicted.push_back(predicted[i]);
    }
    m_name = name;
    m_scatter->graph(1)->setData(m_truth, m_predicted, true);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < n; ++i) {
        lo = std::min({lo, m_truth[i], m_predicted[i]});
        hi = std::max({hi, m_truth[i], m_predicted[i]});
    }
    if (n == 0) {
        lo = 0;
        hi = 1;
    }
    const double pad = std::max(1e-9, 0.05 * (hi - lo));
    m_scatter->graph(0)->setData({lo - pad, hi + pad}, {lo - pad, hi + pad}, true);
    m_scatter->xAxis->setRange(lo - pad, hi + pad);
    m_scatter->yAxis->setRange(lo - pad, hi + pad);

    // Residuals in 20 bins, symmetric around 0.
    double worst = 0;
    for (int i = 0; i < n; ++i)
        worst = std::max(worst, std::abs(m_predicted[i] - m_truth[i]));
    worst = std::max(worst, 1e-9);
    const int bins = 20;
    const double width = 2 * worst / bins;
    QVector<double> centres(bins), counts(bins, 0);
    for (int b = 0; b < bins; ++b)
        centres[b] = -worst + (b + 0.5) * width;
    for (int i = 0; i < n; ++i)
        ++counts[std::clamp(static_cast<int>((m_predicted[i] - m_truth[i] + worst) / width), 0, bins - 1)];
    auto *bars = static_cast<QCPBars *>(m_residuals->plottable(0));
    bars->setWidth(width * 0.9);
    bars->setData(centres, counts, true);
    m_residuals->xAxis->setRange(-worst * 1.05, worst * 1.05);
    m_residuals->yAxis->setRange(0, std::max(1.0, *std::max_element(counts.begin(), counts.end())) * 1.1);
    retranslate();
    m_scatter->replot(QCustomPlot::rpQueuedReplot);
    m_residuals->replot(QCustomPlot::rpQueuedReplot);
}

int RegressionView::nearestPoint(double truth, double predicted) const
{
    // Distance in pixels of the axes' scales (the axes' ranges may differ).
    const double sx = std::max(1e-12, m_scatter->xAxis->range().size()), sy = std::max(1e-12, m_scatter->yAxis->range().size());
    int best = -1;
    double bestDistance = std::numeric_limits<double>::infinity();
    for (int i = 0; i < m_rows.size(); ++i) {
        const double dx = (m_truth[i] - truth) / sx, dy = (m_predicted[i] - predicted) / sy;
        if (dx * dx + dy * dy < bestDistance) {
            bestDistance = dx * dx + dy * dy;
            best = i;
        }
    }
    return best;
}

void RegressionView::choosePoint(int i)
{
    if (i >= 0 && i < m_rows.size())
        Q_EMIT sampleChosen(m_rows[i], m_truth[i], m_predicted[i]);
}

} // namespace gui
} // namespace fuselab
