// SPDX-License-Identifier: GPL-3.0-or-later
// The lesson as one self-contained HTML report (plots as PNG inside).
#include "widgets/lessons/LessonWindow.h"
#include "widgets/lessons/FusionLessonPage.h"
#include "widgets/lessons/ImbalanceLessonPage.h"
#include "widgets/lessons/LessonViews.h"

#include "core/document/RunFolder.h"
#include "core/project/Lesson.h"
#include "core/util/Error.h"
#include "widgets/BackgroundTask.h"
#include "widgets/GuiText.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/ThreadHandoff.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QSaveFile>
#include <QTableWidget>
#include <QTextBrowser>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fuselab {
namespace gui {

bool LessonWindow::exportReport(const QString &file, QString *error)
{
    if (!m_lesson && !m_imbalance) {
        if (error)
            *error = tr("Nothing to export: run or open a lesson first.");
        return false;
    }
    const QString css = QStringLiteral(
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}"
        "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px;text-align:right}"
        "th{background:#eee}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #ddd}"
        ".verdict{font-size:1.25em;font-weight:bold}aside{background:#f6f8fa;border-left:4px solid #4a90d9;padding:0.5em 1em}");
    QString h = QStringLiteral("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"%1\"><head><meta charset=\"utf-8\"/>")
                    .arg(QLocale().name().section(QLatin1Char('_'), 0, 0));
    const QString dataset = qs(m_lesson ? m_lesson->dataset : m_imbalance->dataset);
    const QString title = m_lesson ? tr("Fusion lesson: %1").arg(dataset) : tr("Imbalance lesson: %1").arg(dataset);
    h += QStringLiteral("<title>%1</title><style>%2</style></head><body><h1>%1</h1>").arg(esc(title), css);
    h += QStringLiteral("<p>%1</p>").arg(esc(tr("Made with FuseLab on %1.").arg(QLocale().toString(QDateTime::currentDateTime(), QLocale::LongFormat))));
    const QSize plotSize(1000, 460);
    std::vector<std::string> runDirs;
    if (m_lesson) {
        h += QStringLiteral("<section id=\"verdict\"><p class=\"verdict\">%1</p></section>").arg(esc(translated(fusionVerdict(*m_lesson))));
        h += QStringLiteral("<section id=\"curves\"><h2>%1</h2><img alt=\"%1\" src=\"%2\"/></section>")
                 .arg(esc(tr("Validation accuracy per epoch")), pngData(curvesPlot()->toPixmap(plotSize.width(), plotSize.height()).toImage()));
        h += QStringLiteral("<section id=\"results\"><h2>%1</h2>%2</section>").arg(esc(tr("Results on the test split")), htmlTable(lessonTable(), QStringLiteral("results-table")));
        if (!m_lesson->contributions.empty())
            h += QStringLiteral("<section id=\"contributions\"><h2>%1</h2><img alt=\"%1\" src=\"%2\"/></section>")
                     .arg(esc(tr("What each modality brings to the best fusion")),
                          pngData(contributionsPlot()->toPixmap(plotSize.width(), plotSize.height()).toImage()));
        if (weightsTable()->columnCount() > 0)
            h += QStringLiteral("<section id=\"weights\"><h2>%1</h2>%2</section>")
                     .arg(esc(tr("Modality weights per class")), htmlTable(weightsTable(), QStringLiteral("weights-table")));
        for (const LessonRun &r : m_lesson->runs)
            runDirs.push_back(r.runDir);
        if (m_lesson->best >= 0) {
            try {
                const QImage graph = graphPicture(RunFolder(m_lesson->runs[static_cast<std::size_t>(m_lesson->best)].runDir).readExperiment());
                if (!graph.isNull())
                    h += QStringLiteral("<section id=\"graph\"><h2>%1</h2><img alt=\"%1\" src=\"%2\"/></section>")
                             .arg(esc(tr("The best model's graph (%1)").arg(runName(m_lesson->runs[static_cast<std::size_t>(m_lesson->best)]))), pngData(graph));
            } catch (const std::exception &) {
                // the run folder is gone: the report goes without the picture
            }
        }
    }
    if (m_imbalance) {
        h += QStringLiteral("<section id=\"imbalance\"><h2>%1</h2><p class=\"verdict\">%2</p><img alt=\"%1\" src=\"%3\"/>%4</section>")
                 .arg(esc(tr("The imbalance lesson")), esc(m_imbalancePage->verdictLabel()->text()),
                      pngData(recallPlot()->toPixmap(plotSize.width(), plotSize.height()).toImage()), htmlTable(imbalanceTable(), QStringLiteral("imbalance-table")));
        for (const ImbalanceRun &r : m_imbalance->runs)
            runDirs.push_back(r.runDir);
    }
    // Settings: each run's template, training settings and seed.
    h += QStringLiteral("<section id=\"settings\"><h2>%1</h2><p>%2</p><table><thead><tr>").arg(esc(tr("Settings")), esc(tr("Dataset: %1").arg(dataset)));
    for (const QString &c : {tr("run"), tr("epochs"), tr("batch size"), tr("optimizer"), tr("learning rate"), tr("seed"), tr("device")})
        h += QStringLiteral("<th>%1</th>").arg(esc(c));
    h += QStringLiteral("</tr></thead><tbody>");
    for (const std::string &dir : runDirs) {
        try {
            const Experiment e = RunFolder(dir).readExperiment();
            const TrainingSettings &t = e.training;
            h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td></tr>")
                     .arg(esc(qs(e.name.empty() ? std::filesystem::path(dir).filename().string() : e.name)))
                     .arg(t.epochs)
                     .arg(t.batchSize)
                     .arg(esc(qs(t.optimizer)))
                     .arg(t.learningRate)
                     .arg(static_cast<qulonglong>(t.seed))
                     .arg(esc(qs(t.device)));
        } catch (const std::exception &) {
            // a run that never started (skipped) has no experiment to show
        }
    }
    h += QStringLiteral("</tbody></table></section>");
    h += QStringLiteral("<section id=\"explanation\"><aside>%1</aside></section>")
             .arg(m_lesson ? fusionLessonExplanation() + (m_imbalance ? imbalanceLessonExplanation() : QString()) : imbalanceLessonExplanation());
    h += QStringLiteral("</body></html>\n");
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(h.toUtf8()) < 0 || !out.commit()) {
        if (error)
            *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(file), out.errorString());
        return false;
    }
    return true;
}

} // namespace gui
} // namespace fuselab
