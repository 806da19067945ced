// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"

#include <nlohmann/json.hpp>

#include <QWidget>

#include <memory>

class QCustomPlot;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace fuselab {
struct LoadOptions;
namespace gui {

class BackgroundTask;
class SampleBrowser;

// A dataset's health at a glance: open a folder, a CSV/JSONL manifest or an IDX folder (or
// drop it on the window); the scan and health check run off the GUI thread with progress
// and Cancel. Shows the counts, a bar chart of samples per class and modality, missing
// modalities, the imbalance, and every skipped file with its reason (double-click opens
// the file's folder).
class DatasetPanel final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(QWidget *parent = nullptr);
    ~DatasetPanel() override;

    // Reads the dataset (as the task choice says, or as `options` say: an experiment's
    // label column, task and split, so the panel's rows are the ones it trains on).
    void open(const QString &path, const LoadOptions *options = nullptr);
    void cancel();
    bool isBusy() const;
    QString path() const { return m_path; }
    const Dataset *dataset() const { return m_dataset.get(); }
    const nlohmann::json &report() const { return m_report; }
    QCustomPlot *chart() const { return m_chart; }
    SampleBrowser *browser() const { return m_browser; }
    // What the labels are read as: "" (as they suggest), "classification", "multilabel" or
    // "regression". Changing it opens the dataset again.
    QComboBox *taskChoice() const { return m_taskChoice; }

Q_SIGNALS:
    void opened(const QString &path);       // the dataset is loaded and checked
    void progressed(const QString &stage, qint64 done, qint64 total);
    void failed(const QString &message);
    void newExperimentRequested();
    void openRequested();

private:
    void showReport();
    void showTargetHistogram();
    void showProblems();
    void setBusy(bool busy);

    QLabel *m_title, *m_summary;
    QProgressBar *m_progress;
    QPushButton *m_cancel, *m_openButton, *m_newButton;
    QComboBox *m_taskChoice; // what the labels are read as: as they suggest, or a task the user chose
    QCustomPlot *m_chart;
    QTreeWidget *m_problems;
    SampleBrowser *m_browser;
    BackgroundTask *m_task;
    QString m_path;
    std::shared_ptr<Dataset> m_dataset;
    nlohmann::json m_report;
};

} // namespace gui
} // namespace fuselab
