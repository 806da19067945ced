// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A sequence run's validation outputs, where a classifier's dashboard shows its confusion
// matrix: every validation sample's source, reference and decoded hypothesis, worst first
// (by its word error rate, or character error rate for character targets). Choosing a row
// opens the sample and shows what the decoder attended to while it wrote the hypothesis: a
// heat map of the produced tokens against the memory's slots (the source's tokens, an
// image), computed from the run's best checkpoint on a thread of its own.
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <functional>
#include <memory>

class QCustomPlot;
class QCPColorMap;
class QLabel;
class QTableWidget;

namespace fuselab {
namespace gui {

class BackgroundTask;

// One sample's decoder attention, as core's attendSample gives it (core/train/Explanation.h).
struct AttentionInfo {
    qint64 row = -1;
    QString reference, hypothesis;
    QStringList outputs, slots;         // the tokens produced; the memory's open slots
    QVector<int> slotColumns;           // each slot's dataset column (-1: a fused input)
    QVector<QVector<double>> weights;   // [outputs][slots]
};

class SequenceView final : public QWidget {
    Q_OBJECT
public:
    explicit SequenceView(QWidget *parent = nullptr);
    ~SequenceView() override;

    // The validation samples of an epoch (parallel lists); `characters`: the targets are
    // characters, so each row's error is its CER (else its WER).
    void setSamples(const QVector<qint64> &rows, const QStringList &references, const QStringList &hypotheses, bool characters);
    // What the Source column shows for a dataset row (the window knows the dataset).
    void setSourceText(std::function<QString(qint64)> source) { m_source = std::move(source); }
    // The run whose best checkpoint the heat map reads.
    void setRun(const QString &runDir) { m_runDir = runDir; }
    void clear();

    // What choosing table row `i` does (a click; tests call it): sampleChosen, then the
    // attention of that sample from the run's best checkpoint.
    void chooseRow(int i);
    // Shows an attention map (what the background computation ends with).
    void showAttention(const AttentionInfo &attention);
    void showAttentionProblem(const QString &message);

    QTableWidget *table() const { return m_table; }
    QCustomPlot *heatMap() const { return m_heat; }
    QCPColorMap *colorMap() const { return m_map; }
    bool isComputing() const;
    // The dataset row behind table row i (-1 when none).
    qint64 rowAt(int i) const;
    // The largest number of rows the table lists (the worst ones).
    static constexpr int kMaxRows = 500;

Q_SIGNALS:
    void sampleChosen(qint64 row);
    void attentionShown(bool ok, const QString &error);

private:
    void retranslate();
    void changeEvent(QEvent *event) override;
    void fillTable();

    QLabel *m_summary, *m_attentionNote;
    QTableWidget *m_table;
    QCustomPlot *m_heat;
    QCPColorMap *m_map;
    BackgroundTask *m_task;
    std::function<QString(qint64)> m_source;
    QString m_runDir;
    struct Entry {
        qint64 row;
        QString reference, hypothesis;
        double error;
    };
    QVector<Entry> m_entries; // worst first
    int m_total = 0;
    bool m_characters = false;
    qint64 m_shownRow = -1; // the sample the heat map shows
    std::shared_ptr<AttentionInfo> m_pending;
};

} // namespace gui
} // namespace fuselab
