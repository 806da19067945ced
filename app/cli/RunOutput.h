// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the commands that train or evaluate print: progress of a run (and a lesson), a
// metrics table; and Ctrl+C / SIGTERM as a request to stop after the current batch.
#include "app/cli/ProgressBar.h"
#include "core/project/Lesson.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace fuselab::cli {

// SIGINT and SIGTERM ask the run to stop: it saves a checkpoint of where it is (at most one
// batch is lost) and `train --resume` continues it.
void stopOnSignals();

// Prints the cache build's progress, a bar per epoch (redrawn on a terminal) and a summary
// line per epoch; isCancelled() once a stop signal came.
class TrainProgress final : public LessonObserver {
public:
    explicit TrainProgress(bool quiet);
    void lessonRun(int index, int count, const LessonRun &run) override;
    bool isCancelled() const override;
    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override { m_bar.onProgress(stage, done, total); }
    void runStarted(const RunPlan &p) override;
    void batchEnded(const BatchEvent &b) override;
    void epochEnded(const EpochResult &r) override;
    void earlyStopped(int epoch, const std::string &reason) override;
    void failed(const std::string &) override { m_failed = true; }
    bool runFailed() const { return m_failed; }

private:
    bool m_quiet, m_tty;
    bool m_failed = false;
    ProgressBar m_bar;
};

// A split's metrics (EvaluationMetrics::toJson) as a per-class table and the confusion matrix.
void printReport(const nlohmann::json &metrics, const std::vector<std::string> &classes, const char *title);

} // namespace fuselab::cli
