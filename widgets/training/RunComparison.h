// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/document/RunFolder.h"

#include <QWidget>

#include <optional>
#include <string>

#include <string>
#include <vector>

class QCustomPlot;
class QTableWidget;

namespace fuselab {
namespace gui {

// Several runs side by side: their validation accuracy per epoch overlaid (one colour per
// run, in the order given), and a table of what each reached: best epoch, validation and
// test accuracy, test macro-F1 and training time, the best test accuracy in bold.
class RunComparison final : public QWidget {
    Q_OBJECT
public:
    explicit RunComparison(QWidget *parent = nullptr);
    void setRuns(const std::vector<std::string> &runDirs);
    // "finished", "stopped", ... in the user's language.
    static QString statusText(RunStatus status);
    // A run's headline figure (RunSummary::score): "93.1%", "BLEU 76.6", "R² 0.996"; empty when none.
    static QString scoreText(const std::string &score, const std::optional<double> &value);
    QCustomPlot *plot() const { return m_plot; }
    QTableWidget *table() const { return m_table; }

private:
    QCustomPlot *m_plot;
    QTableWidget *m_table;
};

} // namespace gui
} // namespace fuselab
