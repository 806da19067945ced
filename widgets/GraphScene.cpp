// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/GraphScene.h"

#include "core/model/BlockCatalogue.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphItems.h"
#include "widgets/GuiText.h"

#include <QClipboard>
#include <QGraphicsSceneMouseEvent>
#include <QGuiApplication>
#include <QMimeData>
#include <QGraphicsView>
#include <QInputDialog>
#include <QLocale>
#include <QMenu>

#include <algorithm>
#include <set>

namespace fuselab {
namespace gui {

GraphScene::GraphScene(ExperimentDocument *document, QObject *parent) : QGraphicsScene(parent), m_document(document)
{
    setBackgroundBrush(QColor(0xee, 0xf0, 0xf3));
    m_refresh.setSingleShot(true);
    m_refresh.setInterval(0);
    connect(&m_refresh, &QTimer::timeout, this, &GraphScene::refreshDecorations);
    connect(document, &ExperimentDocument::graphEdited, this, &GraphScene::onGraphEdited);
    connect(document, &ExperimentDocument::documentReset, this, &GraphScene::rebuild);
    connect(document, &ExperimentDocument::settingsChanged, this, &GraphScene::rebuildNotes);
    connect(this, &QGraphicsScene::selectionChanged, this, [this] {
        const auto ids = selectedNodeIds();
        Q_EMIT nodeSelectionChanged(ids.size() == 1 ? qs(ids[0]) : QString());
    });
    rebuild();
}

NodeItem *GraphScene::nodeItem(const std::string &id) const
{
    const auto it = m_nodes.find(id);
    return it == m_nodes.end() ? nullptr : it->second;
}

EdgeItem *GraphScene::edgeItem(const GraphEdge &edge) const
{
    for (EdgeItem *e : m_edges)
        if (e->edge() == edge)
            return e;
    return nullptr;
}

std::vector<std::string> GraphScene::selectedNodeIds() const
{
    std::vector<std::string> out;
    for (QGraphicsItem *i : selectedItems())
        if (i->type() == NodeItem::Type)
            out.push_back(static_cast<NodeItem *>(i)->id());
    return out;
}

std::vector<GraphEdge> GraphScene::selectedEdges() const
{
    std::vector<GraphEdge> out;
    for (QGraphicsItem *i : selectedItems())
        if (i->type() == EdgeItem::Type)
            out.push_back(static_cast<EdgeItem *>(i)->edge());
    return out;
}

void GraphScene::selectNode(const std::string &id)
{
    clearSelection();
    if (NodeItem *n = nodeItem(id)) {
        n->setSelected(true);
        for (QGraphicsView *v : views())
            v->ensureVisible(n);
    }
}

void GraphScene::deleteSelection()
{
    std::vector<std::string> nodes = selectedNodeIds();
    std::vector<GraphEdge> edges;
    const std::set<std::string> gone(nodes.begin(), nodes.end());
    for (const GraphEdge &e : selectedEdges())
        if (!gone.count(e.from.node) && !gone.count(e.to.node)) // a removed node takes its edges along
            edges.push_back(e);
    std::vector<CanvasNote> notes = m_document->settings().notes;
    std::vector<int> noteIndexes;
    for (QGraphicsItem *i : selectedItems())
        if (i->type() == NoteItem::Type)
            noteIndexes.push_back(static_cast<NoteItem *>(i)->index());
    m_document->undoStack()->beginMacro(tr("Delete"));
    m_document->removeItems(nodes, edges);
    if (!noteIndexes.empty()) {
        std::sort(noteIndexes.rbegin(), noteIndexes.rend());
        for (int k : noteIndexes)
            notes.erase(notes.begin() + k);
        m_document->setNotes(notes, tr("Delete note"));
    }
    m_document->undoStack()->endMacro();
}

namespace {
const char *kGraphMime = "application/x-fuselab-graph";
}

void GraphScene::copySelection()
{
    const std::vector<std::string> ids = selectedNodeIds();
    if (ids.empty())
        return;
    const std::set<std::string> chosen(ids.begin(), ids.end());
    Graph part;
    const Graph &g = m_document->model().graph();
    for (auto &n : g.nodes)
        if (chosen.count(n.id))
            part.nodes.push_back(n);
    for (auto &e : g.edges)
        if (chosen.count(e.from.node) && chosen.count(e.to.node))
            part.edges.push_back(e);
    auto *mime = new QMimeData;
    const QByteArray json = QByteArray::fromStdString(part.toJson().dump());
    mime->setData(QString::fromLatin1(kGraphMime), json);
    mime->setText(QString::fromUtf8(json));
    QGuiApplication::clipboard()->setMimeData(mime);
}

void GraphScene::paste()
{
    const QMimeData *mime = QGuiApplication::clipboard()->mimeData();
    if (!mime || !mime->hasFormat(QString::fromLatin1(kGraphMime)))
        return;
    const nlohmann::json j = nlohmann::json::parse(mime->data(QString::fromLatin1(kGraphMime)).toStdString(), nullptr, false);
    Graph part;
    try {
        part = Graph::fromJson(j);
    } catch (const Error &) {
        return; // not a graph after all
    }
    GraphModel &model = m_document->model();
    std::map<std::string, std::string> idOf;
    std::vector<std::string> pasted;
    m_document->undoStack()->beginMacro(tr("Paste"));
    for (GraphNode n : part.nodes) {
        const std::string oldId = n.id;
        n.id = model.newNodeId();
        std::string name = n.displayName();
        for (int k = 2; std::any_of(model.graph().nodes.begin(), model.graph().nodes.end(),
                                    [&](const GraphNode &o) { return o.displayName() == name; });
             ++k)
            name = n.displayName() + " " + std::to_string(k);
        n.name = name;
        n.x += 40;
        n.y += 40;
        GraphEdit e;
        e.kind = GraphEdit::Kind::InsertNode;
        e.node = n;
        if (m_document->apply(e, tr("Paste block")).ok) {
            idOf[oldId] = n.id;
            pasted.push_back(n.id);
        }
    }
    for (const GraphEdge &e : part.edges)
        if (idOf.count(e.from.node) && idOf.count(e.to.node))
            m_document->connectPorts({idOf[e.from.node], e.from.port}, {idOf[e.to.node], e.to.port});
    m_document->undoStack()->endMacro();
    clearSelection();
    for (auto &id : pasted)
        if (NodeItem *item = nodeItem(id))
            item->setSelected(true);
}

void GraphScene::autoLayout()
{
    const Graph &g = m_document->model().graph();
    // Depth = longest path from an input; columns left to right, rows in the nodes' order.
    std::map<std::string, int> depth;
    for (auto &n : g.nodes)
        depth[n.id] = 0;
    for (std::size_t pass = 0; pass < g.nodes.size(); ++pass)
        for (auto &e : g.edges)
            if (depth.count(e.from.node) && depth.count(e.to.node))
                depth[e.to.node] = std::max(depth[e.to.node], depth[e.from.node] + 1);
    std::map<int, int> rows;
    std::map<int, int> perColumn;
    for (auto &n : g.nodes)
        ++perColumn[depth[n.id]];
    int tallest = 0;
    for (auto &[d, count] : perColumn)
        tallest = std::max(tallest, count);
    m_document->undoStack()->beginMacro(tr("Arrange blocks"));
    for (auto &n : g.nodes) {
        const int d = depth[n.id];
        const int row = rows[d]++;
        const double x = 260.0 * d;
        const double y = 150.0 * (row + (tallest - perColumn[d]) / 2.0);
        if (n.x != x || n.y != y) {
            GraphEdit e;
            e.kind = GraphEdit::Kind::Move;
            e.nodeId = n.id;
            e.x = x;
            e.y = y;
            m_document->apply(e, tr("Move block"));
        }
    }
    m_document->undoStack()->endMacro();
}

void GraphScene::addNote(const QPointF &at)
{
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(views().isEmpty() ? nullptr : views().first(), tr("Note"),
                                                        tr("Text of the note:"), QString(), &ok);
    if (!ok || text.trimmed().isEmpty())
        return;
    std::vector<CanvasNote> notes = m_document->settings().notes;
    notes.push_back({text.toStdString(), at.x(), at.y()});
    m_document->setNotes(notes, tr("Add note"));
}

void GraphScene::refreshNow()
{
    m_refresh.stop();
    refreshDecorations();
}

void GraphScene::nodeMoved(NodeItem *node)
{
    for (EdgeItem *e : m_edges)
        if (e->edge().from.node == node->id() || e->edge().to.node == node->id())
            updateEdge(e);
}

void GraphScene::onGraphEdited(const GraphChange &c)
{
    const GraphModel &model = m_document->model();
    switch (c.kind) {
    case GraphChange::Kind::Reset:
        rebuild();
        return;
    case GraphChange::Kind::NodeAdded:
        if (const GraphNode *n = model.node(c.nodeId))
            addNodeItem(*n);
        break;
    case GraphChange::Kind::NodeRemoved:
        if (NodeItem *n = nodeItem(c.nodeId)) {
            m_nodes.erase(c.nodeId);
            removeItem(n);
            delete n;
        }
        break;
    case GraphChange::Kind::NodeChanged:
        if (const GraphNode *n = model.node(c.nodeId))
            if (NodeItem *item = nodeItem(c.nodeId))
                item->setNode(*n);
        break;
    case GraphChange::Kind::EdgeAdded:
        addEdgeItem(c.edge);
        break;
    case GraphChange::Kind::EdgeRemoved:
        if (EdgeItem *e = edgeItem(c.edge)) {
            m_edges.erase(std::find(m_edges.begin(), m_edges.end(), e));
            removeItem(e);
            delete e;
        }
        break;
    }
    scheduleRefresh();
}

void GraphScene::rebuild()
{
    m_dragFrom = nullptr;
    m_dragPath = nullptr;
    clear();
    m_nodes.clear();
    m_edges.clear();
    m_notes.clear();
    const Graph &g = m_document->model().graph();
    for (auto &n : g.nodes)
        addNodeItem(n);
    for (auto &e : g.edges)
        addEdgeItem(e);
    rebuildNotes();
    refreshNow();
}

void GraphScene::rebuildNotes()
{
    for (NoteItem *n : m_notes) {
        removeItem(n);
        delete n;
    }
    m_notes.clear();
    const auto &notes = m_document->settings().notes;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        auto *item = new NoteItem(qs(notes[i].text), static_cast<int>(i));
        item->setPos(notes[i].x, notes[i].y);
        addItem(item);
        m_notes.push_back(item);
    }
}

void GraphScene::addNodeItem(const GraphNode &node)
{
    auto *item = new NodeItem(node, m_document->model().registry().find(node.type));
    addItem(item);
    m_nodes[node.id] = item;
}

void GraphScene::addEdgeItem(const GraphEdge &edge)
{
    auto *item = new EdgeItem(edge);
    addItem(item);
    m_edges.push_back(item);
    updateEdge(item);
}

void GraphScene::updateEdge(EdgeItem *e)
{
    NodeItem *a = nodeItem(e->edge().from.node), *b = nodeItem(e->edge().to.node);
    PortItem *pa = a ? a->port(e->edge().from.port, true) : nullptr;
    PortItem *pb = b ? b->port(e->edge().to.port, false) : nullptr;
    const QPointF from = pa ? pa->anchor() : (a ? a->sceneBoundingRect().center() : QPointF());
    const QPointF to = pb ? pb->anchor() : (b ? b->sceneBoundingRect().center() : QPointF());
    e->setEnds(from, to);
}

void GraphScene::scheduleRefresh() { m_refresh.start(); }

void GraphScene::refreshDecorations()
{
    const GraphModel &model = m_document->model();
    const GraphAnalysis &a = model.analysis();
    const auto &counts = m_document->parameterCounts();
    std::map<std::string, QStringList> problems;
    for (auto &p : a.problems)
        if (!p.node.empty())
            problems[p.node] << (p.port.empty() ? translated(p.text) : qs(p.port) + QStringLiteral(": ") + translated(p.text));
    for (auto &[id, item] : m_nodes) {
        const auto c = counts.find(id);
        const QString params = c == counts.end() || c->second == 0 ? QString()
                                                 : tr("%1 parameters").arg(QLocale().toString(static_cast<qlonglong>(c->second)));
        item->setInfo(params, problems[id]);
    }
    for (EdgeItem *e : m_edges) {
        const TensorShape *s = a.edgeShape(e->edge(), model.graph(), model.registry());
        e->setShape(s ? qs(s->toString()) : QString());
        updateEdge(e);
    }
    Q_EMIT analysisUpdated();
}

PortItem *GraphScene::portAt(const QPointF &scenePos) const
{
    // A little slack around the circle: ports are small targets.
    for (QGraphicsItem *i : items(QRectF(scenePos - QPointF(6, 6), QSizeF(12, 12))))
        if (i->type() == PortItem::Type)
            return static_cast<PortItem *>(i);
    return nullptr;
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        if (PortItem *p = portAt(event->scenePos()); p && p->isOutput()) {
            m_dragFrom = p;
            m_dragPath = addPath(EdgeItem::curve(p->anchor(), event->scenePos()), QPen(QColor(0x1e, 0x6f, 0xd9), 2, Qt::DashLine));
            // Light up what fits, dim what does not.
            for (auto &[id, node] : m_nodes)
                for (PortItem *in : node->inputs())
                    in->setHighlight(m_document->model().canConnect(p->ref(), in->ref(), true).ok ? PortItem::Highlight::Compatible
                                                                                           : PortItem::Highlight::Incompatible);
            event->accept();
            return;
        }
        m_pressedOnNode = true;
    }
    QGraphicsScene::mousePressEvent(event);
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_dragFrom) {
        m_dragPath->setPath(EdgeItem::curve(m_dragFrom->anchor(), event->scenePos()));
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_dragFrom && event->button() == Qt::LeftButton) {
        endLinkDrag(event->scenePos(), event->screenPos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (m_pressedOnNode) {
        m_pressedOnNode = false;
        commitMoves();
    }
}

void GraphScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    if (!itemAt(event->scenePos(), QTransform())) {
        addNote(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

void GraphScene::endLinkDrag(const QPointF &scenePos, const QPoint &screenPos)
{
    const PortRef from = m_dragFrom->ref();
    for (auto &[id, node] : m_nodes)
        for (PortItem *in : node->inputs())
            in->setHighlight(PortItem::Highlight::None);
    removeItem(m_dragPath);
    delete m_dragPath;
    m_dragPath = nullptr;
    m_dragFrom = nullptr;

    if (PortItem *target = portAt(scenePos)) {
        if (target->isOutput()) {
            Q_EMIT message(tr("Connect an output to an input: %1 is an output").arg(qs(target->port())));
            return;
        }
        const EditResult r = m_document->connectPorts(from, target->ref());
        if (!r.ok)
            Q_EMIT message(tr("Cannot connect: %1").arg(translated(r.reason)));
        return;
    }
    if (itemAt(scenePos, QTransform()))
        return; // dropped on a node's body or an edge: nothing to do
    // Empty canvas: offer the blocks that could take this output, and connect the chosen one.
    auto *menu = new QMenu(views().isEmpty() ? nullptr : views().first());
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->setObjectName(QStringLiteral("fittingBlocksMenu"));
    for (const BlockType *t : m_document->model().typesAccepting(from)) {
        const std::string type = t->type();
        QAction *a = menu->addAction(translated("Blocks", t->title()));
        connect(a, &QAction::triggered, this, [this, type, from, scenePos] {
            m_document->undoStack()->beginMacro(tr("Add and connect"));
            const EditResult added = m_document->addNode(type, scenePos.x(), scenePos.y() - 50);
            if (added.ok) {
                const BlockType *bt = m_document->model().registry().find(type);
                for (const PortSpec &p : bt->inputs())
                    if (m_document->model().canConnect(from, {added.nodeId, p.name}).ok) {
                        m_document->connectPorts(from, {added.nodeId, p.name});
                        break;
                    }
            }
            m_document->undoStack()->endMacro();
        });
    }
    if (menu->isEmpty()) {
        delete menu;
        Q_EMIT message(tr("No block takes this output"));
        return;
    }
    menu->popup(screenPos);
}

void GraphScene::commitMoves()
{
    std::vector<GraphEdit> moves;
    for (auto &[id, item] : m_nodes) {
        const GraphNode *n = m_document->model().node(id);
        if (n && (n->x != item->pos().x() || n->y != item->pos().y())) {
            GraphEdit e;
            e.kind = GraphEdit::Kind::Move;
            e.nodeId = id;
            e.x = item->pos().x();
            e.y = item->pos().y();
            moves.push_back(e);
        }
    }
    std::vector<CanvasNote> notes = m_document->settings().notes;
    bool notesMoved = false;
    for (NoteItem *n : m_notes) {
        auto &note = notes[static_cast<std::size_t>(n->index())];
        if (note.x != n->pos().x() || note.y != n->pos().y()) {
            note.x = n->pos().x();
            note.y = n->pos().y();
            notesMoved = true;
        }
    }
    if (moves.empty() && !notesMoved)
        return;
    m_document->undoStack()->beginMacro(moves.size() > 1 ? tr("Move blocks") : tr("Move block"));
    for (auto &e : moves)
        m_document->apply(e, tr("Move block"));
    if (notesMoved)
        m_document->setNotes(notes, tr("Move note"));
    m_document->undoStack()->endMacro();
}

} // namespace gui
} // namespace fuselab
