// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QStringList>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace fuselab {
namespace gui {

class BackgroundTask;
class ExplainView;

// Asks a trained run about one sample: files dropped here (or chosen) and typed text form
// that sample, one per modality; the missing modalities are allowed and said. The run's best
// checkpoint answers off the GUI thread, and the class probabilities show as bars.
class PredictPanel final : public QWidget {
    Q_OBJECT
public:
    explicit PredictPanel(QWidget *parent = nullptr);
    void setRun(const QString &runDir);
    QString run() const { return m_run; }
    void addFiles(const QStringList &files);
    void setText(const QString &text);
    // Starts the prediction (false when there is no run or nothing to ask about).
    bool predict();
    // "Why?": the sample's explanation in a window of its own (after a prediction).
    ExplainView *explain();
    QPushButton *whyButton() const { return m_why; }
    QCustomPlot *chart() const { return m_chart; }
    QLabel *answer() const { return m_answer; }

Q_SIGNALS:
    void predicted(const QStringList &classes, const QVector<double> &probabilities);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void show(const QStringList &classes, const QVector<double> &probabilities, const QStringList &missing);
    QString m_run;
    QLabel *m_runLabel, *m_answer;
    QListWidget *m_files;
    QLineEdit *m_text;
    QPushButton *m_predict, *m_why = nullptr;
    ExplainView *m_explain = nullptr;
    QCustomPlot *m_chart;
    BackgroundTask *m_task;
};

} // namespace gui
} // namespace fuselab
