// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The services both front ends call (fuselab-cli and the app): each takes one progress-and-
// control object, reports in the user's terms and leaves presentation to the caller.
#include "core/data/Dataset.h"
#include "core/document/Experiment.h"
#include "core/document/RunFolder.h"
#include "core/train/TrainingObserver.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fuselab {

class Communicator;

struct LoadOptions;

// Whether this build reads raw files (images, audio, text); a headless GPU-server build
// trains from tensor caches prepared elsewhere.
bool canReadRawData();

#ifdef FUSELAB_WITH_INGEST
// A ready experiment for a dataset from a template (fuselab-cli new, the app's New): the
// dataset's path is written relative to `experimentDir` when the data sits beside or below
// it, absolute otherwise. Training is sized to the training split (trainingBudget);
// `choices` receives why, in words. Throws Error when the template does not fit the dataset.
Experiment newExperiment(const std::string &templateName, const Dataset &dataset, const std::string &datasetPath,
                         const LoadOptions &options, const std::string &experimentDir, std::vector<Message> *choices = nullptr);

// Opens a dataset (manifest, class folders or IDX files) with progress and cancel.
Dataset openDataset(const std::string &path, const LoadOptions &options, ProgressObserver *observer = nullptr);
// How an experiment reads its dataset (label column, task, column types, split): training,
// and a front end showing the experiment's data, read the same rows.
LoadOptions experimentLoadOptions(const Experiment &experiment);
// The health check (docs/formats.md, inspect's report).
nlohmann::json healthReport(const Dataset &dataset, int threads = 0, ProgressObserver *observer = nullptr);
#endif

struct CacheRequest {
    std::string cacheRoot; // "" = the default root
    int threads = 0;       // 0 = every logical core
};

struct PreparedCache {
    std::string dir;
    bool reused = false;
    std::size_t samples = 0;
    std::vector<DataIssue> issues; // rows and files skipped, the dataset's and the cache build's
};

// Reads the experiment's dataset and builds (or reuses) its tensor cache. Throws Error in a
// build that cannot read raw data, and Cancelled when the observer cancels.
PreparedCache prepareCache(const Experiment &experiment, const std::string &experimentDir, const CacheRequest &request = {},
                           ProgressObserver *observer = nullptr);

// The run's record, with its tensor cache present: caches are disposable, and a deleted
// one is rebuilt from the experiment's dataset (the same data and settings give the same
// cache). Throws Error when the data changed since the run.
RunRecord ensureRunCache(const RunFolder &run, ProgressObserver *observer = nullptr, const CacheRequest &request = {});

// A new run of an experiment file.
struct TrainRequest {
    std::string experimentFile;
    std::string runDir;                 // "" = newRunDir(experimentFile) (distributed: rank 0's)
    std::optional<int> epochs;          // overrides, recorded in the run folder
    std::optional<std::uint64_t> seed;
    std::optional<std::string> device;
    std::string cache;                  // train from this tensor cache instead of preparing one
    CacheRequest cacheRequest;
    std::string initWeights;            // start from these weights (safetensors, FuseLab names) instead of random ones
    // A distributed launch's process group (joinProcessGroup): rank 0 prepares the cache and
    // the run folder, the others wait for it, then all train (Trainer.h). Null: one process.
    std::shared_ptr<Communicator> comm;
};
// A new run's folder: runs/<experiment name>-<local date>-<time> beside the experiment
// file ("demo-20261207-101500"), "~2", "~3"... appended while that exists. The one rule
// for naming runs: the GUI and the CLI both call it.
std::string newRunDir(const std::string &experimentFile);
// Refuses a folder that already holds a run. The observer hears phaseChanged(PreparingData)
// and the cache build's progress first, then the trainer's events.
TrainingReport trainExperiment(const TrainRequest &request, TrainingObserver *observer = nullptr);

// Continues a stopped or interrupted run exactly where its last checkpoint left it, with
// the settings it started with. Only the device may change (say, to the CPU after a GPU
// failure); `cache` overrides the run's own cache.
struct ResumeRequest {
    std::string runDir;
    std::optional<std::string> device;
    std::string cache;
    std::shared_ptr<Communicator> comm; // as TrainRequest's; a run may resume at another world size
};
TrainingReport resumeRun(const ResumeRequest &request, TrainingObserver *observer = nullptr);

// Metrics of a run's best checkpoint on the val or test split.
EvaluationMetrics evaluateRun(const std::string &runDir, Split split, const std::string &device = "auto",
                              ProgressObserver *observer = nullptr);

// Parameters per node of a graph that validates (empty when it does not), for editors.
std::map<std::string, std::int64_t> parameterCounts(const Experiment &experiment, const std::string &experimentDir);

// The run history under a folder (newest first).
std::vector<RunSummary> listRuns(const std::string &root);
// An experiment's run history, the same in the GUI and the CLI: the runs in runs/ beside
// the experiment file and its lessons' runs (lessons/<lesson>/runs), newest first; a
// lesson's run is named "<lesson>/<run>". Unreadable folders are left out.
std::vector<RunSummary> runHistory(const std::string &experimentFile);

// Devices a run can use here: "cpu", then "cuda:N" for each usable GPU.
std::vector<std::string> trainingDevices();
// Whether `device` ("auto", "cpu", "cuda", "cuda:N") can be used now; when not, `why` says so.
bool deviceUsable(const std::string &device, Message *why = nullptr);
// Whether an error from a run on `device` is the GPU's (a CUDA error, out of GPU memory),
// after which the run's last checkpoint can continue on the CPU.
bool isDeviceFailure(const std::string &device, const std::string &errorText);

} // namespace fuselab
