// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/lessons/ImbalanceLessonPage.h"
#include "widgets/lessons/LessonViews.h"
#include "widgets/lessons/LessonWindow.h"

#include "core/project/Lesson.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>

#include <algorithm>

namespace fuselab {
namespace gui {

ImbalanceLessonPage::ImbalanceLessonPage(QWidget *parent) : QWidget(parent)
{
    auto *row = new QHBoxLayout;
    m_classLabel = new QLabel;
    m_classLabel->setObjectName(QStringLiteral("rareClassLabel"));
    m_rareClass = new QComboBox;
    m_ratioLabel = new QLabel;
    m_ratioLabel->setObjectName(QStringLiteral("ratioLabel"));
    m_ratio = new QDoubleSpinBox;
    m_ratio->setRange(0.5, 50);
    m_ratio->setDecimals(1);
    m_ratio->setValue(5);
    m_ratio->setSuffix(QStringLiteral(" %"));
    row->addWidget(m_classLabel);
    row->addWidget(m_rareClass);
    row->addWidget(m_ratioLabel);
    row->addWidget(m_ratio);
    row->addStretch(1);
    m_choices = new QWidget;
    m_choices->setLayout(row);
    row->setContentsMargins(0, 0, 0, 0);
    m_verdict = new QLabel;
    m_verdict->setWordWrap(true);
    m_verdict->setFont(verdictFont(m_verdict->font()));
    m_recall = new QCustomPlot;
    m_recall->setObjectName(QStringLiteral("imbalanceRecall"));
    m_recall->setMinimumHeight(260);
    m_recall->yAxis->setRange(0, 1.05);
    m_recall->plotLayout()->insertRow(0);
    m_recallTitle = new QCPTextElement(m_recall, QString());
    m_recall->plotLayout()->addElement(0, 0, m_recallTitle);
    legendAboveBars(m_recall);
    m_table = new QTableWidget;
    m_table->setObjectName(QStringLiteral("imbalanceTable"));
    m_table->verticalHeader()->setVisible(false);
    m_text = new QTextBrowser;
    m_text->setObjectName(QStringLiteral("imbalanceExplanation"));
    m_text->setMinimumWidth(340);
    auto *body = new QSplitter(Qt::Vertical);
    body->addWidget(m_recall);
    body->addWidget(m_table);
    body->setStretchFactor(0, 3);
    body->setStretchFactor(1, 2);
    layoutLessonPage(this, m_choices, m_verdict, body, m_text);
}

void ImbalanceLessonPage::setClasses(const QStringList &classes)
{
    const QString chosen = m_rareClass->currentText();
    m_rareClass->clear();
    m_rareClass->addItems(classes);
    if (classes.contains(chosen))
        m_rareClass->setCurrentText(chosen);
}

QString ImbalanceLessonPage::rareClass() const { return m_rareClass->currentText(); }

double ImbalanceLessonPage::ratio() const { return m_ratio->value() / 100.0; }

void ImbalanceLessonPage::setImbalance(const QString &rareClass, double ratio)
{
    m_rareClass->setCurrentText(rareClass);
    m_ratio->setValue(100 * ratio);
}

void ImbalanceLessonPage::setChoicesEnabled(bool enabled)
{
    m_rareClass->setEnabled(enabled);
    m_ratio->setEnabled(enabled);
}

void ImbalanceLessonPage::retranslate()
{
    m_classLabel->setText(tr("Make this class rare:"));
    m_ratioLabel->setText(tr("its share of the training split:"));
    m_text->setHtml(imbalanceLessonExplanation());
    m_recall->yAxis->setLabel(tr("test recall"));
}

void ImbalanceLessonPage::clear()
{
    m_recall->clearPlottables();
    m_recall->clearItems();
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    m_verdict->clear();
    m_recall->replot();
}

void ImbalanceLessonPage::setPresentation(bool on, const QFont &font)
{
    m_verdict->setFont(verdictFont(font));
    m_text->setMinimumWidth(on ? 480 : 340);
    setPlotFonts(m_recall, font);
    m_table->resizeColumnsToContents();
}

void ImbalanceLessonPage::showLesson(const ImbalanceLesson &lesson)
{
    const int C = static_cast<int>(lesson.classes.size());
    const int rare = static_cast<int>(std::find(lesson.classes.begin(), lesson.classes.end(), lesson.rareClass) - lesson.classes.begin());
    m_recall->clearPlottables();
    m_recall->clearItems();
    if (!m_recallGroup)
        m_recallGroup = new QCPBarsGroup(m_recall);
    m_recallGroup->clear();
    QCPBarsGroup *group = m_recallGroup;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int k = 0; k < C; ++k)
        ticker->addTick(k, k == rare ? tr("%1 (rare)").arg(qs(lesson.classes[static_cast<std::size_t>(k)])) : qs(lesson.classes[static_cast<std::size_t>(k)]));
    m_recall->xAxis->setTicker(ticker);
    m_recall->xAxis->setTickLabelRotation(C > 6 ? 45 : 0);
    m_recall->xAxis->setRange(-0.6, C - 0.4);
    if (rare < C) { // the rare class's column stands out
        auto *band = new QCPItemRect(m_recall);
        band->topLeft->setCoords(rare - 0.5, 1.05);
        band->bottomRight->setCoords(rare + 0.5, 0);
        band->setPen(Qt::NoPen);
        band->setBrush(QColor(255, 220, 210));
        band->setLayer(QStringLiteral("background"));
    }
    const double width = 0.8 / std::max<std::size_t>(1, lesson.runs.size());
    for (std::size_t j = 0; j < lesson.runs.size(); ++j) {
        const ImbalanceRun &r = lesson.runs[j];
        auto *bars = new QCPBars(m_recall->xAxis, m_recall->yAxis);
        bars->setName(remedyName(r.remedy));
        bars->setWidth(width);
        bars->setBarsGroup(group);
        bars->setPen(QPen(colour(static_cast<int>(j)).darker(120)));
        bars->setBrush(colour(static_cast<int>(j)));
        if (r.test)
            for (int k = 0; k < C && k < static_cast<int>(r.test->single.recall.size()); ++k)
                bars->addData(k, r.test->single.recall[static_cast<std::size_t>(k)]);
    }
    m_recallTitle->setText(tr("Recall per class on the test split: %1 made %2 of the training split").arg(qs(lesson.rareClass), pct(lesson.ratio)));
    m_recall->replot();

