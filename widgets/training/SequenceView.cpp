// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/training/SequenceView.h"

#include "core/project/Services.h"
#include "core/train/Explanation.h"
#include "core/train/SequenceMetrics.h"
#include "widgets/BackgroundTask.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"

#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace fuselab {
namespace gui {

SequenceView::SequenceView(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel(this)), m_attentionNote(new QLabel(this)), m_table(new QTableWidget(this)),
      m_heat(new QCustomPlot(this)), m_map(nullptr), m_task(new BackgroundTask(this))
{
    setObjectName(QStringLiteral("sequenceView"));
    m_table->setObjectName(QStringLiteral("sequenceTable"));
    m_heat->setObjectName(QStringLiteral("attentionMap"));
    m_summary->setWordWrap(true);
    m_attentionNote->setWordWrap(true);
    m_attentionNote->setTextFormat(Qt::RichText);
    m_table->setColumnCount(4);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    for (int c = 1; c < 4; ++c)
        m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Stretch);
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) { chooseRow(row); });

    // The heat map: produced tokens down, memory slots across, white (0) to dark blue (1).
    m_map = new QCPColorMap(m_heat->xAxis, m_heat->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0, QColor(0xff, 0xff, 0xff));
    gradient.setColorStopAt(1, QColor(0x1f, 0x3b, 0x73));
    auto *scale = new QCPColorScale(m_heat);
    m_heat->plotLayout()->addElement(0, 1, scale);
    m_map->setColorScale(scale); // the map takes the scale's gradient: set it after
    scale->setGradient(gradient);
    m_map->setGradient(gradient);
    scale->setDataRange(QCPRange(0, 1));
    m_heat->yAxis->setRangeReversed(true); // the first token on top, as it was written
    m_heat->xAxis->setTickLabelRotation(60);
    m_heat->setMinimumHeight(190);
    m_table->setMinimumHeight(110);
    m_heat->setVisible(false);

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_attentionNote);
    bottomLayout->addWidget(m_heat, 1);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(bottom);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);

    connect(m_task, &BackgroundTask::finished, this, [this](bool ok, bool cancelled, const QString &error) {
        const auto result = std::move(m_pending);
        if (ok && result)
            showAttention(*result);
        else if (!cancelled)
            showAttentionProblem(error);
    });
    retranslate();
}

SequenceView::~SequenceView() = default;

bool SequenceView::isComputing() const { return m_task->isRunning(); }

qint64 SequenceView::rowAt(int i) const { return i >= 0 && i < m_entries.size() ? m_entries[i].row : -1; }

void SequenceView::retranslate()
{
    m_table->setHorizontalHeaderLabels({m_characters ? tr("CER") : tr("WER"), tr("Source"), tr("Reference"), tr("Hypothesis")});
    if (m_entries.isEmpty())
        m_summary->setText(tr("The validation samples' references and decoded texts appear after the first epoch."));
    else if (m_total > m_entries.size())
        m_summary->setText(tr("The %1 worst of %2 validation samples by %3, worst first. Click one to open it and see what the decoder attended to.")
                               .arg(m_entries.size())
                               .arg(m_total)
                               .arg(m_characters ? tr("character error rate") : tr("word error rate")));
    else
        m_summary->setText(tr("%1 validation samples by %2, worst first. Click one to open it and see what the decoder attended to.")
                               .arg(m_total)
                               .arg(m_characters ? tr("character error rate") : tr("word error rate")));
    if (m_shownRow < 0 && !isComputing())
        m_attentionNote->setText(tr("Choose a sample above to see the decoder's attention: which source words and which image it looked at for each word it wrote."));
}

void SequenceView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void SequenceView::clear()
{
    m_task->cancel();
    m_entries.clear();
    m_total = 0;
    m_shownRow = -1;
    m_table->setRowCount(0);
    m_heat->setVisible(false);
    retranslate();
}

void SequenceView::setSamples(const QVector<qint64> &rows, const QStringList &references, const QStringList &hypotheses, bool characters)
{
    const int n = static_cast<int>(std::min({rows.size(), static_cast<qsizetype>(references.size()), static_cast<qsizetype>(hypotheses.size())}));
    QVector<Entry> all;
    all.reserve(n);
    for (int i = 0; i < n; ++i)
        all.push_back({rows[i], references[i], hypotheses[i],
                       sampleErrorRate(hypotheses[i].toStdString(), references[i].toStdString(), characters)});
    std::stable_sort(all.begin(), all.end(), [](const Entry &a, const Entry &b) { return a.error > b.error; });
    if (all.size() > kMaxRows)
        all.resize(kMaxRows);
    m_entries = std::move(all);
    m_total = n;
    m_characters = characters;
    fillTable();
    retranslate();
}

