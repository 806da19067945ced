// SPDX-License-Identifier: GPL-3.0-or-later
// The main window's menus, toolbar and actions, the recent-files menu and About.
#include "widgets/MainWindow.h"

#include "widgets/ExportDialog.h"
#include "widgets/ExplainView.h"
#include "widgets/lessons/LessonWindow.h"

#include "core/data/DatasetLoader.h"
#include "core/project/Services.h"
#include "core/util/Error.h"
#include "widgets/BlockPalette.h"
#include "widgets/DatasetPanel.h"
#include "widgets/ExperimentDocument.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/GuiText.h"
#include "widgets/LogPanel.h"
#include "widgets/PreferencesDialog.h"
#include "widgets/PropertiesPanel.h"
#include "widgets/TemplateDialog.h"
#include "widgets/SampleBrowser.h"
#include "widgets/training/TrainingPanel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QLabel>
#include <QMenuBar>
#include <QStandardPaths>
#include <QMessageBox>
#include <QTabWidget>
#include <QMimeData>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoStack>

#include <filesystem>

namespace fuselab {
namespace gui {

namespace {
constexpr int kMaxRecent = 8;
const char *kRecentKey = "recentFiles"; // QSettings key of the recent files
} // namespace

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QToolBar *tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto action = [this](const QString &text, QStyle::StandardPixmap icon, const QKeySequence &keys, auto slot) {
        auto *a = new QAction(style()->standardIcon(icon), text, this);
        if (!keys.isEmpty())
            a->setShortcut(keys);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    QAction *newAction = action(tr("&New from template…"), QStyle::SP_FileIcon, QKeySequence::New, [this] { newFromTemplate(); });
    QAction *openAction = action(tr("&Open…"), QStyle::SP_DialogOpenButton, QKeySequence::Open, [this] { open(); });
    QAction *datasetAction = action(tr("Open &dataset…"), QStyle::SP_DirOpenIcon, QKeySequence(), [this] { openDataset(); });
    QAction *saveAction = action(tr("&Save"), QStyle::SP_DialogSaveButton, QKeySequence::Save, [this] { save(); });
    QAction *saveAsAction = action(tr("Save &as…"), QStyle::SP_DialogSaveButton, QKeySequence::SaveAs, [this] { saveAs(); });
    QAction *exportAction = action(tr("&Export trained model…"), QStyle::SP_DriveFDIcon, QKeySequence(), [this] { exportModel(); });
    exportAction->setObjectName(QStringLiteral("exportAction"));
    QAction *quitAction = action(tr("&Quit"), QStyle::SP_DialogCloseButton, QKeySequence::Quit, [this] { close(); });
    file->addAction(newAction);
    file->addAction(openAction);
    file->addAction(datasetAction);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    file->addAction(saveAction);
    file->addAction(saveAsAction);
    file->addSeparator();
    file->addAction(exportAction);
    file->addSeparator();
    file->addAction(quitAction);
    rebuildRecentMenu();

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setIcon(style()->standardIcon(QStyle::SP_ArrowBack));
    QAction *redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setIcon(style()->standardIcon(QStyle::SP_ArrowForward));
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    QAction *del = action(tr("&Delete"), QStyle::SP_TrashIcon, QKeySequence::Delete, [this] { m_scene->deleteSelection(); });
    del->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(del);
    edit->addAction(del);
    QAction *copy = action(tr("&Copy"), QStyle::SP_CustomBase, QKeySequence::Copy, [this] { m_scene->copySelection(); });
    QAction *paste = action(tr("&Paste"), QStyle::SP_CustomBase, QKeySequence::Paste, [this] { m_scene->paste(); });
    for (QAction *a : {copy, paste}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_view->addAction(a);
        edit->addAction(a);
    }
    edit->addAction(action(tr("Select &all"), QStyle::SP_CustomBase, QKeySequence::SelectAll, [this] {
        for (QGraphicsItem *i : m_scene->items())
            if (i->flags() & QGraphicsItem::ItemIsSelectable)
                i->setSelected(true);
    }));
    edit->addAction(action(tr("Arrange &blocks"), QStyle::SP_CustomBase, QKeySequence(Qt::CTRL | Qt::Key_L), [this] { m_scene->autoLayout(); }));
    edit->addAction(action(tr("Add &note"), QStyle::SP_CustomBase, QKeySequence(), [this] {
        m_scene->addNote(m_view->mapToScene(m_view->viewport()->rect().center()));
    }));

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(action(tr("Zoom &in"), QStyle::SP_CustomBase, QKeySequence::ZoomIn, [this] { m_view->zoomBy(1.2); }));
    m_viewMenu->addAction(action(tr("Zoom &out"), QStyle::SP_CustomBase, QKeySequence::ZoomOut, [this] { m_view->zoomBy(1 / 1.2); }));
    m_viewMenu->addAction(action(tr("&Fit to window"), QStyle::SP_CustomBase, QKeySequence(Qt::CTRL | Qt::Key_0), [this] { m_view->fitAll(); }));
    m_viewMenu->addSeparator();

    QMenu *toolsMenu = menuBar()->addMenu(tr("&Tools"));
    QAction *prefs = action(tr("&Preferences…"), QStyle::SP_CustomBase, QKeySequence::Preferences, [this] { preferences(); });
    QAction *lessons = action(tr("&Lessons…"), QStyle::SP_CustomBase, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L), [this] { showLessons(); });
    lessons->setObjectName(QStringLiteral("lessonsAction"));
    lessons->setStatusTip(tr("Does fusing modalities help on this dataset? Train and compare single modalities and fusions; the imbalance lesson"));
    toolsMenu->addAction(lessons);
    toolsMenu->addSeparator();
    toolsMenu->addAction(prefs);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(tr("&About FuseLab"), QStyle::SP_MessageBoxInformation, QKeySequence(), [this] { about(); }));

    tools->addAction(newAction);
    tools->addAction(openAction);
    tools->addAction(saveAction);
    tools->addSeparator();
    tools->addAction(undo);
    tools->addAction(redo);
}

void MainWindow::addRecent(const QString &path)
{
    QSettings s;
    QStringList recent = s.value(QString::fromLatin1(kRecentKey)).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue(QString::fromLatin1(kRecentKey), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QString::fromLatin1(kRecentKey)).toStringList();
    for (const QString &path : recent) {
        QAction *a = m_recentMenu->addAction(QDir::toNativeSeparators(path));
        connect(a, &QAction::triggered, this, [this, path] { openPath(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About FuseLab"),
                       tr("<h3>FuseLab %1</h3><p>A workbench for multimodal deep learning: images, text and audio, "
                          "wired into a fusion model in a visual editor.</p>"
                          "<p>GPL-3.0-or-later. Built with Qt, LibTorch and QCustomPlot.</p>")
                           .arg(QStringLiteral(FUSELAB_VERSION)));
}

} // namespace gui
} // namespace fuselab
