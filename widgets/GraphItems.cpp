// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/GraphItems.h"

#include "widgets/GraphScene.h"
#include "widgets/GuiText.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace fuselab {
namespace gui {

namespace {
constexpr qreal kPortRadius = 6;
constexpr qreal kHeader = 50;
constexpr qreal kPortSpacing = 20;
} // namespace

QColor categoryColour(const std::string &category)
{
    if (category == "input")
        return QColor(0x4e, 0x79, 0xa7);
    if (category == "encoder")
        return QColor(0x3f, 0x8f, 0x4a);
    if (category == "fusion")
        return QColor(0xd9, 0x76, 0x1a);
    if (category == "head")
        return QColor(0x9c, 0x5f, 0x95);
    if (category == "output")
        return QColor(0x3b, 0x8c, 0x87);
    return QColor(0x80, 0x80, 0x80);
}

PortItem::PortItem(NodeItem *node, const std::string &port, bool output, const QString &label, const QString &tip)
    : QGraphicsEllipseItem(-kPortRadius, -kPortRadius, 2 * kPortRadius, 2 * kPortRadius, node), m_port(port), m_output(output),
      m_label(new QGraphicsSimpleTextItem(label, this))
{
    setBrush(QColor(0xf4, 0xf4, 0xf4));
    setPen(QPen(QColor(0x33, 0x33, 0x33), 1.2));
    setToolTip(tip);
    setAcceptHoverEvents(true);
    setCursor(output ? Qt::CrossCursor : Qt::ArrowCursor);
    QFont f = QApplication::font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    m_label->setFont(f);
    m_label->setBrush(QColor(0x30, 0x30, 0x30));
    const QRectF r = m_label->boundingRect();
    m_label->setPos(output ? -kPortRadius - 4 - r.width() : kPortRadius + 4, -r.height() / 2);
}

NodeItem *PortItem::node() const { return static_cast<NodeItem *>(parentItem()); }

PortRef PortItem::ref() const { return {node()->id(), m_port}; }

void PortItem::setHighlight(Highlight h)
{
    switch (h) {
    case Highlight::None:
        setBrush(QColor(0xf4, 0xf4, 0xf4));
        setPen(QPen(QColor(0x33, 0x33, 0x33), 1.2));
        setOpacity(1.0);
        break;
    case Highlight::Compatible:
        setBrush(QColor(0x4c, 0xc0, 0x4c));
        setPen(QPen(QColor(0x1c, 0x70, 0x1c), 2.0));
        setOpacity(1.0);
        break;
    case Highlight::Incompatible:
        setBrush(QColor(0xd0, 0xd0, 0xd0));
        setPen(QPen(QColor(0xa0, 0xa0, 0xa0), 1.0));
        setOpacity(0.45);
        break;
    }
}

NodeItem::NodeItem(const GraphNode &node, const BlockType *type) : m_id(node.id)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    setZValue(1);
    m_colour = categoryColour(type ? type->category() : std::string());
    m_typeTitle = type ? translated("Blocks", type->title()) : QCoreApplication::translate("GraphScene", "unknown block %1").arg(qs(node.type));
    if (type) {
        const auto ins = type->inputs(), outs = type->outputs();
        const std::size_t rows = std::max(ins.size(), outs.size());
        m_height = kHeader + 12 + kPortSpacing * static_cast<qreal>(std::max<std::size_t>(rows, 1));
        for (std::size_t i = 0; i < ins.size(); ++i) {
            auto *p = new PortItem(this, ins[i].name, false, qs(ins[i].name), translated("Blocks", ins[i].help));
            p->setPos(0, kHeader + 10 + kPortSpacing * static_cast<qreal>(i));
            m_inputs.push_back(p);
        }
        for (std::size_t i = 0; i < outs.size(); ++i) {
            auto *p = new PortItem(this, outs[i].name, true, qs(outs[i].name), translated("Blocks", outs[i].help));
            p->setPos(m_width, kHeader + 10 + kPortSpacing * static_cast<qreal>(i));
            m_outputs.push_back(p);
        }
    }
    setNode(node);
}

void NodeItem::setNode(const GraphNode &node)
{
    m_name = qs(node.displayName());
    if (pos() != QPointF(node.x, node.y))
        setPos(node.x, node.y);
    update();
}

void NodeItem::setInfo(const QString &parameters, const QStringList &problems)
{
    if (parameters == m_parameters && problems == m_problems)
        return;
    m_parameters = parameters;
    m_problems = problems;
    setToolTip(problems.join(QLatin1Char('\n')));
    update();
}

PortItem *NodeItem::port(const std::string &name, bool output) const
{
    for (PortItem *p : output ? m_outputs : m_inputs)
        if (p->port() == name)
            return p;
    return nullptr;
}

