// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QGraphicsView>

namespace fuselab {
namespace gui {

class ExperimentDocument;
class GraphScene;

// The canvas: zoom with the wheel (Ctrl not needed), pan with the middle button or by
// dragging empty canvas with Shift, drop blocks from the palette, Delete removes the selection.
class GraphView final : public QGraphicsView {
    Q_OBJECT
public:
    GraphView(GraphScene *scene, ExperimentDocument *document, QWidget *parent = nullptr);
    static const char *blockMimeType() { return "application/x-fuselab-block"; }
    void zoomBy(double factor);
    void fitAll();

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    GraphScene *m_scene;
    ExperimentDocument *m_document;
    bool m_panning = false;
    QPoint m_panFrom;
};

} // namespace gui
} // namespace fuselab
