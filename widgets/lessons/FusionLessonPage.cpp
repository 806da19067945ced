// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/lessons/FusionLessonPage.h"
#include "widgets/lessons/LessonViews.h"
#include "widgets/lessons/LessonWindow.h"

#include "core/document/Templates.h"
#include "core/project/Lesson.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>

#include <algorithm>
#include <cmath>

namespace fuselab {
namespace gui {

FusionLessonPage::FusionLessonPage(QWidget *parent) : QWidget(parent)
{
    auto *fusionRow = new QHBoxLayout;
    m_choicesLabel = new QLabel;
    m_choicesLabel->setObjectName(QStringLiteral("fusionsLabel"));
    fusionRow->addWidget(m_choicesLabel);
    for (const ExperimentTemplate &t : experimentTemplates()) {
        if (t.minModalities < 2)
            continue;
        auto *box = new QCheckBox(qs(t.name));
        box->setProperty("template", qs(t.name));
        box->setToolTip(translated("Templates", t.description));
        box->setChecked(t.name == "concat" || t.name == "late-fusion" || t.name == "attention-fusion" || t.name == "gated-fusion");
        m_boxes << box;
        fusionRow->addWidget(box);
    }
    fusionRow->addStretch(1);
    m_choices = new QWidget;
    m_choices->setLayout(fusionRow);
    fusionRow->setContentsMargins(0, 0, 0, 0);

    m_verdict = new QLabel;
    m_verdict->setWordWrap(true);
    m_verdict->setFont(verdictFont(m_verdict->font()));

    m_curves = new QCustomPlot;
    m_curves->setObjectName(QStringLiteral("lessonCurves"));
    m_curves->setMinimumHeight(220);
    m_curves->legend->setVisible(true);
    m_curves->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_curves->legend->setBrush(QColor(255, 255, 255, 200));
    m_curves->yAxis->setRange(0, 1.02);
    m_contributions = new QCustomPlot;
    m_contributions->setObjectName(QStringLiteral("lessonContributions"));
    m_contributions->setMinimumHeight(220);
    m_contributions->yAxis->setRange(0, 1.05);
    m_contributions->plotLayout()->insertRow(0);
    m_contributionsTitle = new QCPTextElement(m_contributions, QString());
    m_contributions->plotLayout()->addElement(0, 0, m_contributionsTitle);
    legendAboveBars(m_contributions);
    m_table = new QTableWidget;
    m_table->setObjectName(QStringLiteral("lessonTable"));
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_weights = new QTableWidget;
    m_weights->setObjectName(QStringLiteral("lessonWeights"));
    m_weights->verticalHeader()->setVisible(true);

    auto *plots = new QSplitter(Qt::Horizontal);
    plots->addWidget(m_curves);
    plots->addWidget(m_contributions);
    auto *tables = new QSplitter(Qt::Horizontal);
    tables->addWidget(m_table);
    tables->addWidget(m_weights);
    tables->setStretchFactor(0, 3);
    tables->setStretchFactor(1, 2);
    auto *body = new QSplitter(Qt::Vertical);
    body->addWidget(plots);
    body->addWidget(tables);
    body->setStretchFactor(0, 3);
    body->setStretchFactor(1, 2);

    m_text = new QTextBrowser;
    m_text->setObjectName(QStringLiteral("fusionExplanation"));
    m_text->setMinimumWidth(340);
    layoutLessonPage(this, m_choices, m_verdict, body, m_text);
}

QStringList FusionLessonPage::fusions() const
{
    QStringList out;
    for (QCheckBox *b : m_boxes)
        if (b->isChecked())
            out << b->property("template").toString();
    return out;
}

void FusionLessonPage::setFusions(const QStringList &templates)
{
    for (QCheckBox *b : m_boxes)
        b->setChecked(templates.contains(b->property("template").toString()));
}

void FusionLessonPage::setChoicesEnabled(bool enabled)
{
    for (QCheckBox *b : m_boxes)
        b->setEnabled(enabled);
}

void FusionLessonPage::retranslate()
{
    m_choicesLabel->setText(tr("Fusions to compare:"));
    m_text->setHtml(fusionLessonExplanation());
    m_curves->xAxis->setLabel(tr("epoch"));
    m_curves->yAxis->setLabel(tr("validation accuracy"));
    m_contributions->yAxis->setLabel(tr("accuracy / recall"));
}

void FusionLessonPage::beginLiveRun(int index, const QString &name)
{
    QCPGraph *g = m_curves->addGraph();
    g->setName(name);
    g->setPen(QPen(colour(index), 2, Qt::DashLine)); // dashed while it trains
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    g->setProperty("live", true);
    m_curves->replot(QCustomPlot::rpQueuedReplot);
}

void FusionLessonPage::addLiveEpoch(int epoch, double valAccuracy)
{
    if (m_curves->graphCount() == 0)
        return;
    QCPGraph *g = m_curves->graph(m_curves->graphCount() - 1);
    if (!g->property("live").toBool())
        return;
    g->addData(epoch, valAccuracy);
    m_curves->xAxis->setRange(0.5, std::max(m_curves->xAxis->range().upper, epoch + 0.5));
    m_curves->replot(QCustomPlot::rpQueuedReplot);
}

void FusionLessonPage::clear()
{
    m_curves->clearGraphs();
    m_curves->clearItems();
    m_contributions->clearPlottables();
    for (QTableWidget *t : {m_table, m_weights}) {
        t->clear();
        t->setRowCount(0);
        t->setColumnCount(0);
    }
    m_verdict->clear();
    m_curves->replot();
    m_contributions->replot();
}

void FusionLessonPage::setPresentation(bool on, const QFont &font)
{
    m_verdict->setFont(verdictFont(font));
    m_text->setMinimumWidth(on ? 480 : 340);
    for (QCustomPlot *p : {m_curves, m_contributions})
        setPlotFonts(p, font);
    m_table->resizeColumnsToContents();
    m_weights->resizeColumnsToContents();
}

void FusionLessonPage::showLesson(const Lesson &lesson, int liveRun)
{
    // Curves: one per run that validated, in the lesson's order and colours; a run training
    // now keeps its live curve (it is not in lesson.json yet).
    QList<QPair<QString, QVector<QPair<double, double>>>> live;
    for (int i = 0; i < m_curves->graphCount(); ++i)
        if (m_curves->graph(i)->property("live").toBool() && static_cast<std::size_t>(liveRun) >= lesson.runs.size()) {
            QVector<QPair<double, double>> points;
            for (auto it = m_curves->graph(i)->data()->constBegin(); it != m_curves->graph(i)->data()->constEnd(); ++it)
                points.append({it->key, it->value});
            live.append({m_curves->graph(i)->name(), points});
        }
    m_curves->clearGraphs();
    double maxEpoch = 1;
    for (std::size_t i = 0; i < lesson.runs.size(); ++i) {
        const LessonRun &r = lesson.runs[i];
        if (r.valAccuracy.empty())
            continue;
        QCPGraph *g = m_curves->addGraph();
        g->setName(runName(r));
        QPen pen(colour(static_cast<int>(i)), static_cast<int>(i) == lesson.best ? 3.5 : 2);
        g->setPen(pen);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        for (std::size_t e = 0; e < r.valAccuracy.size(); ++e)
            g->addData(static_cast<double>(e + 1), r.valAccuracy[e]);
        maxEpoch = std::max(maxEpoch, static_cast<double>(r.valAccuracy.size()));
    }
    for (const auto &[name, points] : live) {
        QCPGraph *g = m_curves->addGraph();
        g->setName(name);
        g->setPen(QPen(colour(liveRun), 2, Qt::DashLine));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
        g->setProperty("live", true);
        for (const auto &p : points) {
            g->addData(p.first, p.second);
            maxEpoch = std::max(maxEpoch, p.first);
        }
    }
    m_curves->xAxis->setRange(0.5, maxEpoch + 0.5);
    m_curves->yAxis->setRange(0, 1.02);
    m_curves->replot();

    // The table.
    const int C = static_cast<int>(lesson.classes.size());
    QStringList header = {tr("model"), tr("kind"), tr("test accuracy"), tr("macro-F1")};
    for (const std::string &c : lesson.classes)
        header << tr("recall: %1").arg(qs(c));
    header << tr("parameters") << tr("training time") << tr("status");
    m_table->clear();
    m_table->setColumnCount(header.size());
    m_table->setHorizontalHeaderLabels(header);
    m_table->setRowCount(static_cast<int>(lesson.runs.size()));
    for (int i = 0; i < static_cast<int>(lesson.runs.size()); ++i) {
        const LessonRun &r = lesson.runs[static_cast<std::size_t>(i)];
        int c = 0;
        QString name = runName(r);
        if (i == lesson.best)
            name = tr("★ %1 (best)").arg(name);
        m_table->setItem(i, c++, cell(name));
        m_table->setItem(i, c++, cell(r.kind == "single" ? tr("one modality") : tr("fusion")));
        m_table->setItem(i, c++, cell(r.test ? pct(r.test->accuracy) : QStringLiteral("–"), true));
        m_table->setItem(i, c++, cell(r.test ? pct(r.test->macroF1) : QStringLiteral("–"), true));
        for (int k = 0; k < C; ++k)
            m_table->setItem(i, c++, cell(r.test && k < static_cast<int>(r.test->single.recall.size()) ? pct(r.test->single.recall[static_cast<std::size_t>(k)])
                                                                                                     : QStringLiteral("–"),
                                          true));
        m_table->setItem(i, c++, cell(QLocale().toString(static_cast<qlonglong>(r.parameters)), true));
        m_table->setItem(i, c++, cell(tr("%1 s").arg(std::lround(r.seconds)), true));
        QTableWidgetItem *status = cell(statusName(r.status));
        if (!r.error.empty())
            status->setToolTip(qs(r.error));
        m_table->setItem(i, c++, status);
        for (int k = 0; k < m_table->columnCount(); ++k) {
            QTableWidgetItem *item = m_table->item(i, k);
            item->setForeground(colour(i).darker(130));
            if (i == lesson.best || i == lesson.bestSingle || i == lesson.bestFusion) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            if (i == lesson.best)
                item->setBackground(QColor(255, 245, 200));
        }
    }
    m_table->resizeColumnsToContents();
    m_verdict->setText(translated(fusionVerdict(lesson)));

    // What each modality brings to the best fusion: grouped bars, overall then per class.
    m_contributions->clearPlottables();
    if (!m_contributionsGroup)
        m_contributionsGroup = new QCPBarsGroup(m_contributions);
    m_contributionsGroup->clear();
    QCPBarsGroup *group = m_contributionsGroup;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->addTick(0, tr("overall"));
    for (int k = 0; k < C; ++k)
        ticker->addTick(k + 1, qs(lesson.classes[static_cast<std::size_t>(k)]));
    m_contributions->xAxis->setTicker(ticker);
    m_contributions->xAxis->setTickLabelRotation(C > 6 ? 45 : 0);
    m_contributions->xAxis->setRange(-0.6, C + 0.6);
    const double width = 0.8 / std::max<std::size_t>(1, lesson.contributions.size());
    for (std::size_t j = 0; j < lesson.contributions.size(); ++j) {
        const ModalityContribution &mc = lesson.contributions[j];
        auto *bars = new QCPBars(m_contributions->xAxis, m_contributions->yAxis);
        bars->setName(mc.removed.empty() ? tr("every modality") : tr("without %1").arg(qs(mc.removed)));
        bars->setWidth(width);
        bars->setBarsGroup(group);
        const QColor c = mc.removed.empty() ? QColor(90, 90, 90) : colour(static_cast<int>(j) + 2);
        bars->setPen(QPen(c.darker(120)));
        bars->setBrush(c);
        bars->addData(0, mc.metrics.accuracy);
        for (int k = 0; k < C && k < static_cast<int>(mc.metrics.single.recall.size()); ++k)
            bars->addData(k + 1, mc.metrics.single.recall[static_cast<std::size_t>(k)]);
    }
    m_contributionsTitle->setText(lesson.bestFusion >= 0 && !lesson.contributions.empty()
                                      ? tr("What each modality brings to %1 (test split)").arg(qs(lesson.runs[static_cast<std::size_t>(lesson.bestFusion)].name))
                                      : tr("What each modality brings (after the lesson)"));
    m_contributions->replot();

    // Modality weights of attention and gated fusions, per class.
    m_weights->clear();
    QStringList cols;
    std::vector<std::pair<const FusionWeightsByClass *, std::size_t>> columns;
    for (const LessonRun &r : lesson.runs)
        for (const FusionWeightsByClass &w : r.weights)
            for (std::size_t m = 0; m < w.modalities.size(); ++m) {
                cols << (r.weights.size() > 1 ? tr("%1 (%2): %3").arg(qs(r.name), qs(w.node), qs(w.modalities[m]))
                                               : tr("%1: %2").arg(qs(r.name), qs(w.modalities[m])));
                columns.emplace_back(&w, m);
            }
    m_weights->setVisible(!columns.empty());
    m_weights->setColumnCount(static_cast<int>(columns.size()));
    m_weights->setHorizontalHeaderLabels(cols);
    m_weights->setRowCount(C + 1);
    QStringList rows;
    for (const std::string &c : lesson.classes)
        rows << qs(c);
    rows << tr("all classes");
    m_weights->setVerticalHeaderLabels(rows);
    for (int j = 0; j < static_cast<int>(columns.size()); ++j) {
        const auto &[w, m] = columns[static_cast<std::size_t>(j)];
        for (int k = 0; k <= C; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            const double v = k < C ? (kk < w->perClass.size() && m < w->perClass[kk].size() ? w->perClass[kk][m] : 0.0)
                                   : (m < w->overall.size() ? w->overall[m] : 0.0);
            QTableWidgetItem *item = cell(pct(v), true);
            item->setBackground(QColor::fromHsvF(0.58, std::clamp(v, 0.0, 1.0) * 0.6, 1.0));
            m_weights->setItem(k, j, item);
        }
    }
    m_weights->setToolTip(tr("The weight each fusion gives each modality, averaged over the test samples of each class"));
    m_weights->resizeColumnsToContents();
}

} // namespace gui
} // namespace fuselab
