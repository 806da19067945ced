// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/GraphModel.h"

#include <QWidget>

#include <functional>

class QFormLayout;
class QLabel;
class QScrollArea;
class QVBoxLayout;

namespace fuselab {
namespace gui {

class ExperimentDocument;

// The selected block's name and options, as widgets generated from the block's option
// schema (spin boxes with its ranges, combo boxes, check boxes), with its description and
// formula; the experiment's training settings when no block is selected. Every change is
// an undoable edit of the document; a refused one shows core's reason.
class PropertiesPanel final : public QWidget {
    Q_OBJECT
public:
    explicit PropertiesPanel(ExperimentDocument *document, QWidget *parent = nullptr);
    void showNode(const QString &nodeId); // empty: the training settings
    QString shownNode() const { return QString::fromStdString(m_node); }

private:
    void rebuild();
    void buildNodeForm(const GraphNode &node);
    void buildSettingsForm();
    void refreshValues();
    void showRefusal(const QString &text);

    ExperimentDocument *m_document;
    std::string m_node;
    QScrollArea *m_scroll;
    QWidget *m_content = nullptr;
    QLabel *m_error = nullptr;
    std::vector<std::function<void()>> m_refreshers; // put model values back into the widgets
    bool m_updating = false;
};

} // namespace gui
} // namespace fuselab
