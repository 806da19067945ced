// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QStringList>
#include <QWidget>

#include <memory>

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;
class QTextBrowser;

namespace fuselab {
struct Lesson;
struct ImbalanceLesson;
namespace gui {

class BackgroundTask;
class FusionLessonPage;
class ImbalanceLessonPage;

// The lessons of docs/lessons.md in the app (core/project/Lesson.h does the work, on a thread
// of its own). The window hosts the two lessons' pages as tabs:
// - the fusion lesson (FusionLessonPage.h): one model per single modality and one per chosen
//   fusion, trained one after another, compared;
// - the imbalance lesson (ImbalanceLessonPage.h): one class made rare, four remedies.
// The window owns what both share: the dataset, epochs, run/stop, the progress, opening a
// lesson folder (lesson.json or imbalance.json, also written by fuselab-cli), the
// self-contained HTML report (LessonReport.cpp) and presentation mode (larger text and plots
// for a projector).
class LessonWindow final : public QWidget {
    Q_OBJECT
public:
    explicit LessonWindow(QWidget *parent = nullptr);
    ~LessonWindow() override;

    // The dataset the next lesson reads, and its classes (for the imbalance lesson's choice).
    void setDataset(const QString &path, const QStringList &classes);
    QString dataset() const { return m_datasetPath; }
    // The folder new lessons go under ("<folder>/<dataset>-lesson-<time>").
    void setLessonsFolder(const QString &dir) { m_lessonsFolder = dir; }

    // Starts a lesson into `outDir` ("" = a new folder under the lessons folder); false with
    // a message shown when one is running or no dataset is set.
    bool startFusionLesson(const QString &outDir = {});
    bool startImbalanceLesson(const QString &outDir = {});
    // Stops the current run (kept as a stopped, resumable run) and skips the rest.
    void stop();
    bool isRunning() const;

    // Shows a lesson folder (lesson.json or imbalance.json); false with `error` set.
    bool openFolder(const QString &dir, QString *error = nullptr);
    QString folder() const { return m_folder; }
    // Writes the shown lesson as one self-contained HTML file (plots as PNG inside); false with `error`.
    bool exportReport(const QString &file, QString *error = nullptr);
    // Larger text and plots for a projector.
    void setPresentationMode(bool on);
    bool presentationMode() const { return m_presentation; }

    // The fusion templates the lesson compares, and epochs per run (0 = each template's own).
    void setFusions(const QStringList &templates);
    QStringList fusions() const;
    void setEpochs(int epochs);
    void setImbalance(const QString &rareClass, double ratio);

    // For tests and screenshots.
    QTabWidget *tabs() const { return m_tabs; }
    FusionLessonPage *fusionPage() const { return m_fusionPage; }
    ImbalanceLessonPage *imbalancePage() const { return m_imbalancePage; }
    QCustomPlot *curvesPlot() const;
    QCustomPlot *contributionsPlot() const;
    QCustomPlot *recallPlot() const;
    QTableWidget *lessonTable() const;
    QTableWidget *weightsTable() const;
    QTableWidget *imbalanceTable() const;
    QLabel *verdictLabel() const;
    QLabel *statusLabel() const { return m_status; }
    QTextBrowser *fusionExplanation() const;
    QTextBrowser *imbalanceExplanation() const;

Q_SIGNALS:
    // A lesson ended (ok, stopped, or failed with `error`); its runs are in the run history.
    void lessonFinished(bool ok, bool stopped, const QString &error);
    // Each time a lesson run begins (index from 0); epochPlotted for each validated epoch.
    void runBegan(int index, int count, const QString &name);
    void epochPlotted(int run, int epoch, double valAccuracy);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    bool start(bool imbalance, QString outDir);
    void showLessons();
    void clearViews();
    void beginRun(int index, int count, const QString &name);
    void addEpoch(int epoch, double valAccuracy);
    void ended(bool ok, bool cancelled, const QString &error);
    void reloadFolder();
    void setBusy(bool busy);

    QString m_datasetPath, m_lessonsFolder, m_folder, m_runFolder; // m_runFolder: the lesson running (or last run)
    bool m_stopRequested = false;
    bool m_presentation = false, m_runningImbalance = false;
    int m_liveRun = -1;
    QFont m_baseFont;
    std::unique_ptr<Lesson> m_lesson;
    std::unique_ptr<ImbalanceLesson> m_imbalance;

    QTabWidget *m_tabs;
    FusionLessonPage *m_fusionPage;
    ImbalanceLessonPage *m_imbalancePage;
    QLabel *m_datasetLabel, *m_status, *m_epochsLabel;
    QProgressBar *m_progress;
    QPushButton *m_run, *m_stop, *m_open, *m_report, *m_present;
    QList<QWidget *> m_setupWidgets; // what presentation mode hides
    QSpinBox *m_epochs;
    BackgroundTask *m_task;
};

// The lessons' classroom explanations (HTML), in the user's language.
QString fusionLessonExplanation();
QString imbalanceLessonExplanation();

} // namespace gui
} // namespace fuselab
