// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QStringList>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPTextElement;
class QCPBarsGroup;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
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

// The lessons of docs/lessons.md in the app (core/project/Lesson.h does the work, on a thread
// of its own):
// - the fusion lesson: one model per single modality and one per chosen fusion, trained one
//   after another; overlaid validation curves (live), a table with the best row marked, the
//   verdict in words, what each modality brings to the best fusion (grouped bars, overall and
//   per class) and the modality weights of attention and gated fusions per class;
// - the imbalance lesson: one class made rare, four remedies, per-class recall as grouped bars
//   with the rare class marked, and a table.
// Each view has a short classroom explanation beside it. A lesson folder (lesson.json or
// imbalance.json, also written by fuselab-cli) opens here; a lesson exports as a
// self-contained HTML report. Presentation mode enlarges text and plots for a projector.
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
    QCustomPlot *curvesPlot() const { return m_curves; }
    QCustomPlot *contributionsPlot() const { return m_contributions; }
    QCustomPlot *recallPlot() const { return m_recall; }
    QTableWidget *lessonTable() const { return m_table; }
    QTableWidget *weightsTable() const { return m_weights; }
    QTableWidget *imbalanceTable() const { return m_imbalanceTable; }
    QLabel *verdictLabel() const { return m_verdict; }
    QLabel *statusLabel() const { return m_status; }
    QTextBrowser *fusionExplanation() const { return m_fusionText; }
    QTextBrowser *imbalanceExplanation() const { return m_imbalanceText; }

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
    void buildFusionTab();
    void buildImbalanceTab();
    void retranslate();
    bool start(bool imbalance, QString outDir);
    void showLesson(const Lesson &lesson);
    void showImbalance(const ImbalanceLesson &lesson);
    void clearViews();
    void beginRun(int index, int count, const QString &name);
    void addEpoch(int epoch, double valAccuracy);
    void ended(bool ok, bool cancelled, const QString &error);
    void reloadFolder();
    void setBusy(bool busy);
    void applyPlotFonts();
    QString verdictText(const Lesson &lesson) const;

    QString m_datasetPath, m_lessonsFolder, m_folder, m_runFolder; // m_runFolder: the lesson running (or last run)
    bool m_stopRequested = false;
    QStringList m_classes;
    bool m_presentation = false, m_runningImbalance = false;
    int m_liveRun = -1;
    QFont m_baseFont;
    std::unique_ptr<Lesson> m_lesson;
    std::unique_ptr<ImbalanceLesson> m_imbalance;

    QTabWidget *m_tabs;
    QLabel *m_datasetLabel, *m_status, *m_verdict, *m_imbalanceVerdict;
    QProgressBar *m_progress;
    QPushButton *m_run, *m_stop, *m_open, *m_report, *m_present;
    QList<QCheckBox *> m_fusionBoxes;
    QList<QWidget *> m_setupWidgets; // what presentation mode hides
    QSpinBox *m_epochs;
    QComboBox *m_rareClass;
    QDoubleSpinBox *m_ratio;
    QCustomPlot *m_curves, *m_contributions, *m_recall;
    QCPTextElement *m_contributionsTitle, *m_recallTitle;
    QCPBarsGroup *m_contributionsGroup = nullptr, *m_recallGroup = nullptr;
    QTableWidget *m_table, *m_weights, *m_imbalanceTable;
    QTextBrowser *m_fusionText, *m_imbalanceText;
    BackgroundTask *m_task;
};

// The lessons' classroom explanations (HTML), in the user's language.
QString fusionLessonExplanation();
QString imbalanceLessonExplanation();

} // namespace gui
} // namespace fuselab
