// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QWidget>

class QLineEdit;
class QTreeWidget;

namespace fuselab {
namespace gui {

// Every block, grouped (Inputs, Encoders, Fusion, Heads, Output), with a search field; a
// block is dragged onto the canvas, or double-clicked to add it at the view's centre.
class BlockPalette final : public QWidget {
    Q_OBJECT
public:
    explicit BlockPalette(QWidget *parent = nullptr);
    QTreeWidget *tree() const { return m_tree; }

Q_SIGNALS:
    void blockActivated(const QString &type);

private:
    void filter(const QString &text);
    QLineEdit *m_search;
    QTreeWidget *m_tree;
};

} // namespace gui
} // namespace fuselab
