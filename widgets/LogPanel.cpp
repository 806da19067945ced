// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/LogPanel.h"

#include "widgets/GuiText.h"

#include <QStyle>
#include <QTime>

namespace fuselab {
namespace gui {

LogPanel::LogPanel(QWidget *parent) : QListWidget(parent)
{
    setObjectName(QStringLiteral("logPanel"));
    setWordWrap(true);
    connect(this, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
        const QString node = item->data(Qt::UserRole).toString();
        if (!node.isEmpty())
            Q_EMIT nodeClicked(node);
    });
}

void LogPanel::setProblems(const std::vector<GraphProblem> &problems, const std::function<QString(const std::string &)> &nameOf)
{
    // Problems stay at the top, replaced after each edit; messages follow.
    for (int i = 0; i < m_problemRows; ++i)
        delete takeItem(0);
    m_problemRows = 0;
    const QIcon icon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const GraphProblem &p : problems) {
        const QString where = p.node.empty() ? tr("graph") : nameOf(p.node) + (p.port.empty() ? QString() : QStringLiteral(".") + qs(p.port));
        auto *item = new QListWidgetItem(icon, where + QStringLiteral(": ") + translated(p.text));
        item->setData(Qt::UserRole, qs(p.node));
        item->setForeground(QColor(0xa0, 0x1c, 0x1c));
        insertItem(m_problemRows++, item);
    }
}

void LogPanel::addMessage(const QString &text, bool error)
{
    auto *item = new QListWidgetItem(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")) + QStringLiteral("  ") + text);
    if (error)
        item->setForeground(QColor(0xa0, 0x1c, 0x1c));
    addItem(item);
    scrollToBottom();
}

} // namespace gui
} // namespace fuselab
