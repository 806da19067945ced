// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <functional>
#include "widgets/training/TrainingWorker.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QCPAxis;
class QCheckBox;
class QCPColorMap;
class QCPItemStraightLine;
class QCPItemText;
class QTableWidget;
class QComboBox;
class QCustomPlot;
class QLabel;
class QTreeWidget;
class QProgressBar;
class QPushButton;
class QThread;

namespace fuselab {
namespace gui {

class ExperimentDocument;
class ClassMetricsView;
class PredictPanel;
class RegressionView;
class SequenceView;
class RunComparison;

// Start, Pause/Resume and Stop a run of the open experiment (the saved file: editing the
// graph during a run does not touch it), with the phase, epoch and step, samples/s and time
// left, live loss and accuracy curves and the latest validation confusion matrix. The
// trainer runs on a thread this panel owns; it hears of the run only through queued signals.
class TrainingPanel final : public QWidget {
    Q_OBJECT
public:
    TrainingPanel(ExperimentDocument *document, QWidget *parent = nullptr);
    ~TrainingPanel() override; // stops a run, waits for its thread and deletes the worker (its checkpoint stays)

    bool isRunning() const { return m_running; }
    // Starts a new run of `experimentFile` in a fresh folder under runs/ beside it.
    bool start(const QString &experimentFile);
    // Continues a stopped, interrupted or failed run from its last checkpoint; `device`
    // "" = the device chosen in the panel.
    bool resume(const QString &runDir, const QString &device = QString());
    // The device chosen for the next run: "" (the experiment's setting), "cpu" or "cuda:N".
    QString chosenDevice() const;
    void setChosenDevice(const QString &device);
    // Lists the runs under runs/ beside the open experiment (the run history).
    void refreshRuns();
    QTreeWidget *runList() const { return m_runs; }
    void stop();
    void setPaused(bool paused);
    // Stops a run and waits until its thread has ended (closing the window); may be called again.
    void stopAndWait();