QRectF NodeItem::boundingRect() const { return QRectF(-3, -3, m_width + 6, m_height + 6); }

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF body(0, 0, m_width, m_height);
    const bool selected = option->state & QStyle::State_Selected;
    QPen border(m_problems.isEmpty() ? QColor(0x50, 0x50, 0x50) : QColor(0xc6, 0x28, 0x28), m_problems.isEmpty() ? 1.2 : 2.5);
    if (selected)
        border = QPen(QColor(0x1e, 0x6f, 0xd9), 2.5);
    painter->setPen(border);
    painter->setBrush(QColor(0xfb, 0xfb, 0xfb));
    painter->drawRoundedRect(body, 6, 6);
    // Header in the category's colour.
    QPainterPath header;
    header.addRoundedRect(QRectF(0, 0, m_width, kHeader), 6, 6);
    header.addRect(QRectF(0, kHeader - 8, m_width, 8));
    painter->fillPath(header.simplified(), m_colour);
    painter->setPen(border);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(body, 6, 6);

    QFont f = QApplication::font();
    f.setBold(true);
    painter->setFont(f);
    painter->setPen(Qt::white);
    const QFontMetricsF fm(f);
    painter->drawText(QRectF(8, 2, m_width - 16, 22), Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(m_name, Qt::ElideRight, m_width - 16));
    QFont small = QApplication::font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter->setFont(small);
    const QFontMetricsF sm(small);
    painter->drawText(QRectF(8, 25, m_width - 16, 22), Qt::AlignLeft | Qt::AlignVCenter,
                      sm.elidedText(m_typeTitle, Qt::ElideRight, m_width - 16));
    painter->setPen(QColor(0x55, 0x55, 0x55));
    if (!m_parameters.isEmpty())
        painter->drawText(QRectF(8, m_height - 18, m_width - 16, 16), Qt::AlignHCenter | Qt::AlignVCenter, m_parameters);
    if (!m_problems.isEmpty()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xc6, 0x28, 0x28));
        painter->drawEllipse(QPointF(m_width - 12, 12), 8, 8);
        painter->setPen(Qt::white);
        f.setBold(true);
        painter->setFont(f);
        painter->drawText(QRectF(m_width - 20, 4, 16, 16), Qt::AlignCenter, QStringLiteral("!"));
    }
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged)
        if (auto *s = qobject_cast<GraphScene *>(scene()))
            s->nodeMoved(this);
    return QGraphicsItem::itemChange(change, value);
}

EdgeItem::EdgeItem(const GraphEdge &edge) : m_edge(edge), m_label(new QGraphicsSimpleTextItem(this))
{
    setFlags(ItemIsSelectable);
    setZValue(0);
    setPen(QPen(QColor(0x55, 0x55, 0x55), 2.0));
    QFont f = QApplication::font();
    f.setPointSizeF(f.pointSizeF() * 0.8);
    m_label->setFont(f);
    m_label->setBrush(QColor(0x1e, 0x4f, 0x8f));
    m_label->setZValue(1);
}

QPainterPath EdgeItem::curve(const QPointF &a, const QPointF &b)
{
    QPainterPath p(a);
    const qreal dx = std::max<qreal>(40, std::abs(b.x() - a.x()) * 0.5);
    p.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b);
    return p;
}

void EdgeItem::setEnds(const QPointF &from, const QPointF &to)
{
    prepareGeometryChange();
    setPath(curve(from, to));
    const QRectF r = m_label->boundingRect();
    m_label->setPos(path().pointAtPercent(0.5) - QPointF(r.width() / 2, r.height() / 2));
}

void EdgeItem::setShape(const QString &shape)
{
    m_label->setText(shape);
    setToolTip(shape);
    const QRectF r = m_label->boundingRect();
    m_label->setPos(path().pointAtPercent(0.5) - QPointF(r.width() / 2, r.height() / 2));
}

QRectF EdgeItem::boundingRect() const
{
    return QGraphicsPathItem::boundingRect().united(m_label->mapRectToParent(m_label->boundingRect()).adjusted(-4, -2, 4, 2));
}

void EdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    QPen p = pen();
    if (option->state & QStyle::State_Selected)
        p = QPen(QColor(0x1e, 0x6f, 0xd9), 3.0);
    painter->setPen(p);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path());
    if (!m_label->text().isEmpty()) {
        // A light plate under the shape keeps it readable where it crosses a port label.
        const QRectF r = m_label->mapRectToParent(m_label->boundingRect()).adjusted(-3, -1, 3, 1);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xee, 0xf0, 0xf3, 230));
        painter->drawRoundedRect(r, 3, 3);
    }
}

NoteItem::NoteItem(const QString &text, int index) : m_index(index)
{
    setPlainText(text);
    setFlags(ItemIsMovable | ItemIsSelectable);
    setTextWidth(220);
    setZValue(-1);
    setDefaultTextColor(QColor(0x40, 0x38, 0x10));
}

void NoteItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    painter->setPen(QPen(QColor(0xc9, 0xb4, 0x58), option->state & QStyle::State_Selected ? 2.0 : 1.0));
    painter->setBrush(QColor(0xff, 0xf5, 0xc4));
    painter->drawRect(boundingRect());
    QStyleOptionGraphicsItem plain(*option);
    plain.state &= ~QStyle::State_Selected;
    QGraphicsTextItem::paint(painter, &plain, widget);
}

} // namespace gui
} // namespace fuselab
