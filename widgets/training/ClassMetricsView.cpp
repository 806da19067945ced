// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/training/ClassMetricsView.h"

#include "core/document/RunFolder.h"
#include "widgets/GuiText.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

namespace fuselab {
namespace gui {

namespace {
// A number cell that shows a fixed number of decimals and sorts as a number.
class NumberItem final : public QTableWidgetItem {
public:
    NumberItem(double v, int decimals) : QTableWidgetItem(decimals < 0 ? QString::number(static_cast<qlonglong>(v)) : QString::number(v, 'f', decimals))
    {
        setData(Qt::UserRole, v);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem &other) const override { return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble(); }
};
QTableWidgetItem *numberItem(double v, int decimals) { return new NumberItem(v, decimals); }
constexpr int cardWidth = 170, cardHeight = 132, cardGap = 8;
} // namespace

LabelMatrixGrid::LabelMatrixGrid(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("labelMatrices"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void LabelMatrixGrid::setMatrices(const QStringList &labels, const QVector<std::array<qint64, 4>> &counts)
{
    m_labels = labels;
    m_counts = counts;
    updateGeometry();
    update();
}

int LabelMatrixGrid::columns(int width) const { return std::max(1, (width + cardGap) / (cardWidth + cardGap)); }

int LabelMatrixGrid::heightForWidth(int width) const
{
    const int n = static_cast<int>(m_counts.size());
    const int rows = (n + columns(width) - 1) / columns(width);
    return rows * (cardHeight + cardGap);
}

QSize LabelMatrixGrid::sizeHint() const { return {4 * (cardWidth + cardGap), heightForWidth(4 * (cardWidth + cardGap))}; }

void LabelMatrixGrid::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const int cols = columns(width());
    const QFontMetrics fm(font());
    const int line = fm.height();
    const QColor ink = palette().color(QPalette::WindowText);
    for (int i = 0; i < m_counts.size(); ++i) {
        const QRect card((i % cols) * (cardWidth + cardGap), (i / cols) * (cardHeight + cardGap), cardWidth, cardHeight);
        p.setPen(palette().color(QPalette::Mid));
        p.setBrush(palette().color(QPalette::Base));
        p.drawRoundedRect(card.adjusted(0, 0, -1, -1), 4, 4);
        p.setPen(ink);
        p.drawText(QRect(card.left() + 6, card.top() + 2, cardWidth - 12, line), Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(m_labels.value(i), Qt::ElideRight, cardWidth - 12));
        // Column headings (the prediction) and row headings (the truth).
        const int labelWidth = fm.horizontalAdvance(tr("yes")) > fm.horizontalAdvance(tr("no")) ? fm.horizontalAdvance(tr("yes")) : fm.horizontalAdvance(tr("no"));
        const int left = card.left() + 10 + labelWidth, top = card.top() + 2 + 2 * line;
        const int cell = std::min((card.right() - 6 - left) / 2, (card.bottom() - 6 - top) / 2);
        const QStringList heads{tr("no"), tr("yes")};
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(left, card.top() + 2 + line, 2 * cell, line), Qt::AlignCenter, tr("predicted"));
        for (int k = 0; k < 2; ++k) {
            p.drawText(QRect(left + k * cell, top - line, cell, line), Qt::AlignCenter, heads[k]);
            p.drawText(QRect(card.left() + 4, top + k * cell, labelWidth + 4, cell), Qt::AlignRight | Qt::AlignVCenter, heads[k]);
        }
        const auto &c = m_counts[i]; // tn, fp, fn, tp
        for (int truth = 0; truth < 2; ++truth) {
            const qint64 rowTotal = c[static_cast<std::size_t>(2 * truth)] + c[static_cast<std::size_t>(2 * truth + 1)];
            for (int predicted = 0; predicted < 2; ++predicted) {
                const qint64 v = c[static_cast<std::size_t>(2 * truth + predicted)];
                const double share = rowTotal > 0 ? double(v) / double(rowTotal) : 0.0;
                // Right answers (the diagonal) in green, wrong ones in red, by their share of the row.
                const QColor base = truth == predicted ? QColor(46, 139, 87) : QColor(200, 60, 50);
                QColor fill = base;
                fill.setAlphaF(0.12 + 0.78 * share);
                const QRect r(left + predicted * cell, top + truth * cell, cell - 2, cell - 2);
                p.setPen(Qt::NoPen);
                p.setBrush(fill);
                p.drawRect(r);
                p.setPen(share > 0.55 ? QColor(Qt::white) : ink);
                p.drawText(r, Qt::AlignCenter, QString::number(v));
            }
        }
    }
}

ClassMetricsView::ClassMetricsView(QWidget *parent)
    : QWidget(parent), m_split(new QComboBox(this)), m_note(new QLabel(this)), m_table(new QTableWidget(0, 5, this)),
      m_matrices(new LabelMatrixGrid), m_matricesArea(nullptr)
{
    setObjectName(QStringLiteral("classMetrics"));
    m_split->addItem(tr("Validation split"), QStringLiteral("val"));
    m_split->addItem(tr("Test split"), QStringLiteral("test"));
    m_split->setCurrentIndex(1);
    m_note->setWordWrap(true);
    m_table->setHorizontalHeaderLabels({tr("Class"), tr("Precision"), tr("Recall"), tr("F1"), tr("Support")});
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->sortByColumn(0, Qt::AscendingOrder); // by class name until the user picks a column
    m_table->setSortingEnabled(true);
    auto *top = new QHBoxLayout;
    top->addWidget(m_split);
    top->addWidget(m_note, 1);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 4, 0, 0);
    v->addLayout(top);
    v->addWidget(m_table, 1);
    // Multi-label runs: each label's 2×2 matrix under the table.
    auto *area = new QScrollArea(this);
    area->setWidget(m_matrices);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setToolTip(tr("Each label's 2×2 matrix: rows are the truth (no, yes), columns the prediction (no, yes)."));
    m_matricesArea = area;
    v->addWidget(m_matricesArea, 1);
    connect(m_split, &QComboBox::currentIndexChanged, this, &ClassMetricsView::refresh);
    refresh();
}

void ClassMetricsView::setRun(const QString &runDir)
{
    m_run = runDir;
    refresh();
}

void ClassMetricsView::refresh()
{
    m_table->setSortingEnabled(false);
    m_table->setRowCount(0);
    m_matrices->setMatrices({}, {});
    m_matricesArea->setVisible(false);
    if (m_run.isEmpty()) {
        m_note->setText(tr("The per-class results of a finished run show here."));
        return;
    }
    const RunFolder run(m_run.toStdString());
    const auto report = run.readReport();
    const std::string split = m_split->currentData().toString().toStdString();
    if (!report || !report->contains(split) || !(*report)[split].is_object()) {
        m_note->setText(tr("%1 has no results for this split yet (it has not finished).").arg(QFileInfo(m_run).fileName()));
        return;
    }
    const nlohmann::json &m = (*report)[split];
    const char *key = m.contains("per_label") ? "per_label" : "per_class";
    if (!m.contains(key)) {
        m_note->setText(tr("%1 has no per-class results.").arg(QFileInfo(m_run).fileName()));
        return;
    }
    const nlohmann::json &pc = m[key];
    const auto classes = report->value("classes", std::vector<std::string>{});
    m_note->setText(tr("%1, best epoch %2%3").arg(QFileInfo(m_run).fileName()).arg(report->value("best_epoch", 0))
                        .arg(m.contains("per_label") ? tr(" (per label: each label is a yes/no question)") : QString()));
    const std::size_t n = pc.value("f1", std::vector<double>{}).size();
    for (std::size_t c = 0; c < n; ++c) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        m_table->setItem(row, 0, new QTableWidgetItem(c < classes.size() ? qs(classes[c]) : QString::number(c)));
        m_table->setItem(row, 1, numberItem(pc["precision"][c].get<double>(), 3));
        m_table->setItem(row, 2, numberItem(pc["recall"][c].get<double>(), 3));
        m_table->setItem(row, 3, numberItem(pc["f1"][c].get<double>(), 3));
        m_table->setItem(row, 4, numberItem(pc["support"][c].get<double>(), -1));
    }
    m_table->setSortingEnabled(true);
    if (m.contains("label_confusion") && m["label_confusion"].is_array()) {
        QStringList labels;
        QVector<std::array<qint64, 4>> counts;
        for (std::size_t c = 0; c < m["label_confusion"].size(); ++c) {
            const auto &x = m["label_confusion"][c]; // [[tn, fp], [fn, tp]]
            if (!x.is_array() || x.size() != 2 || !x[0].is_array() || x[0].size() != 2 || !x[1].is_array() || x[1].size() != 2)
                continue;
            labels << (c < classes.size() ? qs(classes[c]) : QString::number(c));
            counts.push_back({x[0][0].get<qint64>(), x[0][1].get<qint64>(), x[1][0].get<qint64>(), x[1][1].get<qint64>()});
        }
        m_matrices->setMatrices(labels, counts);
        m_matricesArea->setVisible(!counts.isEmpty());
    }
}

} // namespace gui
} // namespace fuselab
