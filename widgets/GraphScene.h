// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/GraphModel.h"

#include <QGraphicsScene>
#include <QPointer>
#include <QTimer>

#include <map>
#include <optional>

namespace fuselab {
namespace gui {

class ExperimentDocument;
class NodeItem;
class EdgeItem;
class PortItem;
class NoteItem;

// The editor's scene: a view of the document's graph model. It mirrors the model's changes
// item by item, draws core's analysis (edge shapes, problems, parameter counts), and turns
// mouse gestures into the document's undoable edits: drag from an output port to an input to
// connect (compatible ports light up, incompatible ones dim, a refusal says why), drop a link
// on empty canvas for a menu of the blocks that fit, drag nodes to move them.
class GraphScene final : public QGraphicsScene {
    Q_OBJECT
public:
    explicit GraphScene(ExperimentDocument *document, QObject *parent = nullptr);

    NodeItem *nodeItem(const std::string &id) const;
    EdgeItem *edgeItem(const GraphEdge &edge) const;
    std::vector<std::string> selectedNodeIds() const;
    std::vector<GraphEdge> selectedEdges() const;
    void selectNode(const std::string &id);
    void deleteSelection();
    // The selected blocks and the edges between them, as graph JSON on the clipboard.
    void copySelection();
    // Adds the clipboard's blocks (new ids and names, shifted) and their edges: one undo step.
    void paste();
    // Places blocks left to right by depth (one undo step).
    void autoLayout();
    void addNote(const QPointF &at);
    // Brings the decorations up to date now (they follow edits on the next event loop turn).
    void refreshNow();

    void nodeMoved(NodeItem *node); // NodeItem tells its edges to follow

Q_SIGNALS:
    // A refused edit's reason, or another remark for the status bar and log.
    void message(const QString &text);
    void nodeSelectionChanged(const QString &nodeId); // empty: none or several
    void analysisUpdated();

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;

private:
    void onGraphEdited(const GraphChange &change);
    void rebuild();
    void addNodeItem(const GraphNode &node);
    void addEdgeItem(const GraphEdge &edge);
    void updateEdge(EdgeItem *edge);
    void scheduleRefresh();
    void refreshDecorations();
    void rebuildNotes();
    PortItem *portAt(const QPointF &scenePos) const;
    void endLinkDrag(const QPointF &scenePos, const QPoint &screenPos);
    void commitMoves();

    ExperimentDocument *m_document;
    std::map<std::string, NodeItem *> m_nodes;
    std::vector<EdgeItem *> m_edges;
    std::vector<NoteItem *> m_notes;
    QTimer m_refresh;
    // A link being dragged out of an output port.
    PortItem *m_dragFrom = nullptr;
    QGraphicsPathItem *m_dragPath = nullptr;
    bool m_pressedOnNode = false;
};

} // namespace gui
} // namespace fuselab
