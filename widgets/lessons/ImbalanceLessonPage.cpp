// SPDX-License-Identifier: GPL-3.0-or-later
// The imbalance lesson's page: the rare class, per-class recall per remedy, the table, the verdict.
#include "widgets/lessons/LessonWindow.h"
#include "widgets/lessons/LessonViews.h"

#include "core/document/RunFolder.h"
#include "core/document/Templates.h"
#include "core/project/Lesson.h"
#include "core/util/Error.h"
#include "widgets/BackgroundTask.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphScene.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/ThreadHandoff.h"

#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fuselab {
namespace gui {

void LessonWindow::buildImbalanceTab()
{
    auto *row = new QHBoxLayout;
    auto *classLabel = new QLabel;
    classLabel->setObjectName(QStringLiteral("rareClassLabel"));
    m_rareClass = new QComboBox;
    auto *ratioLabel = new QLabel;
    ratioLabel->setObjectName(QStringLiteral("ratioLabel"));
    m_ratio = new QDoubleSpinBox;
    m_ratio->setRange(0.5, 50);
    m_ratio->setDecimals(1);
    m_ratio->setValue(5);
    m_ratio->setSuffix(QStringLiteral(" %"));
    row->addWidget(classLabel);
    row->addWidget(m_rareClass);
    row->addWidget(ratioLabel);
    row->addWidget(m_ratio);
    row->addStretch(1);
    auto *rareChoice = new QWidget;
    rareChoice->setLayout(row);
    row->setContentsMargins(0, 0, 0, 0);
    m_setupWidgets << rareChoice;
    m_imbalanceVerdict = new QLabel;
    m_imbalanceVerdict->setWordWrap(true);
    m_imbalanceVerdict->setFont(verdictFont(m_imbalanceVerdict->font()));
    m_recall = new QCustomPlot;
    m_recall->setObjectName(QStringLiteral("imbalanceRecall"));
    m_recall->setMinimumHeight(260);
    m_recall->yAxis->setRange(0, 1.05);
    m_recall->plotLayout()->insertRow(0);
    m_recallTitle = new QCPTextElement(m_recall, QString());
    m_recall->plotLayout()->addElement(0, 0, m_recallTitle);
    legendAboveBars(m_recall);
    m_imbalanceTable = new QTableWidget;
    m_imbalanceTable->setObjectName(QStringLiteral("imbalanceTable"));
    m_imbalanceTable->verticalHeader()->setVisible(false);
    m_imbalanceText = new QTextBrowser;
    m_imbalanceText->setObjectName(QStringLiteral("imbalanceExplanation"));
    m_imbalanceText->setMinimumWidth(340);
    auto *body = new QSplitter(Qt::Vertical);
    body->addWidget(m_recall);
    body->addWidget(m_imbalanceTable);
    body->setStretchFactor(0, 3);
    body->setStretchFactor(1, 2);
    addLessonPage(m_tabs, rareChoice, m_imbalanceVerdict, body, m_imbalanceText);
}

void LessonWindow::showImbalance(const ImbalanceLesson &lesson)
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
    m_imbalanceTable->clear();
    m_imbalanceTable->setColumnCount(header.size());
    m_imbalanceTable->setHorizontalHeaderLabels(header);
    m_imbalanceTable->setRowCount(static_cast<int>(lesson.runs.size()));
    const int best = lesson.bestRun();
    for (int i = 0; i < static_cast<int>(lesson.runs.size()); ++i) {
        const ImbalanceRun &r = lesson.runs[static_cast<std::size_t>(i)];
        m_imbalanceTable->setItem(i, 0, cell(i == best ? tr("★ %1 (best macro-F1)").arg(remedyName(r.remedy)) : remedyName(r.remedy)));
        m_imbalanceTable->setItem(i, 1, cell(r.test ? pct(r.test->macroF1) : QStringLiteral("–"), true));
        m_imbalanceTable->setItem(i, 2, cell(r.test ? pct(r.test->accuracy) : QStringLiteral("–"), true));
        m_imbalanceTable->setItem(i, 3, cell(r.test ? pct(r.rareRecall) : QStringLiteral("–"), true));
        m_imbalanceTable->setItem(i, 4, cell(QStringLiteral("%1 (%2)").arg(r.trainSamples).arg(r.rareTrainSamples), true));
        QTableWidgetItem *status = cell(statusName(r.status));
        if (!r.error.empty())
            status->setToolTip(qs(r.error));
        m_imbalanceTable->setItem(i, 5, status);
        for (int k = 0; k < header.size(); ++k) {
            QTableWidgetItem *item = m_imbalanceTable->item(i, k);
            item->setForeground(colour(i).darker(130));
            if (i == best) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
        }
    }
    m_imbalanceTable->resizeColumnsToContents();
    m_imbalanceVerdict->setText(translated(imbalanceVerdict(lesson)));
}

} // namespace gui
} // namespace fuselab
