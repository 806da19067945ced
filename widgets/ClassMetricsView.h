// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QWidget>

class QComboBox;
class QLabel;
class QTableWidget;

namespace fuselab {
namespace gui {

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

private:
    void refresh();
    QString m_run;
    QComboBox *m_split;
    QLabel *m_note;
    QTableWidget *m_table;
};

} // namespace gui
} // namespace fuselab