    const QStringList header = {tr("remedy"), tr("macro-F1"), tr("test accuracy"), tr("recall of %1 (rare)").arg(qs(lesson.rareClass)),
                                tr("training samples (rare)"), tr("status")};
    m_table->clear();
    m_table->setColumnCount(header.size());
    m_table->setHorizontalHeaderLabels(header);
    m_table->setRowCount(static_cast<int>(lesson.runs.size()));
    const int best = lesson.bestRun();
    for (int i = 0; i < static_cast<int>(lesson.runs.size()); ++i) {
        const ImbalanceRun &r = lesson.runs[static_cast<std::size_t>(i)];
        m_table->setItem(i, 0, cell(i == best ? tr("★ %1 (best macro-F1)").arg(remedyName(r.remedy)) : remedyName(r.remedy)));
        m_table->setItem(i, 1, cell(r.test ? pct(r.test->macroF1) : QStringLiteral("–"), true));
        m_table->setItem(i, 2, cell(r.test ? pct(r.test->accuracy) : QStringLiteral("–"), true));
        m_table->setItem(i, 3, cell(r.test ? pct(r.rareRecall) : QStringLiteral("–"), true));
        m_table->setItem(i, 4, cell(QStringLiteral("%1 (%2)").arg(r.trainSamples).arg(r.rareTrainSamples), true));
        QTableWidgetItem *status = cell(statusName(r.status));
        if (!r.error.empty())
            status->setToolTip(qs(r.error));
        m_table->setItem(i, 5, status);
        for (int k = 0; k < header.size(); ++k) {
            QTableWidgetItem *item = m_table->item(i, k);
            item->setForeground(colour(i).darker(130));
            if (i == best) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
        }
    }
    m_table->resizeColumnsToContents();
    m_verdict->setText(translated(imbalanceVerdict(lesson)));
}

} // namespace gui
} // namespace fuselab
