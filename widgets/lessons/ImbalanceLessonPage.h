// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The imbalance lesson's page of the lesson window: the class to make rare and its share,
// per-class recall of each remedy as grouped bars with the rare class marked, the table, the
// verdict, and the classroom explanation.
#include <QStringList>
#include <QWidget>

class QComboBox;
class QCPBarsGroup;
class QCPTextElement;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QTableWidget;
class QTextBrowser;

namespace fuselab {
struct ImbalanceLesson;
namespace gui {

class ImbalanceLessonPage final : public QWidget {
    Q_OBJECT
public:
    explicit ImbalanceLessonPage(QWidget *parent = nullptr);

    // The dataset's classes to choose from (the choice kept where it still exists).
    void setClasses(const QStringList &classes);
    QString rareClass() const;
    double ratio() const; // the rare class's share of the training split, 0..1
    void setImbalance(const QString &rareClass, double ratio);
    void setChoicesEnabled(bool enabled);
    QWidget *choices() const { return m_choices; }

    void showLesson(const ImbalanceLesson &lesson);
    void clear();
    void retranslate();
    void setPresentation(bool on, const QFont &font);

    QCustomPlot *recallPlot() const { return m_recall; }
    QTableWidget *table() const { return m_table; }
    QLabel *verdictLabel() const { return m_verdict; }
    QTextBrowser *explanation() const { return m_text; }

private:
    QWidget *m_choices;
    QLabel *m_classLabel, *m_ratioLabel, *m_verdict;
    QComboBox *m_rareClass;
    QDoubleSpinBox *m_ratio;
    QCustomPlot *m_recall;
    QCPTextElement *m_recallTitle;
    QCPBarsGroup *m_recallGroup = nullptr;
    QTableWidget *m_table;
    QTextBrowser *m_text;
};

} // namespace gui
} // namespace fuselab