    QCustomPlot *lossPlot() const { return m_loss; }
    QCustomPlot *confusionPlot() const { return m_confusion; }
    QCPColorMap *confusionMap() const { return m_map; }
    QString lastRunDir() const { return m_runDir; }
    QString selectedRunDir() const; // the Runs tab's current run ("" when none)
    QStringList classes() const { return m_plan.classes; }
    const TrainingPlanInfo &plan() const { return m_plan; }
    TrainingWorker *worker() const { return m_worker; } // for tests: its signals stand in for a GPU
    // What clicking the cell (true, predicted) of the latest confusion matrix does.
    void chooseConfusionCell(int trueClass, int predicted);
    QTableWidget *epochTable() const { return m_epochs; }
    // Writes the curves as "png", "pdf" or "csv" (every stored point) to `file`, asking for
    // a file name when it is empty.
    bool exportCurves(const QString &format, QString file = QString());

Q_SIGNALS:
    void startRequested(); // the window saves the experiment, then calls start()
    void runStarted(); // a run (new or resumed) has begun training
    void exportRequested(const QString &runDir); // the Runs tab's Export… button
    void runFinished(const fuselab::gui::TrainingResultInfo &result);
    void message(const QString &text, bool error);
    // A regression view's point was clicked: the validation sample's dataset row, target and prediction.
    void regressionSampleChosen(qint64 row, double truth, double predicted);
    // A sequence run's sample table: a validation sample was chosen (its dataset row).
    void sequenceSampleChosen(qint64 row);
    void requestTrain(const QString &experimentFile, const QString &runDir, bool resume, const QString &device);
    // A confusion-matrix cell was clicked: the samples of `split` ("val", "test") (dataset rows) of class
    // `trueClass` predicted as `predicted`, most confident first.
    void confusionCellChosen(int trueClass, int predicted, const QVector<qint64> &rows, const QStringList &topAnswers, const QString &split);

private:
    void onStarted(const TrainingPlanInfo &plan);
    void onBatch(const TrainingBatchInfo &batch);
    void onEpoch(const TrainingEpochInfo &epoch);
    void onFinished(const TrainingResultInfo &result);
    void onFailed(const QString &message, bool deviceFailure);
    void setClasses(const QStringList &classes, int epochs);
    void clearCurves(); // every curve, the best-epoch mark and the per-epoch table
    bool showConfusion(const QVector<QVector<qint64>> &confusion);
    bool drawConfusion(const QVector<QVector<qint64>> &confusion);
    void redrawConfusion();
    void beginRun(const QString &status);
    void resumeSelected();
public:
    // Overlays the runs selected in the history (their validation curves and results).
    void compareRuns();
    // A past run's dashboard: its per-epoch curves and table, best epoch and the best
    // checkpoint's validation confusion matrix (not while a run is training).
    void showRun(const QString &runDir);
    // Deletes a run folder that no process trains in (asking first when `ask`).
    bool deleteRun(const QString &runDir, bool ask);
    RunComparison *comparison() const { return m_comparison; }
    PredictPanel *predictPanel() const { return m_predictPanel; }
    ClassMetricsView *classMetrics() const { return m_classMetrics; }
    QComboBox *confusionSource() const { return m_confusionSource; }
    // A regression run's predicted-against-true view, shown in the confusion matrix's place.
    RegressionView *regressionView() const { return m_regressionView; }
    // A sequence run's table of references and hypotheses, and the chosen sample's attention.
    SequenceView *sequenceView() const { return m_sequenceView; }
    // What the sequence table's Source column shows for a dataset row (the window's dataset).
    void setSampleText(std::function<QString(qint64)> source);
    QCheckBox *confusionShares() const { return m_confusionShares; }

private:
    void buildCurves();
    void buildConfusionView();
    // Classification (the confusion matrix, accuracy and macro-F1), regression (the
    // predicted-against-true view, R² and Pearson r) or sequences (the sample table and
    // attention; BLEU and WER, or CER for character targets) in the live views and the table.
    void showTask(bool regression, bool sequence = false, bool characters = false);
    void buildDeviceChoice();
    void startWorker();
    void setRunning(bool running);
    void replot();

    ExperimentDocument *m_document;
    QThread *m_thread;
    TrainingWorker *m_worker;
    QPushButton *m_start, *m_pause, *m_stop, *m_resumeOnCpu, *m_resumeRun;
    QComboBox *m_device;
    QComboBox *m_confusionSource = nullptr;
    QCheckBox *m_confusionShares = nullptr;
    QTreeWidget *m_runs;
    QLabel *m_status;
    QProgressBar *m_progress;
    QCustomPlot *m_loss, *m_confusion;
    QCPColorMap *m_map = nullptr;
    QCPAxis *m_lrAxis = nullptr;
    QCPItemStraightLine *m_bestLine = nullptr;
    QTableWidget *m_epochs = nullptr;
    QPushButton *m_compareRuns = nullptr;
    RunComparison *m_comparison = nullptr;
    PredictPanel *m_predictPanel = nullptr;
    ClassMetricsView *m_classMetrics = nullptr;
    RegressionView *m_regressionView = nullptr;
    SequenceView *m_sequenceView = nullptr;
    QWidget *m_confusionPage = nullptr;
    bool m_regression = false, m_sequence = false, m_characters = false;
    int m_bestEpoch = 0;
    double m_highestRate = 0;
    QCPItemText *m_bestLabel = nullptr;
    TrainingEpochInfo m_lastEpoch; // the latest validation
    PredictionList m_cellSamples;  // the predictions behind the confusion matrix shown
    QTimer m_replot;
    QElapsedTimer m_clock;
    bool m_running = false;
    bool m_dirty = false;
    QString m_runDir, m_phase;
    TrainingPlanInfo m_plan;
    qint64 m_globalSteps = 0;
};

} // namespace gui
} // namespace fuselab
