// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/BlockPalette.h"

#include "core/model/BlockCatalogue.h"
#include "widgets/GraphView.h"
#include "widgets/GuiText.h"

#include <QDrag>
#include <QHeaderView>
#include <QLineEdit>
#include <QMimeData>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace fuselab {
namespace gui {

namespace {

// Starts a drag carrying the block type.
class PaletteTree final : public QTreeWidget {
public:
    using QTreeWidget::QTreeWidget;

protected:
    QMimeData *mimeData(const QList<QTreeWidgetItem *> &items) const override
    {
        if (items.isEmpty() || items.first()->data(0, Qt::UserRole).toString().isEmpty())
            return nullptr;
        auto *m = new QMimeData;
        m->setData(QString::fromLatin1(GraphView::blockMimeType()), items.first()->data(0, Qt::UserRole).toString().toUtf8());
        return m;
    }
    QStringList mimeTypes() const override { return {QString::fromLatin1(GraphView::blockMimeType())}; }
};

} // namespace

BlockPalette::BlockPalette(QWidget *parent) : QWidget(parent), m_search(new QLineEdit(this)), m_tree(new PaletteTree(this))
{
    setObjectName(QStringLiteral("blockPalette"));
    m_search->setPlaceholderText(tr("Search blocks"));
    m_search->setClearButtonEnabled(true);
    m_tree->setHeaderHidden(true);
    m_tree->setDragEnabled(true);
    m_tree->setDragDropMode(QAbstractItemView::DragOnly);
    m_tree->setRootIsDecorated(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_tree);

    const std::pair<const char *, QString> groups[] = {
        {"input", tr("Inputs")}, {"encoder", tr("Encoders")}, {"fusion", tr("Fusion")}, {"head", tr("Heads")}, {"output", tr("Output")}};
    for (auto &[category, title] : groups) {
        auto *group = new QTreeWidgetItem(m_tree, {title});
        group->setFlags(Qt::ItemIsEnabled);
        QFont f = group->font(0);
        f.setBold(true);
        group->setFont(0, f);
        for (const BlockType *t : builtinBlocks().all()) {
            if (t->category() != category)
                continue;
            auto *item = new QTreeWidgetItem(group, {translated("Blocks", t->title())});
            item->setData(0, Qt::UserRole, qs(t->type()));
            item->setToolTip(0, qs(t->type()) + QStringLiteral("\n") + translated("Blocks", t->math()));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
        }
    }
    m_tree->expandAll();
    connect(m_search, &QLineEdit::textChanged, this, &BlockPalette::filter);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        const QString type = item->data(0, Qt::UserRole).toString();
        if (!type.isEmpty())
            Q_EMIT blockActivated(type);
    });
}

void BlockPalette::filter(const QString &text)
{
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_tree->topLevelItem(g);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem *item = group->child(i);
            const bool match = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive)
                               || item->data(0, Qt::UserRole).toString().contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
            shown += match;
        }
        group->setHidden(shown == 0);
    }
}

} // namespace gui
} // namespace fuselab
