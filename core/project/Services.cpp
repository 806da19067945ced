// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/project/Services.h"

#include "core/document/Templates.h"
#include "core/model/BlockCatalogue.h"
#include "core/model/FusionModel.h"
#include "core/train/Launch.h"
#include "core/train/Trainer.h"

#ifdef FUSELAB_WITH_INGEST
#include "core/cache/TensorCacheBuilder.h"
#include "core/data/DatasetLoader.h"
#include "core/inspect/DatasetInspector.h"
#endif

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace fuselab {

bool canReadRawData()
{
#ifdef FUSELAB_WITH_INGEST
    return true;
#else
    return false;
#endif
}

#ifdef FUSELAB_WITH_INGEST
Experiment newExperiment(const std::string &templateName, const Dataset &d, const std::string &datasetPath, const LoadOptions &lo,
                         const std::string &experimentDir, std::vector<Message> *choices)
{
    if (d.samples.empty())
        throw Error(Message(FL_TR("Services", "%1: no samples found"), datasetPath));
    DatasetSummary s;
    std::error_code ec;
    const fs::path rel = fs::relative(fs::absolute(datasetPath), fs::absolute(experimentDir), ec);
    // Relative when the data sits beside or below the experiment (the pair moves together),
    // absolute otherwise.
    const bool beside = !ec && !rel.empty() && rel.begin()->string() != "..";
    s.path = beside ? rel.string() : fs::absolute(datasetPath).lexically_normal().string();
    s.classes = d.classes;
    s.multiLabel = d.multiLabel;
    s.task = d.task;
    s.modalities = d.columns;
    s.labelColumn = lo.reader.labelColumn;
    for (auto &[col, type] : lo.reader.columnTypes)
        s.columnTypes[col] = columnTypeName(type);
    s.split = {lo.split.train, lo.split.val, lo.split.test};
    s.splitSeed = lo.split.seed;
    for (const Sample &sample : d.samples) {
        s.trainSamples += sample.split == Split::Train;
        if (d.task == Task::Sequence && sample.split == Split::Train)
            s.trainTargets.push_back(sample.targetText);
    }
    const int col = d.columnIndex(Modality::Image);
    if (col >= 0) {
        const ImageColumnLayout layout = probeImageColumn(d, col, 0, 500); // a sample of the headers suffices here
        s.imageChannels = layout.channels;
        s.imageWidth = layout.medianWidth;
        s.imageHeight = layout.medianHeight;
    }
    Experiment e = makeExperiment(templateName, s, choices);
    const GraphAnalysis check = analyseGraph(e.graph, inferContext(e, experimentDir), builtinBlocks());
    if (!check.ok()) {
        std::string list;
        for (auto &p : check.problems)
            list += "\n  " + p.toString();
        throw Error(Message(FL_TR("Services", "template %1 gave an invalid graph for this dataset:%2"), templateName, list));
    }
    return e;
}

Dataset openDataset(const std::string &path, const LoadOptions &options, ProgressObserver *observer)
{
    return loadDataset(path, options, observer);
}

nlohmann::json healthReport(const Dataset &dataset, int threads, ProgressObserver *observer)
{
    InspectOptions o;
    o.threads = threads;
    return inspectDataset(dataset, o, observer);
}
#endif

#ifdef FUSELAB_WITH_INGEST
LoadOptions experimentLoadOptions(const Experiment &e)
{
    LoadOptions lo;
    lo.reader.labelColumn = e.dataset.labelColumn;
    lo.reader.task = e.dataset.effectiveTask(); // as the experiment was made for (a manifest's labels read as that task)
    for (auto &[col, kind] : e.dataset.columnTypes)
        lo.reader.columnTypes[col] = columnTypeFromName(kind).value_or(ColumnType::Ignore); // validated on load
    lo.split = {e.dataset.splitSeed, e.dataset.split[0], e.dataset.split[1], e.dataset.split[2]};
    return lo;
}
#endif

PreparedCache prepareCache(const Experiment &e, const std::string &experimentDir, const CacheRequest &request, ProgressObserver *observer)
{
#ifdef FUSELAB_WITH_INGEST
    const LoadOptions lo = experimentLoadOptions(e);
    const fs::path dataPath = fs::path(e.dataset.path).is_absolute() ? fs::path(e.dataset.path) : fs::path(experimentDir) / e.dataset.path;
    const Dataset d = loadDataset(dataPath.string(), lo, observer);
    CacheBuildOptions co;
    co.cacheRoot = request.cacheRoot;
    co.threads = request.threads;
    PreprocessSettings settings = e.preprocessing;
    // A WordPiece vocabulary named relative to the experiment file.
    if (!settings.text.vocabFile.empty() && fs::path(settings.text.vocabFile).is_relative())
        settings.text.vocabFile = (fs::path(experimentDir) / settings.text.vocabFile).lexically_normal().string();
    const CacheBuildResult r = buildTensorCache(d, settings, co, observer);
    PreparedCache out;
    out.dir = r.dir;
    out.reused = r.reused;
    out.samples = d.samples.size();
    out.issues = d.issues;
    out.issues.insert(out.issues.end(), r.issues.begin(), r.issues.end());
    return out;
#else
    (void)e, (void)experimentDir, (void)request, (void)observer;
    throw Error(Message(FL_TR("Services", "this build cannot read raw data (it was built for a server, without image, audio and text "
                                          "decoding): prepare the tensor cache on a full build and train from it")));
#endif
}

RunRecord ensureRunCache(const RunFolder &run, ProgressObserver *observer, const CacheRequest &request)
{
    const RunRecord record = run.readRecord();
    if (record.cache.empty())
        throw Error(Message(FL_TR("Services", "%1 names no tensor cache"), run.recordFile()));
    if (fs::exists(fs::path(record.cache) / "meta.json"))
        return record;
    const Experiment e = run.readExperiment();
    CacheRequest r = request;
    if (r.cacheRoot.empty())
        r.cacheRoot = fs::path(record.cache).parent_path().string();
    const PreparedCache rebuilt = prepareCache(e, record.experimentDir, r, observer);
    if (fs::path(rebuilt.dir).lexically_normal() != fs::path(record.cache).lexically_normal())
        throw Error(Message(FL_TR("Services", "the dataset %1 has changed since this run was trained (it now gives the tensor cache %2 "
                                              "instead of %3); evaluating, predicting or resuming needs the data the run was trained on"),
                            e.dataset.path, rebuilt.dir, record.cache));
    return record;
}

std::string newRunDir(const std::string &experimentFile)
{
    const fs::path file = fs::absolute(experimentFile);
    std::string stem = file.filename().string();
    for (const char *suffix : {".fuselab.json", ".json"})
        if (stem.size() > std::strlen(suffix) && stem.compare(stem.size() - std::strlen(suffix), std::string::npos, suffix) == 0) {
            stem.resize(stem.size() - std::strlen(suffix));
            break;
        }
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char when[32];
    std::strftime(when, sizeof when, "%Y%m%d-%H%M%S", &local);
    const fs::path base = file.parent_path() / "runs" / (stem + "-" + when);
    fs::path dir = base;
    for (int k = 2; fs::exists(dir); ++k)
        dir = base.string() + "~" + std::to_string(k);
    return dir.string();
}

std::vector<RunSummary> runHistory(const std::string &experimentFile)
{
    const fs::path home = fs::absolute(experimentFile).parent_path();
    std::vector<RunSummary> runs;
    auto add = [&runs](const fs::path &root, const std::string &prefix) {
        try {
            for (RunSummary r : RunFolder::list(root.string())) {
                r.name = prefix + fs::path(r.dir).filename().string();
                runs.push_back(std::move(r));
            }
        } catch (const std::exception &) {
            // no runs yet, or an unreadable folder: nothing from it
        }
    };
    add(home / "runs", "");
    std::error_code ec;
    std::vector<std::string> lessons;
    for (fs::directory_iterator it(home / "lessons", ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec))
            lessons.push_back(it->path().filename().string());
    std::sort(lessons.begin(), lessons.end());
    for (const std::string &lesson : lessons)
        add(home / "lessons" / lesson / "runs", lesson + "/");
    std::stable_sort(runs.begin(), runs.end(), [](const RunSummary &a, const RunSummary &b) { return a.created > b.created; });
    return runs;
}

TrainingReport trainExperiment(const TrainRequest &request, TrainingObserver *observer)
{
    Experiment e = Experiment::load(request.experimentFile);
    RunRecord record;
    if (request.epochs) {
        e.training.epochs = *request.epochs;
        record.overrides["epochs"] = *request.epochs;
        e.training.warmupEpochs = std::min(e.training.warmupEpochs, e.training.epochs);
    }
    if (request.seed) {
        e.training.seed = *request.seed;
        record.overrides["seed"] = *request.seed;
    }
    if (request.device) {
        e.training.device = *request.device;
        record.overrides["device"] = *request.device;
    }
    Trainer::resolveDevice(e.training.device); // an unusable device is refused before any work
    std::string runDir = request.runDir;
    if (runDir.empty()) { // named once: by rank 0 when distributed
        const bool distributed = request.comm && request.comm->size() > 1;
        if (!distributed || request.comm->rank() == 0)
            runDir = newRunDir(request.experimentFile);
        if (distributed)
            runDir = request.comm->broadcastText(runDir, 0);
    }
    const RunFolder run(runDir);
    if (request.comm && request.comm->size() > 1 && request.comm->rank() != 0) {
        // Another rank: rank 0 prepares the cache and the run folder; then the same cache is found.
        if (!request.comm->agree(true))
            throw Error(Message(FL_TR("Services", "rank 0 could not prepare the run (see its output)")));
        TrainerOptions o;
        o.runDir = runDir;
        o.experimentDir = fs::absolute(request.experimentFile).parent_path().string();
        o.announcePreparing = false;
        o.initWeights = request.initWeights.empty() ? std::string() : fs::absolute(request.initWeights).string();
        o.cacheDir = request.cache.empty() ? prepareCache(e, o.experimentDir, request.cacheRequest, observer).dir : request.cache;
        o.comm = request.comm;
        return Trainer(e, o).run(observer);
    }
    // Distributed: the others wait for rank 0's preparation, and hear if it failed.
    struct Agreement {
        Communicator *comm;
        bool done = false;
        void ok()
        {
            done = true;
            if (comm && comm->size() > 1)
                comm->agree(true);
        }
        ~Agreement()
        {
            if (!done && comm && comm->size() > 1) {
                try {
                    comm->agree(false);
                } catch (...) {
                }
            }
        }
    } agreement{request.comm.get()};
    if (run.isRun() || fs::exists(run.checkpointDir()))
        throw Error(Message(FL_TR("Services", "%1 already holds a run; choose another folder, or resume that run"), runDir));
    TrainerOptions o;
    o.runDir = runDir;
    o.experimentDir = fs::absolute(request.experimentFile).parent_path().string();
    if (observer)
        observer->phaseChanged(TrainingPhase::PreparingData);
    o.announcePreparing = false;
    if (!request.initWeights.empty()) {
        o.initWeights = fs::absolute(request.initWeights).string();
        record.overrides["init_weights"] = o.initWeights;
    }
    if (request.cache.empty()) {
        PreparedCache prepared = prepareCache(e, o.experimentDir, request.cacheRequest, observer);
        o.cacheDir = prepared.dir;
        o.dataIssues = std::move(prepared.issues);
    } else {
        o.cacheDir = request.cache;
    }
    record.cache = fs::absolute(o.cacheDir).string();
    record.experimentDir = o.experimentDir;
    record.created = utcTimestamp();
    run.writeRecord(record);
    const RunFolder::Lock lock = run.lock();
    o.comm = request.comm;
    agreement.ok(); // the cache and the run folder are ready for the other ranks
    return Trainer(e, o).run(observer);
}

TrainingReport resumeRun(const ResumeRequest &request, TrainingObserver *observer)
{
    const RunFolder run(request.runDir);
    if (!fs::exists(run.experimentFile()))
        throw Error(Message(FL_TR("Services", "%1 is not a run folder (it has no experiment.fuselab.json)"), request.runDir));
    const bool first = !request.comm || request.comm->rank() == 0; // distributed: rank 0 locks and repairs the cache first
    std::optional<RunFolder::Lock> lock;
    if (first)
        lock.emplace(run.lock());
    if (observer)
        observer->phaseChanged(TrainingPhase::PreparingData);
    // The experiment as used: its epochs, seed and the rest are the run's own.
    const Experiment e = run.readExperiment();
    if (!first && !request.comm->agree(true))
        throw Error(Message(FL_TR("Services", "rank 0 could not prepare the run (see its output)")));
    RunRecord record;
    try {
        record = request.cache.empty() ? ensureRunCache(run, observer) : run.readRecord();
    } catch (...) {
        if (first && request.comm && request.comm->size() > 1)
            request.comm->agree(false);
        throw;
    }
    if (first && request.comm && request.comm->size() > 1)
        request.comm->agree(true);
    TrainerOptions o;
    o.runDir = request.runDir;
    o.resume = true;
    o.experimentDir = record.experimentDir;
    o.cacheDir = request.cache.empty() ? record.cache : request.cache;
    o.device = request.device;
    o.announcePreparing = false;
    o.comm = request.comm;
    if (o.device)
        Trainer::resolveDevice(*o.device);
    return Trainer(e, o).run(observer);
}

EvaluationMetrics evaluateRun(const std::string &runDir, Split split, const std::string &device, ProgressObserver *observer)
{
    const RunFolder run(runDir);
    const Experiment e = run.readExperiment();
    if (!fs::exists(run.bestCheckpoint()))
        throw Error(Message(FL_TR("Services", "%1 has no best checkpoint yet: the run has not finished an epoch"), runDir));
    const RunRecord record = ensureRunCache(run, observer);
    return evaluateCheckpoint(e, record.experimentDir, record.cache, run.bestCheckpoint(), split, device, observer);
}

std::map<std::string, std::int64_t> parameterCounts(const Experiment &e, const std::string &experimentDir)
{
    std::map<std::string, std::int64_t> out;
    try {
        const FusionModel model(e.graph, inferContext(e, experimentDir)); // throws Error for a graph that does not validate
        for (auto &n : e.graph.nodes)
            out[n.id] = model->parameterCount(n.id);
    } catch (const std::exception &) {
        out.clear(); // a graph with problems, or a block that cannot be built (a missing TorchScript file): no counts
    }
    return out;
}

std::vector<RunSummary> listRuns(const std::string &root) { return RunFolder::list(root); }

std::vector<std::string> trainingDevices() { return Trainer::availableDevices(); }

bool deviceUsable(const std::string &device, Message *why)
{
    try {
        Trainer::resolveDevice(device);
        return true;
    } catch (const Error &e) {
        if (why)
            *why = messageOf(e);
        return false;
    }
}

bool isDeviceFailure(const std::string &device, const std::string &errorText)
{
    if (device.rfind("cuda", 0) != 0)
        return false;
    for (const char *sign : {"CUDA", "cuda", "out of memory", "CUBLAS", "cuDNN", "NCCL", "device-side assert"})
        if (errorText.find(sign) != std::string::npos)
            return true;
    return false;
}

} // namespace fuselab
