// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/TemplateDialog.h"

#include "core/document/Templates.h"
#include "widgets/GuiText.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QVBoxLayout>

namespace fuselab {
namespace gui {

namespace {

QString templateDescription(const ExperimentTemplate &t) { return translated("Templates", t.description); }

// Why a template does not fit the dataset, or "" when it does.
QString misfit(const ExperimentTemplate &t, const Dataset &d)
{
    auto has = [&](Modality m) { return d.columnIndex(m) >= 0; };
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
    for (const ExperimentTemplate &t : experimentTemplates()) {
        std::vector<ModalityColumn> used = dataset.columns;
        if (t.minModalities == 1) {
            const Modality m = t.name == "image-cnn" ? Modality::Image : t.name == "text-gru" ? Modality::Text : Modality::Audio;
            used.clear();
            for (auto &c : dataset.columns)
                if (c.kind == m && used.empty())
                    used.push_back(c);
        }
        const QString why = misfit(t, dataset);
        auto *item = new QListWidgetItem(QIcon(diagram(qs(t.name), used, QSize(180, 72))),
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

QPixmap TemplateDialog::diagram(const QString &name, const std::vector<ModalityColumn> &modalities, QSize size)
{
    QPixmap pix(size);
    pix.fill(Qt::white);
    QPainter p(&pix);
    p.setRenderHint(QPainter::Antialiasing);
    const int n = std::max<int>(1, static_cast<int>(modalities.size()));
    const qreal rowH = qreal(size.height() - 8) / n;
    auto box = [&](QRectF r, QColor c) {
        p.setPen(QPen(c.darker(130), 1));
        p.setBrush(c);
        p.drawRoundedRect(r, 3, 3);
    };
    const QColor input(0x4e, 0x79, 0xa7), encoder(0x3f, 0x8f, 0x4a), fusion(0xd9, 0x76, 0x1a), head(0x9c, 0x5f, 0x95);
    const qreal midY = size.height() / 2.0;
    const bool late = name == QLatin1String("late-fusion");
    const bool fused = n > 1;
    for (int i = 0; i < n; ++i) {
        const qreal y = 4 + rowH * i + rowH / 2;
        box(QRectF(4, y - 6, 26, 12), input);
        box(QRectF(44, y - 6, 34, 12), encoder);
        p.setPen(QPen(Qt::darkGray, 1));
        p.drawLine(QPointF(30, y), QPointF(44, y));
        if (late) {
            box(QRectF(92, y - 6, 22, 12), head);
            p.drawLine(QPointF(78, y), QPointF(92, y));
            p.drawLine(QPointF(114, y), QPointF(132, midY));
        } else {
            p.drawLine(QPointF(78, y), QPointF(fused ? 98 : 132, fused ? midY : y));
        }
    }
    if (fused && !late)
        box(QRectF(98, midY - 9, 30, 18), fusion);
    if (fused && !late)
        p.drawLine(QPointF(128, midY), QPointF(136, midY));
    if (late)
        box(QRectF(132, midY - 9, 20, 18), fusion);
    else
        box(QRectF(136, midY - 7, 22, 14), head);
    p.setPen(QPen(Qt::darkGray, 1));
    p.drawLine(QPointF(late ? 152 : 158, midY), QPointF(166, midY));
    box(QRectF(166, midY - 5, 10, 10), QColor(0x3b, 0x8c, 0x87));
    return pix;
}

} // namespace gui
} // namespace fuselab
