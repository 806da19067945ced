// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the GUI tests share: synthetic mouse events and drops on the graph view, and the
// small experiments they open.
#include "core/document/Templates.h"
#include "tests/support/TestFiles.h"
#include "widgets/GraphItems.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"

#include <QApplication>
#include <QMimeData>
#include <QMouseEvent>

namespace fuselab::test {


inline Experiment concatExperiment(const std::string &dataPath = "data")
{
    DatasetSummary s;
    s.path = dataPath;
    s.classes = {"a", "b", "c"};
    s.modalities = {{"photo", Modality::Image}, {"clip", Modality::Audio}, {"caption", Modality::Text}};
    s.imageWidth = s.imageHeight = 32;
    return makeExperiment("concat", s);
}

// The view's viewport coordinates of a scene point.
inline QPoint viewPos(gui::GraphView *view, QPointF scenePos) { return view->mapFromScene(scenePos); }

inline void sendMouse(QWidget *w, QEvent::Type type, QPoint pos, Qt::MouseButton button, Qt::MouseButtons buttons)
{
    QMouseEvent e(type, QPointF(pos), QPointF(w->mapToGlobal(pos)), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

// Press on `from`, move there in steps with the button held, release on `to`.
inline void drag(gui::GraphView *view, QPointF from, QPointF to)
{
    QWidget *vp = view->viewport();
    const QPoint a = viewPos(view, from), b = viewPos(view, to);
    sendMouse(vp, QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton);
    for (int k = 1; k <= 5; ++k)
        sendMouse(vp, QEvent::MouseMove, a + (b - a) * k / 5, Qt::NoButton, Qt::LeftButton);
    sendMouse(vp, QEvent::MouseButtonRelease, b, Qt::LeftButton, Qt::NoButton);
}

// What a palette drag delivers: a drop of the block type's mime data on the viewport.
inline void dropBlock(gui::GraphView *view, const std::string &type, QPointF scenePos)
{
    QMimeData mime;
    mime.setData(QString::fromLatin1(gui::GraphView::blockMimeType()), QByteArray::fromStdString(type));
    const QPoint p = viewPos(view, scenePos);
    QDragEnterEvent enter(p, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &enter);
    QDropEvent drop(QPointF(p), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &drop);
}

inline QPointF portAnchor(gui::GraphScene *scene, const std::string &node, const std::string &port, bool output)
{
    gui::NodeItem *n = scene->nodeItem(node);
    gui::PortItem *p = n ? n->port(port, output) : nullptr;
    return p ? p->anchor() : QPointF();
}

// The image-cnn template on 90 tiny grey images of three brightness classes under `root`,
// one trainer thread, with the tensor cache under `root` too.
inline Experiment brightnessExperiment(const std::string &root, int epochs)
{
    test::writeBrightnessClasses(root + "/data");
    DatasetSummary s;
    s.path = root + "/data";
    s.classes = {"bright", "dark", "mid"};
    s.modalities = {{"image", Modality::Image}};
    s.imageChannels = 1;
    s.imageWidth = s.imageHeight = 8;
    Experiment e = makeExperiment("image-cnn", s);
    e.training.epochs = epochs;
    e.training.patience = 0;
    e.training.batchSize = 16;
    e.training.threads = 1;
    qputenv("FUSELAB_CACHE_DIR", QByteArray::fromStdString(root + "/cache"));
    return e;
}


} // namespace fuselab::test
