// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/Graph.h"
#include "core/data/Dataset.h"

#include <QDialog>

class QListWidget;
class QLabel;

namespace fuselab {
namespace gui {

// The template gallery: each template with its one-line description and a small diagram
// of its graph for the open dataset's modalities; templates that do not fit the dataset
// are shown disabled with the reason.
class TemplateDialog final : public QDialog {
    Q_OBJECT
public:
    TemplateDialog(const Dataset &dataset, QWidget *parent = nullptr);
    QString chosenTemplate() const;
    QListWidget *list() const { return m_list; }

    // A small drawing of a template's graph for the given modalities.
    // The template's own graph for this dataset, drawn small: blocks coloured by category,
    // left to right by depth, with their edges.
    static QPixmap diagram(const Graph &graph, QSize size);

private:
    QListWidget *m_list;
};

} // namespace gui
} // namespace fuselab
