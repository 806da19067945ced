// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/BlockType.h"
#include "core/graph/Graph.h"

#include <QColor>
#include <QGraphicsEllipseItem>
#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>

#include <string>
#include <vector>

namespace fuselab {
namespace gui {

class NodeItem;

// A block category's colour ("input", "encoder", "fusion", "head", "output"), on the canvas
// and in the template gallery's diagrams.
QColor categoryColour(const std::string &category);

// A port circle on a node: inputs on the left, outputs on the right.
class PortItem final : public QGraphicsEllipseItem {
public:
    enum { Type = UserType + 1 };
    enum class Highlight { None, Compatible, Incompatible };
    PortItem(NodeItem *node, const std::string &port, bool output, const QString &label, const QString &tip);
    int type() const override { return Type; }
    NodeItem *node() const;
    const std::string &port() const { return m_port; }
    bool isOutput() const { return m_output; }
    PortRef ref() const;
    QPointF anchor() const { return mapToScene(rect().center()); }
    void setHighlight(Highlight h);

private:
    std::string m_port;
    bool m_output;
    QGraphicsSimpleTextItem *m_label;
};

// A block: its name, its type, its parameter count, its ports; marked when it has problems.
class NodeItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 2 };
    NodeItem(const GraphNode &node, const BlockType *type);
    int type() const override { return Type; }
    const std::string &id() const { return m_id; }
    void setNode(const GraphNode &node);
    void setInfo(const QString &parameters, const QStringList &problems);
    const std::vector<PortItem *> &inputs() const { return m_inputs; }
    const std::vector<PortItem *> &outputs() const { return m_outputs; }
    PortItem *port(const std::string &name, bool output) const;

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;

private:
    std::string m_id;
    QString m_name, m_typeTitle, m_parameters;
    QStringList m_problems;
    QColor m_colour;
    qreal m_width = 150, m_height = 60;
    std::vector<PortItem *> m_inputs, m_outputs;
};

// An edge from an output port to an input port, labelled with the tensor shape it carries.
class EdgeItem final : public QGraphicsPathItem {
public:
    enum { Type = UserType + 3 };
    explicit EdgeItem(const GraphEdge &edge);
    int type() const override { return Type; }
    const GraphEdge &edge() const { return m_edge; }
    void setEnds(const QPointF &from, const QPointF &to);
    void setShape(const QString &shape);
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;
    QRectF boundingRect() const override;

    static QPainterPath curve(const QPointF &from, const QPointF &to);

private:
    GraphEdge m_edge;
    QGraphicsSimpleTextItem *m_label;
};

// A teacher's note on the canvas.
class NoteItem final : public QGraphicsTextItem {
public:
    enum { Type = UserType + 4 };
    NoteItem(const QString &text, int index);
    int type() const override { return Type; }
    int index() const { return m_index; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    int m_index;
};

} // namespace gui
} // namespace fuselab
