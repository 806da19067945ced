// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A regression run's validation predictions, where a classifier's dashboard shows its
// confusion matrix: predicted against true with the identity line (a perfect model's
// points lie on it), and a histogram of the residuals (predicted - true). Clicking a point
// opens its sample.
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QLabel;

namespace fuselab {
namespace gui {

class RegressionView final : public QWidget {
    Q_OBJECT
public:
    explicit RegressionView(QWidget *parent = nullptr);

    // Every validation sample's dataset row, target and prediction (parallel); `name` the
    // target's name (the label column).
    void setPoints(const QVector<qint64> &rows, const QVector<double> &truth, const QVector<double> &predicted, const QString &name);
    void clear();
    // The sample behind the point nearest to (truth, predicted) in plot coordinates, -1 when none.
    int nearestPoint(double truth, double predicted) const;
    // What a click on point `i` does (tests call it).
    void choosePoint(int i);
    QCustomPlot *scatterPlot() const { return m_scatter; }
    QCustomPlot *residualPlot() const { return m_residuals; }
    int pointCount() const { return static_cast<int>(m_rows.size()); }

Q_SIGNALS:
    // A point was clicked: the sample's dataset row, its target and the model's prediction.
    void sampleChosen(qint64 row, double truth, double predicted);

private:
    void retranslate();
    void changeEvent(QEvent *event) override;

    QCustomPlot *m_scatter, *m_residuals;
    QLabel *m_summary;
    QVector<qint64> m_rows;
    QVector<double> m_truth, m_predicted;
    QString m_name;
};

} // namespace gui
} // namespace fuselab
