// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"
#include "core/train/TrainingObserver.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace fuselab {

class EventFileWriter;

// The run folder's logs (docs/formats.md), each an observer of the same typed events the
// GUI hears: the trainer adds them, on the rank that writes the run folder, ahead of its
// caller's observer. None of them changes what a run does; each only writes its file.

// events.jsonl: one JSON object per line, with the time it happened.
class EventLog final : public TrainingObserver {
public:
    explicit EventLog(std::string file) : m_file(std::move(file)) {}
    // Facts no typed event carries: "resumed", "imbalance", "init_weights", "ranks_agree".
    void note(nlohmann::json event);

    void runStarted(const RunPlan &plan) override;
    void epochEnded(const EpochResult &r) override;
    void earlyStopped(int epoch, const std::string &reason) override;
    void finished(const TrainingReport &report) override;
    void failed(const std::string &message) override;

private:
    std::string m_file;
};

// metrics.csv: one row per validated epoch.
class MetricsTable final : public TrainingObserver {
public:
    // Regression: four more columns, val_mae, val_rmse, val_pearson, val_r2; sequences five,
    // val_bleu, val_chrf, val_exact_match, val_wer, val_cer.
    explicit MetricsTable(std::string file, Task task = Task::Classification)
        : m_file(std::move(file)), m_regression(task == Task::Regression), m_sequence(task == Task::Sequence)
    {
    }
    std::string header() const;
    // A resumed run keeps the rows of the epochs its checkpoint finished (a kill may have
    // left a later, partial epoch's row); `lastRow`, the checkpoint's copy of epoch
    // `epoch`'s row, is appended when the table lacks it (a kill between checkpoint and log).
    void keepEpochsUpTo(int epoch, const std::string &lastRow = {}) const;
    // One epoch's row, as epochEnded() appends it.
    std::string row(const EpochResult &r) const;
    void createIfMissing() const;

    void epochEnded(const EpochResult &r) override;

private:
    std::string m_file;
    bool m_regression, m_sequence;
};

// TensorBoard's event file: the settings as hyper-parameters, batch and epoch curves, the
// validation confusion matrix as an image (single-label, up to 100 classes, when built
// with ingestion), and the test metrics at the best epoch.
class TensorBoardLog final : public TrainingObserver {
public:
    // `settings`: the experiment's name and training settings, flattened as hyper-parameters.
    TensorBoardLog(std::string dir, nlohmann::json settings);
    ~TensorBoardLog() override;

    void runStarted(const RunPlan &plan) override;
    void batchEnded(const BatchEvent &b) override;
    void epochEnded(const EpochResult &r) override;
    void finished(const TrainingReport &report) override;

private:
    std::string m_dir;
    nlohmann::json m_settings;
    std::unique_ptr<EventFileWriter> m_writer; // opened when the run starts
    std::int64_t m_stepsPerEpoch = 0;
    std::vector<std::string> m_classes;
};

// report.json: the final report, written atomically.
class ReportFile final : public TrainingObserver {
public:
    explicit ReportFile(std::string file) : m_file(std::move(file)) {}
    void finished(const TrainingReport &report) override;

private:
    std::string m_file;
};

// Hands each event to every sink in order, then to the caller's observer, which alone
// answers isCancelled/isPaused and hears progress.
class ObserverChain final : public TrainingObserver {
public:
    explicit ObserverChain(TrainingObserver &control) : m_control(control) {}
    void add(TrainingObserver *sink) { m_sinks.push_back(sink); }

    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override { m_control.onProgress(stage, done, total); }
    bool isCancelled() const override { return m_control.isCancelled(); }
    bool isPaused() const override { return m_control.isPaused(); }
    void runStarted(const RunPlan &p) override { each([&](TrainingObserver &o) { o.runStarted(p); }); }
    void phaseChanged(TrainingPhase p) override { each([&](TrainingObserver &o) { o.phaseChanged(p); }); }
    void batchEnded(const BatchEvent &b) override { each([&](TrainingObserver &o) { o.batchEnded(b); }); }
    void epochEnded(const EpochResult &r) override { each([&](TrainingObserver &o) { o.epochEnded(r); }); }
    void checkpointSaved(const CheckpointEvent &c) override { each([&](TrainingObserver &o) { o.checkpointSaved(c); }); }
    void earlyStopped(int epoch, const std::string &reason) override { each([&](TrainingObserver &o) { o.earlyStopped(epoch, reason); }); }
    void finished(const TrainingReport &r) override { each([&](TrainingObserver &o) { o.finished(r); }); }
    void failed(const std::string &message) override;

private:
    template <typename F>
    void each(F f)
    {
        for (TrainingObserver *s : m_sinks)
            f(*s);
        f(m_control);
    }
    TrainingObserver &m_control;
    std::vector<TrainingObserver *> m_sinks;
};

} // namespace fuselab
