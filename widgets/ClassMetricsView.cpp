// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/ClassMetricsView.h"

#include "core/document/RunFolder.h"
#include "widgets/GuiText.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace fuselab {
namespace gui {

namespace {
// A number cell that sorts as a number.
QTableWidgetItem *numberItem(double v, int decimals)
{
    auto *item = new QTableWidgetItem;
    item->setData(Qt::DisplayRole, decimals < 0 ? QVariant(static_cast<qlonglong>(v)) : QVariant(QString::number(v, 'f', decimals).toDouble()));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}
} // namespace

ClassMetricsView::ClassMetricsView(QWidget *parent)
    : QWidget(parent), m_split(new QComboBox(this)), m_note(new QLabel(this)), m_table(new QTableWidget(0, 5, this))
{
    setObjectName(QStringLiteral("classMetrics"));
    m_split->addItem(tr("Validation split"), QStringLiteral("val"));
    m_split->addItem(tr("Test split"), QStringLiteral("test"));
    m_split->setCurrentIndex(1);
    m_note->setWordWrap(true);
    m_table->setHorizontalHeaderLabels({tr("Class"), tr("Precision"), tr("Recall"), tr("F1"), tr("Support")});
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSortingEnabled(true);
    auto *top = new QHBoxLayout;
    top->addWidget(m_split);
    top->addWidget(m_note, 1);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 4, 0, 0);
    v->addLayout(top);
    v->addWidget(m_table, 1);
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
}

} // namespace gui
} // namespace fuselab
