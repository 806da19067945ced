// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cmath>
#include "core/document/Experiment.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fuselab {

enum class RunStatus {
    Running,     // a live process holds the run's lock
    Finished,    // trained to its last epoch or stopped early by patience
    Stopped,     // stopped by the user; its last checkpoint resumes it
    Failed,      // ended with an error (events.jsonl says which)
    Interrupted, // its process is gone without finishing (killed, crashed, power cut)
};
const char *runStatusName(RunStatus status); // "running", "finished", ...

// run.json: what a run was trained from, besides the experiment as used.
struct RunRecord {
    std::string cache;          // the tensor cache it trains from (absolute)
    std::string experimentDir;  // where the experiment's relative paths resolve
    std::string created;        // UTC, ISO 8601
    // What the front end changed for this run, e.g. {"epochs": 3, "seed": 3}: the
    // experiment as used already has them applied; this says which were not the file's.
    nlohmann::json overrides = nlohmann::json::object();
};

// One line of the run history.
struct RunSummary {
    std::string dir;
    std::string name;           // for a history list: the folder's name, "<lesson>/<run>" for a lesson's run
    std::string experimentName;
    RunStatus status = RunStatus::Interrupted;
    std::string created;
    int epochsCompleted = 0, epochs = 0, bestEpoch = 0;
    // The run's headline figure on test and on validation at the best epoch, by its task:
    // "accuracy" (a share; subset accuracy for multi-label), "bleu" (0 to 100, a text), "r2"
    // (a number). Higher is better for each.
    std::string score = "accuracy";
    std::optional<double> testScore, bestValScore, testMacroF1;
    std::optional<double> seconds; // the whole run's training time, once it has a report
    std::string device;            // where it last trained ("cpu", "cuda:0"), from events.jsonl
};

// One sample's prediction, for the confusion-matrix gallery (single-label runs): each
// epoch's validation split (EpochResult), and the best checkpoint's val and test splits
// (the run folder's predictions-val.jsonl, predictions-test.jsonl).
struct SamplePrediction {
    std::int64_t row = 0;           // the tensor cache's row (its sample)
    int label = 0;                  // true class
    int predicted = 0;
    float confidence = 0;           // the predicted class's probability
    std::array<int, 3> top{{-1, -1, -1}};   // the three most likely classes (-1 past the class count)
    std::array<float, 3> topProbability{};  // and their probabilities
};

// One decoded sample of a text-producing run.
struct SampleText {
    std::int64_t row = 0;
    std::string reference, hypothesis;
};

// One row of a run's metrics.csv (one validated epoch); NaN where the run has no value.
struct EpochRow {
    int epoch = 0;
    double trainLoss = 0, valLoss = 0, valAccuracy = 0, valMacroF1 = 0, learningRate = 0, seconds = 0;
    double samplesPerSecond = 0; // training only
    double valRmse = NAN, valR2 = NAN, valPearson = NAN; // regression runs (NaN otherwise)
    double valBleu = NAN, valChrf = NAN, valExactMatch = NAN, valWer = NAN, valCer = NAN; // sequence runs (NaN otherwise)
};

// A run folder's layout, in one place (docs/formats.md):
//   experiment.fuselab.json   the experiment as used, overrides applied (so a resume continues the same run)
//   run.json                  RunRecord
//   run.lock                  while a process trains: its pid and host
//   metrics.csv, events.jsonl the per-epoch table and the event log
//   checkpoints/last.pt, best.pt
//   report.json               the final report
//   predictions-val.jsonl, predictions-test.jsonl
//                             the best checkpoint's prediction for each sample (single-label)
class RunFolder {
public:
    explicit RunFolder(std::string dir);

    const std::string &dir() const { return m_dir; }
    std::string experimentFile() const;
    std::string recordFile() const;
    std::string lockFile() const;
    std::string metricsFile() const;
    std::string eventsFile() const;
    std::string checkpointDir() const;
    std::string lastCheckpoint() const;
    std::string bestCheckpoint() const;
    std::string reportFile() const;
    std::string predictionsFile(const std::string &split) const; // split: "val" or "test"

    bool isRun() const;                 // holds a run.json
    bool hasBestCheckpoint() const;     // a model to predict with, explain or export
    bool hasLastCheckpoint() const;     // something to resume
    RunRecord readRecord() const;       // Error when missing or corrupt, naming the file
    void writeRecord(const RunRecord &record) const; // atomic
    Experiment readExperiment() const;  // the experiment as used
    std::optional<nlohmann::json> readReport() const;
    // One JSON object per line: {"row", "label", "predicted", "top": [[class, probability], ...]}.
    // Written atomically; an empty list removes the file (a run stopped before its test).
    void writePredictions(const std::string &split, const std::vector<SamplePrediction> &predictions) const;
    // nullopt when the file is missing; Error naming the file and line when it is corrupt.
    std::optional<std::vector<SamplePrediction>> readPredictions(const std::string &split) const;
    // A text-producing run's decoded samples of the best checkpoint (texts-val.jsonl,
    // texts-test.jsonl): the cache row, the reference and the hypothesis. Empty: the file is
    // removed. nullopt when the file is absent; lines that are not such a sample are skipped.
    std::string textsFile(const std::string &split) const;
    void writeTexts(const std::string &split, const std::vector<SampleText> &texts) const;
    std::optional<std::vector<SampleText>> readTexts(const std::string &split) const;
    RunStatus status() const;
    RunSummary summary() const;
    // metrics.csv, by its header's column names; rows it cannot read are left out.
    std::vector<EpochRow> readMetrics() const;

    // The runs in `root`'s sub-folders, newest first (by run.json's creation time).
    static std::vector<RunSummary> list(const std::string &root);

    // Held by the process that trains in the folder, released when it ends (even by an
    // exception); a process that dies leaves it behind, and the run reads as interrupted.
    class Lock {
    public:
        Lock() = default;
        explicit Lock(std::string file) : m_file(std::move(file)) {}
        Lock(Lock &&o) noexcept : m_file(std::move(o.m_file)) { o.m_file.clear(); }
        Lock &operator=(Lock &&o) noexcept;
        Lock(const Lock &) = delete;
        Lock &operator=(const Lock &) = delete;
        ~Lock() { release(); }
        void release();

    private:
        std::string m_file;
    };
    // Throws Error when a live process already trains in this folder.
    Lock lock() const;

private:
    std::string m_dir;
};

// A JSON object read from a file; nullopt when it is missing, unreadable or not an object.
std::optional<nlohmann::json> readJsonObject(const std::string &file);

// The current time as run.json writes it.
std::string utcTimestamp();

} // namespace fuselab
