// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/GraphView.h"

#include "widgets/ExperimentDocument.h"
#include "widgets/GraphScene.h"

#include <QDragEnterEvent>
#include <QMimeData>
#include <QScrollBar>
#include <QWheelEvent>

namespace fuselab {
namespace gui {

GraphView::GraphView(GraphScene *scene, ExperimentDocument *document, QWidget *parent)
    : QGraphicsView(scene, parent), m_scene(scene), m_document(document)
{
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setAcceptDrops(true);
    setSceneRect(-5000, -5000, 10000, 10000);
    setObjectName(QStringLiteral("graphView"));
}

void GraphView::zoomBy(double factor)
{
    const double current = transform().m11();
    const double next = std::clamp(current * factor, 0.2, 3.0);
    scale(next / current, next / current);
}

void GraphView::fitAll()
{
    QRectF r = m_scene->itemsBoundingRect();
    if (r.isEmpty())
        return;
    r.adjust(-40, -40, 40, 40);
    fitInView(r, Qt::KeepAspectRatio);
    if (transform().m11() > 1.0) // never blow a small graph up past its natural size
        setTransform(QTransform());
    centerOn(r.center());
}

void GraphView::wheelEvent(QWheelEvent *event)
{
    zoomBy(event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15);
    event->accept();
}

void GraphView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier)
                                                && !itemAt(event->pos()))) {
        m_panning = true;
        m_panFrom = event->pos();
        setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_panning) {
        const QPoint d = event->pos() - m_panFrom;
        m_panFrom = event->pos();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panning) {
        m_panning = false;
        unsetCursor();
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Delete) || event->key() == Qt::Key_Backspace) {
        m_scene->deleteSelection();
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasFormat(QString::fromLatin1(blockMimeType())))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent *event)
{
    if (event->mimeData()->hasFormat(QString::fromLatin1(blockMimeType())))
        event->acceptProposedAction();
    else
        QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent *event)
{
    const QByteArray type = event->mimeData()->data(QString::fromLatin1(blockMimeType()));
    if (type.isEmpty()) {
        QGraphicsView::dropEvent(event);
        return;
    }
    const QPointF at = mapToScene(event->position().toPoint());
    m_document->addNode(type.toStdString(), at.x(), at.y());
    event->acceptProposedAction();
}

} // namespace gui
} // namespace fuselab