void SequenceView::fillTable()
{
    const qint64 selected = rowAt(m_table->currentRow());
    const QSignalBlocker quiet(m_table);
    m_table->setRowCount(static_cast<int>(m_entries.size()));
    for (int i = 0; i < m_entries.size(); ++i) {
        const Entry &e = m_entries[i];
        auto *error = new QTableWidgetItem(QStringLiteral("%1%").arg(100 * e.error, 0, 'f', 0));
        error->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        error->setData(Qt::UserRole, e.row);
        const QString source = m_source ? m_source(e.row) : QString();
        auto *src = new QTableWidgetItem(source);
        src->setToolTip(source);
        auto *ref = new QTableWidgetItem(e.reference);
        ref->setToolTip(e.reference);
        auto *hyp = new QTableWidgetItem(e.hypothesis);
        hyp->setToolTip(e.hypothesis);
        if (e.error > 0)
            hyp->setForeground(QColor(0xb0, 0x30, 0x30));
        m_table->setItem(i, 0, error);
        m_table->setItem(i, 1, src);
        m_table->setItem(i, 2, ref);
        m_table->setItem(i, 3, hyp);
        if (e.row == selected)
            m_table->selectRow(i);
    }
}

void SequenceView::chooseRow(int i)
{
    const qint64 row = rowAt(i);
    if (row < 0)
        return;
    m_table->selectRow(i);
    Q_EMIT sampleChosen(row);
    if (m_runDir.isEmpty() || m_task->isRunning())
        return;
    m_attentionNote->setText(tr("Computing the decoder's attention for sample %1…").arg(row));
    auto result = std::make_shared<AttentionInfo>();
    m_pending = result;
    const std::string dir = m_runDir.toStdString();
    m_task->start([result, dir, row](ProgressObserver &p) {
        const RunRecord record = ensureRunCache(RunFolder(dir), &p);
        const SequenceAttention a = attendSample(dir, record.cache, row, "cpu");
        result->row = a.row;
        result->reference = qs(a.reference);
        result->hypothesis = qs(a.hypothesis);
        for (const auto &o : a.outputs)
            result->outputs << qs(o);
        for (const auto &s : a.slots)
            result->slots << qs(s);
        result->slotColumns = QVector<int>(a.slotColumns.begin(), a.slotColumns.end());
        for (const auto &w : a.weights)
            result->weights.push_back(QVector<double>(w.begin(), w.end()));
    });
}

void SequenceView::showAttention(const AttentionInfo &a)
{
    const int S = static_cast<int>(a.slots.size()), T = static_cast<int>(a.outputs.size());
    m_shownRow = a.row;
    if (S == 0 || T == 0) {
        showAttentionProblem(tr("the decoder produced nothing for this sample"));
        return;
    }
    m_map->data()->setSize(S, T);
    m_map->data()->setRange(QCPRange(0, S - 1), QCPRange(0, T - 1));
    for (int t = 0; t < T; ++t)
        for (int s = 0; s < S; ++s)
            m_map->data()->setCell(s, t, t < a.weights.size() && s < a.weights[t].size() ? a.weights[t][s] : 0.0);
    m_map->setDataRange(QCPRange(0, 1)); // weights are shares: the same colour means the same share in every map
    auto xTicks = QSharedPointer<QCPAxisTickerText>::create(), yTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int s = 0; s < S; ++s)
        xTicks->addTick(s, s < a.slotColumns.size() && a.slotColumns[s] < 0 ? tr("fused %1").arg(a.slots[s]) : a.slots[s]);
    for (int t = 0; t < T; ++t)
        yTicks->addTick(t, a.outputs[t]);
    m_heat->xAxis->setTicker(xTicks);
    m_heat->yAxis->setTicker(yTicks);
    m_heat->xAxis->setRange(-0.5, S - 0.5);
    m_heat->yAxis->setRange(-0.5, T - 0.5);
    m_heat->xAxis->setLabel(tr("what the decoder read (memory)"));
    m_heat->yAxis->setLabel(tr("what it wrote"));
    m_heat->setVisible(true);
    m_heat->replot(QCustomPlot::rpQueuedReplot);
    m_attentionNote->setText(tr("<b>Sample %1</b> through the best checkpoint: reference “%2”, decoded “%3”. Each row is a token the decoder wrote; darker cells are what it "
                                "attended to (each row sums to 100%).")
                                 .arg(a.row)
                                 .arg(a.reference.toHtmlEscaped(), a.hypothesis.toHtmlEscaped()));
    Q_EMIT attentionShown(true, QString());
}

void SequenceView::showAttentionProblem(const QString &message)
{
    m_heat->setVisible(false);
    m_attentionNote->setText(tr("No attention to show: %1").arg(message.toHtmlEscaped()));
    Q_EMIT attentionShown(false, message);
}

} // namespace gui
} // namespace fuselab
