// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The fusion lesson's page of the lesson window: the fusions to compare, overlaid validation
// curves (live while a run trains), the table with the best row marked, the verdict, what
// each modality brings to the best fusion (grouped bars, overall and per class), the
// modality weights of attention and gated fusions per class, and the classroom explanation.
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QCPBarsGroup;
class QCPTextElement;
class QCustomPlot;
class QLabel;
class QTableWidget;
class QTextBrowser;

namespace fuselab {
struct Lesson;
namespace gui {

class FusionLessonPage final : public QWidget {
    Q_OBJECT
public:
    explicit FusionLessonPage(QWidget *parent = nullptr);

    QStringList fusions() const;
    void setFusions(const QStringList &templates);
    void setChoicesEnabled(bool enabled);
    // The row of choices, hidden in presentation mode.
    QWidget *choices() const { return m_choices; }

    // Shows a lesson; `liveRun` (the index of a run training now, or -1) keeps its live curve
    // when the lesson file does not hold that run yet.
    void showLesson(const Lesson &lesson, int liveRun);
    // A run begins: a dashed curve that each validated epoch extends.
    void beginLiveRun(int index, const QString &name);
    void addLiveEpoch(int epoch, double valAccuracy);
    void clear();
    void retranslate();
    // Fonts of the page scaled for a projector (`font`: the window's font).
    void setPresentation(bool on, const QFont &font);

    QCustomPlot *curvesPlot() const { return m_curves; }
    QCustomPlot *contributionsPlot() const { return m_contributions; }
    QTableWidget *table() const { return m_table; }
    QTableWidget *weightsTable() const { return m_weights; }
    QLabel *verdictLabel() const { return m_verdict; }
    QTextBrowser *explanation() const { return m_text; }

private:
    QWidget *m_choices;
    QLabel *m_choicesLabel, *m_verdict;
    QList<QCheckBox *> m_boxes;
    QCustomPlot *m_curves, *m_contributions;
    QCPTextElement *m_contributionsTitle;
    QCPBarsGroup *m_contributionsGroup = nullptr;
    QTableWidget *m_table, *m_weights;
    QTextBrowser *m_text;
};

} // namespace gui
} // namespace fuselab
