// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <array>

class QComboBox;
class QLabel;
class QPaintEvent;
class QTableWidget;

namespace fuselab {
namespace gui {

// A multi-label run's per-label 2×2 confusion matrices, as a grid of small cards: for each
// label, [[true negatives, false positives], [false negatives, true positives]] (rows: the
// truth, no/yes; columns: the prediction, no/yes), each cell shaded by its share of the row.
class LabelMatrixGrid final : public QWidget {
    Q_OBJECT
public:
    explicit LabelMatrixGrid(QWidget *parent = nullptr);
    // counts[label] = {tn, fp, fn, tp}
    void setMatrices(const QStringList &labels, const QVector<std::array<qint64, 4>> &counts);
    const QVector<std::array<qint64, 4>> &matrices() const { return m_counts; }
    const QStringList &labels() const { return m_labels; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int columns(int width) const;
    QStringList m_labels;
    QVector<std::array<qint64, 4>> m_counts;
};

// Per-class (per-label for multi-label runs) precision, recall, F1 and support of a finished
// run's best checkpoint, on its validation or test split, in a sortable table.
class ClassMetricsView final : public QWidget {
    Q_OBJECT
public:
    explicit ClassMetricsView(QWidget *parent = nullptr);
    // Reads the run's report.json; a run without one (still training, stopped) says so.
    void setRun(const QString &runDir);
    QTableWidget *table() const { return m_table; }
    QComboBox *split() const { return m_split; }
    LabelMatrixGrid *labelMatrices() const { return m_matrices; }

private:
    void refresh();
    QString m_run;
    QComboBox *m_split;
    QLabel *m_note;
    QTableWidget *m_table;
    LabelMatrixGrid *m_matrices;
    QWidget *m_matricesArea;
};

} // namespace gui
} // namespace fuselab
