// SPDX-License-Identifier: GPL-3.0-or-later
// The lessons' shared view helpers and classroom explanations.
#include "widgets/lessons/LessonViews.h"
#include "widgets/lessons/LessonWindow.h"

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


const QColor kColours[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40), QColor(148, 103, 189),
                           QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34), QColor(23, 190, 207)};
QColor colour(int i) { return kColours[static_cast<std::size_t>(i) % (sizeof kColours / sizeof kColours[0])]; }

QString pct(double v) { return QStringLiteral("%1%").arg(100.0 * v, 0, 'f', 1); }


QTableWidgetItem *cell(const QString &text, bool number)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QString statusName(const std::string &status)
{
    if (status == "finished")
        return LessonWindow::tr("finished");
    if (status == "stopped")
        return LessonWindow::tr("stopped");
    if (status == "failed")
        return LessonWindow::tr("failed");
    if (status == "skipped")
        return LessonWindow::tr("skipped");
    return qs(status);
}

QString remedyName(const std::string &remedy) { return translated(remedyTitle(remedy)); }

QString runName(const LessonRun &r)
{
    if (r.kind == "single")
        return LessonWindow::tr("%1 only").arg(qs(r.modality));
    return qs(r.name);
}

QString pngData(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes.toBase64());
}

QString esc(const QString &s) { return s.toHtmlEscaped(); }

// A bar chart's legend in one row between its title and its bars, so it hides no bar.
void legendAboveBars(QCustomPlot *plot)
{
    plot->legend->setVisible(true);
    plot->plotLayout()->insertRow(1);
    auto *holder = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, holder);
    plot->axisRect()->insetLayout()->take(plot->legend);
    holder->addElement(0, 0, plot->legend);
    plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    holder->setMargins(QMargins(0, 0, 0, 0));
    plot->plotLayout()->setRowStretchFactor(1, 0.001);
}

// A table widget as an XHTML table (bold cells stay bold).
QString htmlTable(const QTableWidget *t, const QString &id)
{
    const bool rowNames = t->verticalHeader()->isVisible();
    QString h = QStringLiteral("<table id=\"%1\"><thead><tr>").arg(id);
    if (rowNames)
        h += QStringLiteral("<th></th>");
    for (int c = 0; c < t->columnCount(); ++c)
        h += QStringLiteral("<th>%1</th>").arg(esc(t->horizontalHeaderItem(c) ? t->horizontalHeaderItem(c)->text() : QString()));
    h += QStringLiteral("</tr></thead><tbody>");
    for (int r = 0; r < t->rowCount(); ++r) {
        h += QStringLiteral("<tr>");
        if (rowNames)
            h += QStringLiteral("<th>%1</th>").arg(esc(t->verticalHeaderItem(r) ? t->verticalHeaderItem(r)->text() : QString()));
        for (int c = 0; c < t->columnCount(); ++c) {
            const QTableWidgetItem *item = t->item(r, c);
            const QString text = esc(item ? item->text() : QString());
            h += item && item->font().bold() ? QStringLiteral("<td><b>%1</b></td>").arg(text) : QStringLiteral("<td>%1</td>").arg(text);
        }
        h += QStringLiteral("</tr>");
    }
    return h + QStringLiteral("</tbody></table>");
}

// The experiment's graph as a picture (the editor's drawing, rendered off screen).
QImage graphPicture(const Experiment &experiment)
{
    ExperimentDocument document;
    document.reset(experiment);
    GraphScene scene(&document);
    const QRectF bounds = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20);
    if (bounds.isEmpty())
        return {};
    const double scale = std::min(1.0, 1400.0 / bounds.width());
    QImage image((bounds.size() * scale).toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    scene.render(&painter, QRectF(QPointF(0, 0), bounds.size() * scale), bounds);
    return image;
}

// The verdict's font: the window's, a quarter larger and bold.
QFont verdictFont(QFont f)
{
    f.setPointSizeF(f.pointSizeF() * 1.25);
    f.setBold(true);
    return f;
}

// A lesson tab: its choices, the verdict and the plots and tables on the left, the classroom
// explanation on the right.
void layoutLessonPage(QWidget *page, QWidget *choices, QLabel *verdict, QWidget *body, QTextBrowser *explanation)
{
    auto *left = new QWidget;
    auto *l = new QVBoxLayout(left);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(choices);
    l->addWidget(verdict);
    l->addWidget(body, 1);
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(explanation);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(split);
}

void setPlotFonts(QCustomPlot *plot, const QFont &font)
{
    for (QCPAxis *a : {plot->xAxis, plot->yAxis}) {
        a->setTickLabelFont(font);
        a->setLabelFont(font);
    }
    plot->legend->setFont(font);
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto *t = qobject_cast<QCPTextElement *>(plot->plotLayout()->elementAt(i))) {
            QFont bold = font;
            bold.setBold(true);
            t->setFont(bold);
        }
    plot->replot();
}


QString fusionLessonExplanation()
{
    return LessonWindow::tr(
        "<h3>Does fusing modalities help?</h3>"
        "<p>The lesson trains one model per modality alone and one per fusion strategy, with the same data, the same seed and "
        "each template's default settings, then compares them on the test split, which no model saw while training.</p>"
        "<p><b>Feature-level fusion</b> (concat, attention, gated): each modality's encoder turns its input into a vector of "
        "features; the vectors are combined into one and a single classifier learns from all of them together, so it can "
        "use how the modalities relate. <b>Model-level fusion</b> (late fusion): each modality gets its own classifier and "
        "their predictions are averaged; simple and robust when a modality is missing, but blind to how they interact.</p>"
        "<h3>What the curves show</h3>"
        "<p>Validation accuracy after each epoch. A curve that climbs and then flattens has learnt what it can; a curve "
        "above another all along learns faster and better. The gap between the best fusion and the best single modality is "
        "what the other modalities add.</p>"
        "<h3>What to look for</h3>"
        "<ul><li>Does the best fusion beat the best single modality, and by how much? If not, one modality carries the "
        "answer and the others add nothing, or only noise.</li>"
        "<li><b>What each modality brings</b>: the best fusion tested with each modality removed. A large drop means the "
        "fusion relies on it; almost none means it ignores it. A fusion that leans on one modality while another is useful "
        "shows <i>modality competition</i>, the commonest failure of naive fusion.</li>"
        "<li><b>Modality weights</b>: attention and gated fusions weigh the modalities for each sample. Averaged per class, "
        "they show which modality the model listens to for which class.</li></ul>");
}

QString imbalanceLessonExplanation()
{
    return LessonWindow::tr(
        "<h3>When one class is rare</h3>"
        "<p>One class is made rare in the training split only; validation and test keep all of it, so the rare class is "
        "judged fairly. A model that seldom sees a class learns to ignore it: overall accuracy stays high while that "
        "class's <b>recall</b> (the share of its samples found) falls.</p>"
        "<h3>The remedies</h3>"
        "<ul><li><b>Class weights</b>: each mistake on a rare class costs more in the loss.</li>"
        "<li><b>Balanced sampler</b>: batches show every class equally often, so the rare samples are repeated.</li>"
        "<li><b>Oversampling with augmentation</b>: the same repetition, but each repeat is varied (flips, crops and "
        "brightness for images; masks and shifts for audio), so the model learns the class rather than its few samples.</li></ul>"
        "<h3>What to look for</h3>"
        "<p>Compare the rare class's recall (marked) and the macro-F1, which weighs every class equally, not the accuracy, "
        "which hides the rare class. A remedy often trades a little recall on the common classes for much more on the "
        "rare one.</p>");
}


} // namespace gui
} // namespace fuselab
