// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/TemplateDialog.h"

#include "core/document/Templates.h"
#include "core/model/BlockCatalogue.h"
#include "widgets/GraphItems.h"
#include "widgets/GuiText.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QVBoxLayout>

#include <map>

namespace fuselab {
namespace gui {

namespace {

QString templateDescription(const ExperimentTemplate &t) { return translated("Templates", t.description); }

// Why a template does not fit the dataset, or "" when it does.
QString misfit(const ExperimentTemplate &t, const Dataset &d)
{
    auto has = [&](Modality m) { return d.columnIndex(m) >= 0; };
    if (t.task == Task::Regression && d.task != Task::Regression)
        return TemplateDialog::tr("needs numbers as labels");
    if (t.task != Task::Regression && d.task == Task::Regression && t.name == "late-fusion")
        return TemplateDialog::tr("averages class scores; the labels are numbers");
    if (t.task == Task::Sequence && d.task != Task::Sequence)
        return TemplateDialog::tr("needs texts to produce as labels");
    if (t.task != Task::Sequence && d.task == Task::Sequence)
        return TemplateDialog::tr("the labels are texts to produce");
    if (t.name == "captioning" && !has(Modality::Image))
        return TemplateDialog::tr("needs images");
    if (t.name == "translation" && !has(Modality::Text))
        return TemplateDialog::tr("needs text");
    if (t.name == "transcription" && !has(Modality::Audio))
        return TemplateDialog::tr("needs audio");
    if (t.name == "image-cnn" && !has(Modality::Image))
        return TemplateDialog::tr("needs images");
    if (t.name == "text-gru" && !has(Modality::Text))
        return TemplateDialog::tr("needs text");
    if (t.name == "audio-cnn" && !has(Modality::Audio))
        return TemplateDialog::tr("needs audio");
    if (t.minModalities > static_cast<int>(d.columns.size()))
        return TemplateDialog::tr("needs two or more modalities");
    return {};
}

} // namespace

TemplateDialog::TemplateDialog(const Dataset &dataset, QWidget *parent) : QDialog(parent), m_list(new QListWidget(this))
{
    setWindowTitle(tr("New experiment from a template"));
    setObjectName(QStringLiteral("templateDialog"));
    m_list->setIconSize(QSize(180, 72));
    m_list->setSpacing(2);
    m_list->setWordWrap(true);
    // The templates are drawn as they would be built for this dataset.
    DatasetSummary summary;
    summary.classes = dataset.classes.size() >= 2 || dataset.task == Task::Regression || dataset.task == Task::Sequence ? dataset.classes : std::vector<std::string>{"a", "b"};
    summary.multiLabel = dataset.multiLabel;
    summary.task = dataset.task;
    summary.modalities = dataset.columns;
    summary.imageChannels = 1;
    for (const Sample &sample : dataset.samples)
        if (dataset.task == Task::Sequence && sample.split == Split::Train)
            summary.trainTargets.push_back(sample.targetText);
    for (const ExperimentTemplate &t : experimentTemplates()) {
        const QString why = misfit(t, dataset);
        QPixmap picture(QSize(180, 72));
        picture.fill(Qt::white);
        if (why.isEmpty()) {
            try {
                picture = diagram(makeExperiment(t.name, summary).graph, QSize(180, 72));
            } catch (const Error &) {
                // A template that does not fit is listed without a picture; misfit() says why.
            }
        }
        auto *item = new QListWidgetItem(QIcon(picture),
                                         QStringLiteral("%1\n%2%3").arg(qs(t.name), templateDescription(t),
                                                                         why.isEmpty() ? QString() : QStringLiteral(" (") + why + QStringLiteral(")")));
        item->setData(Qt::UserRole, qs(t.name));
        if (!why.isEmpty())
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
        m_list->addItem(item);
    }
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->flags() & Qt::ItemIsEnabled) {
            m_list->setCurrentRow(i);
            break;
        }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::itemDoubleClicked, this, &QDialog::accept);
    auto *v = new QVBoxLayout(this);
    auto *hint = new QLabel(tr("The new experiment's inputs come from the dataset's columns; every setting can be changed afterwards."));
    hint->setWordWrap(true);
    v->addWidget(hint);
    v->addWidget(m_list);
    v->addWidget(buttons);
    resize(640, 560);
}

QString TemplateDialog::chosenTemplate() const
{
    QListWidgetItem *item = m_list->currentItem();
    return item && (item->flags() & Qt::ItemIsEnabled) ? item->data(Qt::UserRole).toString() : QString();
}

QPixmap TemplateDialog::diagram(const Graph &graph, QSize size)
{
    QPixmap pix(size);
    pix.fill(Qt::white);
    QPainter p(&pix);
    p.setRenderHint(QPainter::Antialiasing);
    // Depth = the longest path from an input; columns by depth, rows in file order.
    std::map<std::string, int> depth;
    for (const GraphNode &n : graph.nodes)
        depth[n.id] = 0;
    for (std::size_t pass = 0; pass < graph.nodes.size(); ++pass)
        for (const GraphEdge &e : graph.edges)
            if (depth.count(e.from.node) && depth.count(e.to.node))
                depth[e.to.node] = std::max(depth[e.to.node], depth[e.from.node] + 1);
    int deepest = 0;
    std::map<int, std::vector<std::string>> columns;
    for (const GraphNode &n : graph.nodes) {
        deepest = std::max(deepest, depth[n.id]);
        columns[depth[n.id]].push_back(n.id);
    }
    int tallest = 1;
    for (auto &[d, ids] : columns)
        tallest = std::max<int>(tallest, static_cast<int>(ids.size()));
    const qreal margin = 4, colStep = (size.width() - 2 * margin) / (deepest + 1), rowStep = (size.height() - 2 * margin) / tallest;
    const qreal w = std::min<qreal>(30, colStep * 0.62), h = std::min<qreal>(14, rowStep * 0.7);
    std::map<std::string, QRectF> boxes;
    for (auto &[d, ids] : columns) {
        const qreal top = margin + (size.height() - 2 * margin - rowStep * ids.size()) / 2;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const QPointF centre(margin + colStep * (d + 0.5), top + rowStep * (i + 0.5));
            boxes[ids[i]] = QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h);
        }
    }
    p.setPen(QPen(Qt::darkGray, 1));
    for (const GraphEdge &e : graph.edges)
        if (boxes.count(e.from.node) && boxes.count(e.to.node)) {
            const QRectF a = boxes[e.from.node], b = boxes[e.to.node];
            p.drawLine(QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y()));
        }
    for (const GraphNode &n : graph.nodes) {
        const BlockType *type = builtinBlocks().find(n.type);
        const QColor c = categoryColour(type ? type->category() : std::string());
        p.setPen(QPen(c.darker(130), 1));
        p.setBrush(c);
        p.drawRoundedRect(boxes[n.id], 3, 3);
    }
    return pix;
}

} // namespace gui
} // namespace fuselab
