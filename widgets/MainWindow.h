// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QMainWindow>

#include <functional>

class QDockWidget;
class QLabel;
class QMenu;

namespace fuselab {
namespace gui {

class BlockPalette;
class DatasetPanel;
class ExplainView;
class LessonWindow;
class ExperimentDocument;
class GraphScene;
class GraphView;
class LogPanel;
class PropertiesPanel;
class TrainingPanel;

// FuseLab's main window: the graph editor in the middle; docks for the dataset, the block
// palette, the selected block's properties, training and the log.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // An experiment file (*.fuselab.json) or a dataset (folder, manifest, IDX folder).
    void openPath(const QString &path);
    // Opens the dataset and draws a fresh experiment from `templateName` for it.
    void openDatasetWithTemplate(const QString &path, const QString &templateName);
    bool saveTo(const QString &path);
    // Renders the window to `file` at `size` (for docs/screenshots).
    bool saveScreenshot(const QString &file, QSize size);

    ExperimentDocument *document() const { return m_document; }
    GraphScene *scene() const { return m_scene; }
    GraphView *view() const { return m_view; }
    DatasetPanel *datasetPanel() const { return m_dataset; }
    PropertiesPanel *propertiesPanel() const { return m_properties; }
    LogPanel *logPanel() const { return m_log; }
    TrainingPanel *trainingPanel() const { return m_training; }
    BlockPalette *palette() const { return m_palette; }
    // Tools → Lessons: the lesson window over the open dataset (created on first use).
    LessonWindow *showLessons();
    // "Why this prediction?" for a dataset sample with the Runs tab's run (else the last one).
    ExplainView *explainSample(qint64 row);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

public:
    // The validation samples behind a confusion-matrix cell, in the sample browser (opening
    // the experiment's dataset first when another one, or none, is open).
    void showConfusionSamples(int trueClass, int predicted, const QVector<qint64> &rows, const QStringList &topAnswers = {},
                              const QString &split = QStringLiteral("val"));

private:
    void createActions();
    void newFromTemplate();
    void open();
    void openDataset();
    bool save();
    bool saveAs();
    bool maybeSave();
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void updateTitle();
    void updateProblems();
    void startTraining();
    // File → Export trained model: the run selected in the Runs tab, else the last one.
    void exportModel(const QString &runDir = QString());
    void showMessage(const QString &text, bool error = false);
    void about();
    void preferences();
    void createExperiment(const QString &templateName);

    ExperimentDocument *m_document;
    GraphScene *m_scene;
    GraphView *m_view;
    DatasetPanel *m_dataset;
    BlockPalette *m_palette;
    PropertiesPanel *m_properties;
    LogPanel *m_log;
    TrainingPanel *m_training;
    LessonWindow *m_lessons = nullptr;
    ExplainView *m_explain = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    std::function<void()> m_afterDatasetOpens; // a confusion cell waiting for its dataset
    QDockWidget *m_propertiesDock = nullptr, *m_trainingDock = nullptr;
    bool m_trainingDockGrown = false; // the first run of a session makes room for the dashboard
    QString m_templateAfterOpen; // the template to draw once the dataset being opened is checked
};

} // namespace gui
} // namespace fuselab
