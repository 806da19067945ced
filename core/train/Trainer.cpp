// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Trainer.h"

#include "core/util/ArchiveCheck.h"

#include "core/train/Distributed.h"
#include "core/model/Checkpoint.h"
#include "core/train/MixedPrecision.h"
#include "core/train/RunLogs.h"
#include "core/train/TrainingCheckpoint.h"

#include "core/formats/Safetensors.h"
#ifdef FUSELAB_WITH_INGEST
#endif

#include "core/cache/TensorCache.h"
#include "core/document/RunFolder.h"
#include "core/train/BestEpochTracker.h"
#include "core/train/ClassBalance.h"
#include "core/train/LearningRateSchedule.h"
#include "core/train/TrainingSteps.h"
#include "core/model/FusionModel.h"
#include "core/model/ModalityDropout.h"
#include "core/util/FileIO.h"
#include "core/util/Random.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <random>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace fuselab {

namespace {

// Independent, reproducible streams from (seed, purpose, epoch, step).
std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0)
{
    std::uint64_t x = seed ^ 0x9E3779B97F4A7C15ull;
    for (std::uint64_t v : {a, b, c}) {
        x ^= v + 0x9E3779B97F4A7C15ull + (x << 6) + (x >> 2);
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 29;
    }
    return x;
}

// Loads batches on a background thread so the model does not wait on memory copies and
// augmentation in steady state.
class BatchPrefetcher {
public:
    // `first`: the index of batches[0] in its epoch (a resumed epoch skips the batches it
    // had trained), which seeds its augmentation.
    // `pin`: batches in page-locked memory, for asynchronous copies to a GPU.
    BatchPrefetcher(const TensorCache &cache, std::vector<std::vector<std::int64_t>> batches, const AugmentSettings *augment,
                    std::uint64_t seed, std::size_t first = 0, std::size_t depth = 3, bool pin = false)
        : m_cache(cache), m_batches(std::move(batches)), m_augment(augment), m_seed(seed), m_first(first), m_depth(depth), m_pin(pin),
          m_thread([this] { produce(); })
    {
    }
    ~BatchPrefetcher()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_quit = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    // Next batch, or nullopt at the end; rethrows a loader failure.
    std::optional<CacheBatch> next()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [&] { return !m_ready.empty() || m_done || m_error; });
        if (m_error)
            std::rethrow_exception(m_error);
        if (m_ready.empty())
            return std::nullopt;
        CacheBatch b = std::move(m_ready.front());
        m_ready.pop_front();
        m_cv.notify_all();
        return b;
    }

private:
    void produce()
    {
        try {
            for (std::size_t i = 0; i < m_batches.size(); ++i) {
                CacheBatch b = m_cache.batch(m_batches[i], m_augment, mix(m_seed, 7, m_first + i));
                if (m_pin) {
                    for (auto &x : b.inputs)
                        x = x.pin_memory();
                    b.present = b.present.pin_memory();
                    b.labels = b.labels.pin_memory();
                }
                std::unique_lock<std::mutex> lock(m_mutex);
                m_cv.wait(lock, [&] { return m_ready.size() < m_depth || m_quit; });
                if (m_quit)
                    return;
                m_ready.push_back(std::move(b));
                m_cv.notify_all();
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_error = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        m_done = true;
        m_cv.notify_all();
    }

    const TensorCache &m_cache;
    std::vector<std::vector<std::int64_t>> m_batches;
    const AugmentSettings *m_augment;
    std::uint64_t m_seed;
    std::size_t m_first;
    std::size_t m_depth;
    bool m_pin;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<CacheBatch> m_ready;
    bool m_done = false, m_quit = false;
    std::exception_ptr m_error;
    std::thread m_thread;
};

std::vector<std::vector<std::int64_t>> chunk(const std::vector<std::int64_t> &rows, std::int64_t size)
{
    std::vector<std::vector<std::int64_t>> out;
    for (std::size_t i = 0; i < rows.size(); i += static_cast<std::size_t>(size))
        out.emplace_back(rows.begin() + static_cast<std::ptrdiff_t>(i),
                         rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), i + static_cast<std::size_t>(size))));
    return out;
}

// Holds the run between batches while the observer pauses it (telling it the phase), and
// throws Cancelled when it stops it.
class PhaseControl {
public:
    explicit PhaseControl(TrainingObserver &obs) : m_obs(obs) {}
    void enter(TrainingPhase p)
    {
        if (p == m_phase)
            return;
        m_phase = p;
        m_obs.phaseChanged(p);
    }
    TrainingPhase phase() const { return m_phase; }
    // Between two batches.
    void between()
    {
        if (m_obs.isPaused() && !m_obs.isCancelled()) {
            const TrainingPhase was = m_phase;
            enter(TrainingPhase::Paused);
            while (m_obs.isPaused() && !m_obs.isCancelled())
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            enter(was);
        }
        if (m_obs.isCancelled())
            throw Cancelled();
    }

private:
    TrainingObserver &m_obs;
    TrainingPhase m_phase = TrainingPhase::Paused; // none yet: the first enter() always reports
};

struct Evaluation {
    double loss = 0;
    EvaluationMetrics metrics;
    std::vector<SamplePrediction> predictions; // single-label only
};

// To the device; from pinned host memory (the prefetcher's, for CUDA) without waiting.
void moveBatch(CacheBatch &b, const torch::Device &device)
{
    const bool async = device.is_cuda();
    for (auto &x : b.inputs)
        x = x.to(device, async);
    b.present = b.present.to(device, async);
    b.labels = b.labels.to(device, async);
}

// The model's logits [n, C] (float, CPU) and labels on some rows, in their order; `between`
// runs before each batch (pause and stop).
// `drop`: a modality column to mark missing in every batch (its mask 0, its tensor zeros,
// as a sample without it arrives), or -1.
std::pair<torch::Tensor, torch::Tensor> modelOutputs(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows,
                                                     std::int64_t batchSize, const torch::Device &device,
                                                     const std::function<void(std::int64_t, std::int64_t)> &between, int drop = -1)
{
    const auto C = static_cast<std::int64_t>(cache.classes().size());
    const bool multi = cache.multiLabel();
    torch::NoGradGuard noGrad;
    model->eval();
    std::vector<torch::Tensor> logits, labels;
    auto batches = chunk(rows, batchSize);
    const auto batchCount = static_cast<std::int64_t>(batches.size());
    BatchPrefetcher loader(cache, std::move(batches), nullptr, 0);
    std::int64_t done = 0;
    while (true) {
        if (between)
            between(done, batchCount);
        auto b = loader.next();
        if (!b)
            break;
        if (drop >= 0) {
            b->present = b->present.clone();
            b->present.select(1, drop).zero_();
            b->inputs[static_cast<std::size_t>(drop)] = torch::zeros_like(b->inputs[static_cast<std::size_t>(drop)]);
        }
        moveBatch(*b, device);
        logits.push_back(model->forward(b->inputs, b->present).logits.to(torch::kCPU).to(torch::kFloat));
        labels.push_back(b->labels.to(torch::kCPU));
        ++done;
    }
    if (logits.empty())
        return {torch::zeros({0, C}), multi ? torch::zeros({0, C}) : torch::zeros({0}, torch::kLong)};
    return {torch::cat(logits).contiguous(), torch::cat(labels).contiguous()};
}

// Metrics, loss and per-sample predictions from the logits of `rows` (in their order).
Evaluation evaluationOf(const torch::Tensor &logits, const torch::Tensor &labels, const std::vector<std::int64_t> &rows, std::int64_t C, bool multi)
{
    Evaluation ev;
    ClassificationAccumulator single(C, {std::min<int>(5, static_cast<int>(C))});
    MultiLabelAccumulator multiAcc(C);
    const std::int64_t n = logits.size(0);
    if (n > 0) {
        ev.loss = taskLoss(logits, labels, multi, {}, true).item<double>() / double(n);
        if (multi) {
            multiAcc.addLogits(logits.data_ptr<float>(), labels.data_ptr<float>(), n);
        } else {
            single.addScores(logits.data_ptr<float>(), labels.data_ptr<std::int64_t>(), n);
            const std::int64_t k = std::min<std::int64_t>(3, logits.size(1));
            const auto [topP, topC] = torch::softmax(logits, 1).topk(k, 1);
            const torch::Tensor probs = topP.contiguous(), classes = topC.contiguous();
            const auto *c = probs.data_ptr<float>();
            const auto *p = classes.data_ptr<std::int64_t>();
            const auto *l = labels.data_ptr<std::int64_t>();
            for (std::int64_t i = 0; i < n; ++i) {
                SamplePrediction sp{rows[static_cast<std::size_t>(i)], static_cast<int>(l[i]), static_cast<int>(p[i * k]), c[i * k]};
                for (std::int64_t j = 0; j < k; ++j) {
                    sp.top[static_cast<std::size_t>(j)] = static_cast<int>(p[i * k + j]);
                    sp.topProbability[static_cast<std::size_t>(j)] = c[i * k + j];
                }
                ev.predictions.push_back(sp);
            }
        }
    }
    ev.metrics = multi ? EvaluationMetrics::of(multiAcc.compute()) : EvaluationMetrics::of(single.compute());
    return ev;
}

// Metrics (and per-sample predictions) of the model on some rows. Distributed: each rank
// computes its share (shardRows) and the logits are gathered, so every rank gets the
// metrics of all the rows, as one process would (no stop or pause in between: a rank
// alone must not leave a collective).
Evaluation evaluateRows(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows, std::int64_t batchSize,
                        const torch::Device &device, const std::function<void(std::int64_t, std::int64_t)> &between,
                        Communicator *comm = nullptr)
{
    const auto C = static_cast<std::int64_t>(cache.classes().size());
    const bool multi = cache.multiLabel();
    if (!comm || rows.empty()) {
        const auto [logits, labels] = modelOutputs(model, cache, rows, batchSize, device, between);
        return evaluationOf(logits, labels, rows, C, multi);
    }
    const auto [logits, labels] = modelOutputs(model, cache, shardRows(rows, comm->rank(), comm->size()), batchSize, device, nullptr);
    const auto n = static_cast<std::int64_t>(rows.size());
    const torch::Tensor all = unshard(comm->allGather(logits.to(device)).to(torch::kCPU), n);
    const torch::Tensor allLabels = unshard(comm->allGather(labels.to(device)).to(torch::kCPU), n);
    return evaluationOf(all.contiguous(), allLabels.contiguous(), rows, C, multi);
}

// A tensor cache made from the experiment's dataset: the same classes in the same order,
// and the same task. Throws Error naming both sides.
void checkCacheMatches(const TensorCache &cache, const Experiment &e)
{
    if (cache.classes() != e.dataset.classes) {
        auto list = [](const std::vector<std::string> &v) {
            std::string out;
            for (std::size_t i = 0; i < v.size() && i < 12; ++i)
                out += (i ? ", " : "") + v[i];
            return out + (v.size() > 12 ? ", ..." : "");
        };
        throw Error(Message(FL_TR("Trainer", "the dataset's classes (%1: %2) are not the experiment's (%3: %4); the data changed since the "
                                             "experiment was made: make the experiment again for this dataset, or edit its class list"),
                            std::to_string(cache.classes().size()), list(cache.classes()), std::to_string(e.dataset.classes.size()),
                            list(e.dataset.classes)));
    }
    if (cache.multiLabel() != e.dataset.multiLabel)
        throw Error(cache.multiLabel()
                        ? Message(FL_TR("Trainer", "the tensor cache holds a multi-label dataset but the experiment is made for a "
                                                   "single-label one; make the experiment again for this dataset"))
                        : Message(FL_TR("Trainer", "the tensor cache holds a single-label dataset but the experiment is made for a "
                                                   "multi-label one; make the experiment again for this dataset")));
}

// Sets LibTorch's intra-op thread count for a run and puts the caller's back afterwards.
class ThreadCountGuard {
public:
    explicit ThreadCountGuard(int threads) : m_saved(torch::get_num_threads())
    {
        if (threads != m_saved)
            torch::set_num_threads(threads);
    }
    ~ThreadCountGuard()
    {
        if (torch::get_num_threads() != m_saved)
            torch::set_num_threads(m_saved);
    }

private:
    int m_saved;
};

// Where a run stands, as a checkpoint stores it. `epoch` counts finished (trained and
// validated) epochs; `nextStep` batches of the following epoch are done already (0 at an
// epoch's end; steps-per-epoch when only its validation is missing).
} // namespace

std::string Trainer::rankDevice(const LaunchInfo &launch, const std::string &requested)
{
    std::string device = resolveDevice(requested);
    if (device.rfind("cuda", 0) == 0) {
        const int gpus = static_cast<int>(availableDevices().size()) - 1;
        device = "cuda:" + std::to_string(gpus > 0 ? launch.localRank % gpus : 0);
    }
    return device;
}

EvaluationMetrics evaluateCheckpoint(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheDir,
                                     const std::string &checkpoint, Split split, const std::string &device, ProgressObserver *observer)
{
    const torch::Device dev(Trainer::resolveDevice(device));
    const TensorCache cache = TensorCache::open(cacheDir);
    checkCacheMatches(cache, experiment);
    FusionModel model = loadTrainedModel(experiment, experimentDir, checkpoint, dev);
    const char *stage = split == Split::Val ? "validating" : "testing";
    return evaluateRows(model, cache, cache.rows(split), std::max(1, experiment.training.batchSize), dev,
                        [&](std::int64_t done, std::int64_t total) {
                            if (observer) {
                                observer->onProgress(stage, done, total);
                                observer->checkpoint();
                            }
                        })
        .metrics;
}

std::vector<ModalityContribution> modalityContributions(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheDir,
                                                        const std::string &checkpoint, Split split, const std::string &device,
                                                        ProgressObserver *observer)
{
    const torch::Device dev(Trainer::resolveDevice(device));
    const TensorCache cache = TensorCache::open(cacheDir);
    checkCacheMatches(cache, experiment);
    FusionModel model = loadTrainedModel(experiment, experimentDir, checkpoint, dev);
    const std::vector<std::int64_t> rows = cache.rows(split);
    const auto C = static_cast<std::int64_t>(cache.classes().size());
    std::set<int> read; // the columns the graph reads: removing another changes nothing
    for (const auto &s : model->steps())
        if (s.column >= 0)
            read.insert(s.column);
    std::vector<ModalityContribution> out;
    const auto columns = static_cast<int>(cache.columns().size());
    std::int64_t done = 0;
    for (int drop = -1; drop < columns; ++drop) {
        if (drop >= 0 && !read.count(drop))
            continue;
        const auto [logits, labels] = modelOutputs(model, cache, rows, std::max(1, experiment.training.batchSize), dev,
                                                   [&](std::int64_t, std::int64_t) {
                                                       if (observer) {
                                                           observer->onProgress("contributions", done, static_cast<std::int64_t>(read.size()) + 1);
                                                           observer->checkpoint();
                                                       }
                                                   },
                                                   drop);
        ++done;
        ModalityContribution c;
        c.removed = drop < 0 ? std::string() : cache.columns()[static_cast<std::size_t>(drop)].name;
        c.metrics = evaluationOf(logits, labels, rows, C, cache.multiLabel()).metrics;
        out.push_back(std::move(c));
    }
    return out;
}

std::string Trainer::resolveDevice(const std::string &requested)
{
    if (requested == "cpu")
        return "cpu";
    const bool cuda = torch::cuda::is_available();
    if (requested == "cuda" || requested.rfind("cuda:", 0) == 0) {
        if (!isDeviceName(requested))
            throw Error(Message(FL_TR("Trainer", "device must be auto, cpu, cuda or cuda:N, not \"%1\""), requested));
        if (!cuda)
            throw Error(Message(FL_TR("Trainer", "device \"%1\" was requested, but this LibTorch build has no CUDA support or no GPU "
                                                 "is visible; choose the CPU or auto"),
                                requested));
        if (requested.size() > 5 && std::stoi(requested.substr(5)) >= static_cast<int>(torch::cuda::device_count()))
            throw Error(Message(FL_TR("Trainer", "device \"%1\" was requested, but this machine has %2 GPU(s)"), requested,
                                std::to_string(torch::cuda::device_count())));
        return requested;
    }
    if (requested != "auto")
        throw Error(Message(FL_TR("Trainer", "device must be auto, cpu, cuda or cuda:N, not \"%1\""), requested));
    return cuda ? "cuda" : "cpu";
}

std::vector<std::string> Trainer::availableDevices()
{
    std::vector<std::string> devices = {"cpu"};
    if (torch::cuda::is_available())
        for (std::size_t i = 0; i < torch::cuda::device_count(); ++i)
            devices.push_back("cuda:" + std::to_string(i));
    return devices;
}

Trainer::Trainer(Experiment experiment, TrainerOptions options) : m_experiment(std::move(experiment)), m_options(std::move(options)) {}

TrainingReport Trainer::run(TrainingObserver *observer)
{
    TrainingObserver silent;
    ObserverChain obs(observer ? *observer : silent);
    const auto runStart = Clock::now();
    const RunFolder folder(m_options.runDir);
    const fs::path checkpoints(folder.checkpointDir());
    // Distributed: every rank trains on its share; rank 0 alone writes the run folder.
    Communicator *comm = m_options.comm.get(); // a group of one (FUSELAB_DISTRIBUTED=1) runs the collectives too
    const int rank = comm ? comm->rank() : 0, world = comm ? comm->size() : 1;
    const bool writer = rank == 0;
    // The run folder's logs hear the same events as the caller, on the rank that writes it.
    EventLog events(folder.eventsFile());
    MetricsTable metrics(folder.metricsFile());
    TensorBoardLog board(folder.dir(), {{"training", m_experiment.training.toJson()}, {"experiment", m_experiment.name}});
    ReportFile reportFile(folder.reportFile());
    if (writer)
        for (TrainingObserver *sink : std::initializer_list<TrainingObserver *>{&events, &metrics, &board, &reportFile})
            obs.add(sink);
    auto event = [&](nlohmann::json e) { // a fact no typed event carries
        if (writer)
            events.note(std::move(e));
    };
    PhaseControl phase(obs);
    try {
        const TrainingSettings &t = m_experiment.training;
        const torch::Device device(resolveDevice(m_options.device.value_or(t.device)));
        // All cores by default; the ranks on one machine share them (torchrun's LOCAL_WORLD_SIZE).
        int ranksHere = 1;
        if (comm) {
            const char *local = std::getenv("LOCAL_WORLD_SIZE");
            ranksHere = local && std::atoi(local) > 0 ? std::atoi(local) : world;
        }
        const ThreadCountGuard threads(t.threads > 0 ? t.threads
                                                     : std::max(1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) / ranksHere));
        if (m_options.announcePreparing)
            phase.enter(TrainingPhase::PreparingData);

        if (writer)
            fs::create_directories(checkpoints);
        if (!m_options.resume && writer) {
            // A fresh run: the experiment as used, an empty log, no stale checkpoints.
            fs::remove(folder.bestCheckpoint());
            fs::remove(folder.lastCheckpoint());
            writeFileAtomically(folder.experimentFile(), m_experiment.toJson().dump(2) + "\n");
            fs::remove(folder.eventsFile());
            fs::remove(folder.metricsFile());
            fs::remove(folder.reportFile());
        }

        const TensorCache cache = TensorCache::open(m_options.cacheDir);
        checkCacheMatches(cache, m_experiment);
        std::vector<std::int64_t> trainRows = cache.rows(Split::Train);
        const std::vector<std::int64_t> valRows = cache.rows(Split::Val), testRows = cache.rows(Split::Test);
        if (!m_experiment.dataset.rareClass.empty()) { // the imbalance lesson: one class made rare in training only
            const auto &cs = cache.classes();
            const auto it = std::find(cs.begin(), cs.end(), m_experiment.dataset.rareClass);
            if (it == cs.end() || cache.multiLabel())
                throw Error(Message(FL_TR("Trainer", "dataset.imbalance: \"%1\" is not a class of this single-label dataset"),
                                    m_experiment.dataset.rareClass));
            std::vector<int> labels;
            for (const std::int64_t r : trainRows)
                labels.push_back(static_cast<int>(cache.label(r)));
            const std::size_t before = trainRows.size();
            trainRows = rareClassRows(trainRows, labels, static_cast<int>(it - cs.begin()), m_experiment.dataset.rareRatio,
                                      m_experiment.dataset.splitSeed);
            std::size_t rareKept = 0;
            for (const std::int64_t r : trainRows)
                rareKept += cache.label(r) == it - cs.begin();
            event({{"event", "imbalance"}, {"class", m_experiment.dataset.rareClass}, {"ratio", m_experiment.dataset.rareRatio},
                   {"train_samples_before", before}, {"train_samples", trainRows.size()}, {"rare_train_samples", rareKept}});
        }
        if (trainRows.empty())
            throw Error(Message(FL_TR("Trainer", "the dataset has no training samples")));
        const auto C = static_cast<int>(cache.classes().size());
        const bool multi = cache.multiLabel(); // = the experiment's, and the model's (its head is checked against it)

        torch::manual_seed(t.seed);
        FusionModel model(m_experiment.graph, inferContext(m_experiment, m_options.experimentDir));
        if (!m_options.initWeights.empty() && !m_options.resume) {
            model->loadInferenceState(readSafetensors(m_options.initWeights).tensors, m_options.initWeights);
            event({{"event", "init_weights"}, {"file", m_options.initWeights}});
        }
        model->to(device);
        model->setChannelsLast(device.is_cpu()); // before the optimizer sees the parameters
        const auto optimizer = makeOptimizer(t, model->parameters());
        const std::vector<torch::Tensor> parameters = model->parameters();
        // Mixed precision: autocast on CUDA; float16 with the gradient scaler (bfloat16 needs none).
        const torch::ScalarType amp = device.is_cuda() ? mixedPrecisionType(t.mixedPrecision) : torch::kFloat;
        GradScaler::Options scalerOptions;
        scalerOptions.enabled = amp == torch::kHalf;
        GradScaler scaler(scalerOptions);

        std::vector<std::vector<int>> classesOf;
        classesOf.reserve(trainRows.size());
        for (auto r : trainRows) {
            std::vector<int> cs;
            if (!multi)
                cs.push_back(static_cast<int>(cache.label(r)));
            else
                for (int c = 0; c < C; ++c)
                    if (cache.hasClass(r, c))
                        cs.push_back(c);
            classesOf.push_back(std::move(cs));
        }
        const ClassBalance balance(std::move(classesOf), C, multi);
        torch::Tensor classWeights;
        if (t.classWeights)
            classWeights = torch::tensor(balance.classWeights()).to(device);

        const std::int64_t batchSize = t.batchSize; // per rank, as in PyTorch
        const auto perRank = (static_cast<std::int64_t>(trainRows.size()) + world - 1) / world;
        const std::int64_t stepsPerEpoch = (perRank + batchSize - 1) / batchSize;
        const LearningRateSchedule schedule(t, stepsPerEpoch);
        // Without validation samples, val metrics mean nothing: the best epoch is the one
        // with the lowest training loss, and patience watches that.
        const bool haveVal = !valRows.empty();
        BestEpochTracker tracker(haveVal ? t.earlyStopMetric : "train_loss", t.patience);

        RunPosition at;
        std::optional<torch::Tensor> rngState; // the generator's state at a mid-epoch checkpoint
        auto saveCheckpoint = [&](const std::string &path, const RunPosition &p, bool withRng) {
            if (!writer)
                return;
            TrainingState state;
            state.at = p;
            state.worldSize = world;
            state.gradScale = scaler.scaleValue();
            state.gradScaleGoodSteps = scaler.goodSteps();
            state.tracker = tracker.state();
            state.experiment = m_experiment.toJson().dump();
            if (withRng) {
                at::Generator gen = at::globalContext().defaultGenerator(device);
                std::lock_guard<std::mutex> lock(gen.mutex());
                state.rngState = gen.get_state();
            }
            saveTrainingCheckpoint(path, *model, *optimizer, state);
        };
        // The weights of a checkpoint (and with an optimizer, its state too), and where it was.
        auto loadWeights = [&](const std::string &path, torch::optim::Optimizer *withOptimizer = nullptr) {
            torch::serialize::InputArchive archive = loadCheckpoint(*model, path, device);
            model->setChannelsLast(device.is_cpu());
            return readTrainingState(archive, withOptimizer);
        };

        if (m_options.resume) {
            if (!fs::exists(folder.lastCheckpoint()))
                throw Error(Message(FL_TR("Trainer", "%1 has no checkpoint yet: there is nothing to resume (start the run again instead)"),
                                    folder.dir()));
            const TrainingState saved = loadWeights(folder.lastCheckpoint(), optimizer.get());
            at = saved.at;
            tracker.restore(saved.tracker);
            if (saved.gradScale)
                scaler.restore(*saved.gradScale, saved.gradScaleGoodSteps);
            // Saved at another world size: the same point of the epoch, as near as this run's
            // batches allow (samples per step differ).
            if (saved.worldSize != world && at.nextStep > 0) {
                const std::int64_t savedPerRank = (static_cast<std::int64_t>(trainRows.size()) + saved.worldSize - 1) / saved.worldSize;
                const std::int64_t savedSteps = (savedPerRank + batchSize - 1) / batchSize;
                at.nextStep = at.nextStep >= savedSteps ? stepsPerEpoch // trained, not yet validated
                                                        : std::min(stepsPerEpoch, at.nextStep * saved.worldSize / world);
            }
            rngState = saved.rngState;
            if (writer) {
                metrics.keepEpochsUpTo(at.epoch); // the rows of finished epochs only (a kill may have left a partial epoch's)
                fs::remove(folder.reportFile()); // the run goes on: an earlier stop's report no longer holds
            }
            event({{"event", "resumed"}, {"epoch", at.epoch + 1}, {"step", at.nextStep}});
        }
        if (comm) // the same starting weights on every rank
            broadcastModule(*comm, *model);
        if (writer)
            metrics.createIfMissing();

        RunPlan plan;
        plan.runDir = folder.dir();
        plan.device = device.str();
        plan.threads = torch::get_num_threads();
        plan.epochs = t.epochs;
        plan.stepsPerEpoch = stepsPerEpoch;
        plan.batchSize = t.batchSize;
        plan.trainSamples = static_cast<std::int64_t>(trainRows.size());
        plan.valSamples = static_cast<std::int64_t>(valRows.size());
        plan.testSamples = static_cast<std::int64_t>(testRows.size());
        plan.classes = cache.classes();
        plan.multiLabel = multi;
        plan.parameters = model->parameterCount();
        plan.seed = t.seed;
        plan.startEpoch = at.epoch + 1;
        plan.startStep = at.nextStep;
        plan.resumed = m_options.resume;
        plan.selectionMetric = tracker.metric();
        if (!haveVal)
            plan.notice = Message(FL_TR("Trainer", "the dataset has no validation samples: the best epoch is the one with the lowest "
                                                   "training loss%1"),
                                  t.patience > 0 ? Message(FL_TR("Trainer", ", and early stopping watches the training loss")).str() : "")
                              .str();
        if (!device.is_cuda() && t.mixedPrecision != "off") {
            const std::string amp = Message(FL_TR("Trainer", "mixed precision (%1) applies to CUDA training: on the CPU this run trains in float32"),
                                            t.mixedPrecision)
                                        .str();
            plan.notice = plan.notice.empty() ? amp : plan.notice + "; " + amp;
        }
        plan.worldSize = world;
        plan.mixedPrecision = amp == torch::kHalf ? "float16" : amp == torch::kBFloat16 ? "bfloat16" : "off";
        obs.runStarted(plan);
        bool stopped = false;
        std::string earlyStop;
        int bestInMemory = 0; // the epoch whose weights are in memory, when it is the best
        Evaluation bestVal;
        auto stopHere = [&](const RunPosition &p) {
            // A checkpoint of exactly where the run is; resuming continues from it.
            saveCheckpoint(folder.lastCheckpoint(), p, p.nextStep > 0 && p.nextStep < stepsPerEpoch);
            obs.checkpointSaved({folder.lastCheckpoint(), p.epoch + (p.nextStep > 0 ? 1 : 0), p.nextStep, false});
            stopped = true;
        };

        for (int epoch = at.epoch + 1; epoch <= t.epochs && !stopped; ++epoch) {
            const auto epochStart = Clock::now();
            const std::int64_t firstStep = epoch == at.epoch + 1 ? at.nextStep : 0;
            double lossSum = firstStep > 0 ? at.partialLoss : 0;
            std::int64_t seen = firstStep > 0 ? at.partialSeen : 0;
            if (firstStep > 0 && rngState) {
                at::Generator gen = at::globalContext().defaultGenerator(device);
                std::lock_guard<std::mutex> lock(gen.mutex());
                gen.set_state(*rngState);
            } else {
                torch::manual_seed(mix(t.seed, 1, static_cast<std::uint64_t>(epoch)));
            }
            // This epoch's batch order: a shuffle, or class-balanced draws with replacement.
            std::mt19937_64 order(mix(t.seed, 2, static_cast<std::uint64_t>(epoch)));
            std::vector<std::int64_t> rows = trainRows;
            if (t.weightedSampler) {
                const auto drawn = balance.draw(order);
                for (std::size_t i = 0; i < rows.size(); ++i)
                    rows[i] = trainRows[drawn[i]];
            } else {
                for (std::size_t i = rows.size(); i > 1; --i)
                    std::swap(rows[i - 1], rows[uniformBelow(order, i)]);
            }
            if (comm)
                rows = shardRows(rows, rank, world);
            auto batches = chunk(rows, batchSize);
            batches.erase(batches.begin(), batches.begin() + static_cast<std::ptrdiff_t>(std::min<std::int64_t>(firstStep, stepsPerEpoch)));

            std::int64_t step = firstStep;
            if (step < stepsPerEpoch) {
                phase.enter(TrainingPhase::Training);
                model->train();
                BatchPrefetcher loader(cache, std::move(batches), m_experiment.augmentation.any() ? &m_experiment.augmentation : nullptr,
                                       mix(t.seed, 3, static_cast<std::uint64_t>(epoch)), static_cast<std::size_t>(firstStep), 3, device.is_cuda());
                auto windowStart = Clock::now();
                std::int64_t windowSamples = 0;
                bool stopWanted = false;
                // The loss is read back each step on the CPU (free there, and a NaN stops before
                // its step); on a GPU only at the log points, so the host never waits per step.
                const bool readEachStep = !device.is_cuda();
                torch::Tensor pendingLoss, pendingFinite;
                std::int64_t pendingSeen = 0, pendingFrom = -1;
                auto flushLoss = [&](int ep, std::int64_t upTo) {
                    if (!pendingLoss.defined())
                        return;
                    bool ok = pendingFinite.item<bool>();
                    const double sum = pendingLoss.item<double>();
                    if (comm) { // every rank flushes at the same steps: they stop together when any loss went bad
                        torch::Tensor bad = torch::full({1}, ok ? 0.0f : 1.0f).to(device);
                        comm->allReduceSum(bad);
                        ok = bad.to(torch::kCPU).item<float>() == 0;
                    }
                    if (!ok) {
                        const bool nan = std::isnan(sum);
                        if (pendingFrom == upTo)
                            throw Error(Message(FL_TR("Trainer", "the loss became %1 at epoch %2, step %3; training stopped (the last good "
                                                                 "checkpoint is kept). Try a lower learning rate or gradient clipping"),
                                                nan ? "NaN" : "infinite", std::to_string(ep), std::to_string(upTo)));
                        throw Error(Message(FL_TR("Trainer", "the loss became NaN or infinite between steps %1 and %2 of epoch %3; training "
                                                             "stopped (the last good checkpoint is kept). Try a lower learning rate or "
                                                             "gradient clipping"),
                                            std::to_string(pendingFrom), std::to_string(upTo), std::to_string(ep)));
                    }
                    lossSum += sum;
                    seen += pendingSeen;
                    pendingLoss = pendingFinite = torch::Tensor();
                    pendingSeen = 0;
                    pendingFrom = -1;
                };
                while (true) {
                    try {
                        phase.between();
                    } catch (const Cancelled &) {
                        if (!comm) {
                            flushLoss(epoch, step);
                            stopHere({epoch - 1, step, lossSum, seen});
                            break;
                        }
                        stopWanted = true; // this step still runs: the ranks agree to stop after it
                    }
                    auto b = loader.next();
                    if (!b)
                        break;
                    const double lr = schedule.at(epoch, step);
                    for (auto &group : optimizer->param_groups())
                        group.options().set_lr(lr);
                    if (t.modalityDropout > 0)
                        dropModalities(b->inputs, b->present, t.modalityDropout,
                                       mix(t.seed, 4, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(step)));
                    moveBatch(*b, device);
                    torch::Tensor task, loss;
                    {
                        const AutocastGuard autocast(device, amp); // the forward pass only, as PyTorch's recipe
                        const auto out = model->forward(b->inputs, b->present);
                        task = taskLoss(out.logits.to(torch::kFloat), b->labels, multi, classWeights);
                        loss = task + out.auxLoss;
                        for (const auto &aux : out.auxLogits)
                            loss = loss + aux.weight * maskedTaskLoss(aux.logits.to(torch::kFloat), b->labels, aux.mask, multi, classWeights);
                    }
                    // The curve shows the task loss (comparable with validation's); NaN in any part stops.
                    const std::int64_t n = b->labels.size(0);
                    const torch::Tensor weighted = task.detach().to(torch::kDouble) * double(n);
                    const torch::Tensor finite = torch::isfinite(loss.detach());
                    pendingLoss = pendingLoss.defined() ? pendingLoss + weighted : weighted;
                    pendingFinite = pendingFinite.defined() ? torch::logical_and(pendingFinite, finite) : finite;
                    pendingSeen += n;
                    if (pendingFrom < 0)
                        pendingFrom = step + 1;
                    const bool logNow = (step + 1) % m_options.logEvery == 0 || step + 1 == stepsPerEpoch;
                    if (readEachStep)
                        flushLoss(epoch, step + 1); // before the step: a NaN step changes nothing
                    optimizer->zero_grad();
                    scaler.scale(loss).backward();
                    if (comm)
                        allReduceGradients(*comm, parameters, stopWanted);
                    scaler.unscale(parameters);
                    if (t.gradClip > 0)
                        torch::nn::utils::clip_grad_norm_(model->parameters(), t.gradClip);
                    scaler.step(*optimizer); // skipped when float16 gradients overflowed (the scale backs off)
                    windowSamples += n;
                    ++step;
                    if (logNow) {
                        flushLoss(epoch, step);
                        const double lossValue = task.item<double>();
                        const double secs = std::chrono::duration<double>(Clock::now() - windowStart).count();
                        obs.batchEnded({epoch, step, stepsPerEpoch, lossValue, lr, secs > 0 ? double(windowSamples) / secs : 0});
                        windowStart = Clock::now();
                        windowSamples = 0;
                    }
                    if (comm && stopWanted) {
                        flushLoss(epoch, step);
                        stopHere({epoch - 1, step, lossSum, seen});
                        break;
                    }
                }
            }
            if (stopped)
                break;
            const double trainSeconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
            double epochLoss = lossSum, epochSeen = double(seen), epochNew = double(seen - (firstStep > 0 ? at.partialSeen : 0));
            if (comm) { // every rank's share; and rank 0's weights and statistics everywhere before evaluating
                torch::Tensor sums = torch::tensor({epochLoss, epochSeen, epochNew}, torch::kDouble).to(device);
                comm->allReduceSum(sums);
                sums = sums.to(torch::kCPU);
                epochLoss = sums[0].item<double>(), epochSeen = sums[1].item<double>(), epochNew = sums[2].item<double>();
                broadcastModule(*comm, *model, /*parameters=*/false); // the weights agree already (the same averaged steps)
            }
            EpochResult r;
            r.epoch = epoch;
            r.trainLoss = epochSeen > 0 ? epochLoss / epochSeen : 0;
            r.learningRate = schedule.at(epoch, 0);
            r.hasValidation = haveVal;
            Evaluation val;
            if (haveVal) {
                phase.enter(TrainingPhase::Validating);
                try {
                    val = evaluateRows(model, cache, valRows, batchSize, device, [&](std::int64_t, std::int64_t) { phase.between(); }, comm);
                } catch (const Cancelled &) {
                    stopHere({epoch - 1, stepsPerEpoch, lossSum, seen}); // trained, not validated: resuming validates
                    break;
                }
            }
            r.valLoss = val.loss;
            r.val = val.metrics;
            r.valPredictions = std::move(val.predictions);
            r.seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
            r.samplesPerSecond = trainSeconds > 0 ? epochNew / trainSeconds : 0;
            const std::string &metric = tracker.metric();
            const double score = metric == "train_loss" ? r.trainLoss
                               : metric == "val_loss"   ? val.loss
                               : metric == "val_macro_f1" ? val.metrics.macroF1
                                                          : val.metrics.accuracy;
            r.best = tracker.offer(epoch, score, haveVal ? val.loss : r.trainLoss);
            bestInMemory = r.best ? epoch : 0;
            if (r.best)
                bestVal = val;
            // Checkpoints first, then the logs: a kill in between is repaired on resume.
            const RunPosition done{epoch, 0, 0, 0};
            if (r.best) {
                saveCheckpoint(folder.bestCheckpoint(), done, false);
                obs.checkpointSaved({folder.bestCheckpoint(), epoch, stepsPerEpoch, true});
            }
            saveCheckpoint(folder.lastCheckpoint(), done, false);
            obs.checkpointSaved({folder.lastCheckpoint(), epoch, stepsPerEpoch, false});
            if (comm) // the others read rank 0's checkpoints (resume, the final evaluation): written before they go on
                comm->barrier();
            at = done;
            obs.epochEnded(r);
            if (tracker.exhausted()) {
                earlyStop = Message(FL_TR("Trainer", "no improvement of %1 for %2 epochs"), metric, std::to_string(t.patience)).str();
                obs.earlyStopped(epoch, earlyStop);
                break;
            }
        }

        if (comm) { // the ranks took the same averaged steps: their weights must be the same
            const double disagreement = parameterDisagreement(*comm, *model);
            event({{"event", "ranks_agree"}, {"world_size", world}, {"max_difference", disagreement}});
        }
        TrainingReport report;
        report.runDir = folder.dir();
        report.epochsCompleted = at.epoch;
        report.stopped = stopped;
        report.earlyStopReason = earlyStop;
        report.selectionMetric = tracker.metric();
        report.classes = cache.classes();
        report.bestEpoch = tracker.state().bestEpoch;
        if (bestInMemory > 0 && haveVal)
            report.val = bestVal.metrics;
        // The final evaluation of the best weights; a stop skips it (eval does it later).
        // Each sample's prediction goes beside the report, for the confusion matrices'
        // galleries.
        std::vector<SamplePrediction> valPredictions = bestInMemory > 0 ? bestVal.predictions : std::vector<SamplePrediction>{}, testPredictions;
        if (!stopped && fs::exists(folder.bestCheckpoint())) {
            phase.enter(TrainingPhase::Testing);
            auto between = [&](std::int64_t, std::int64_t) { phase.between(); };
            try {
                if (bestInMemory == 0) {
                    report.bestEpoch = loadWeights(folder.bestCheckpoint()).at.epoch;
                    if (haveVal) {
                        Evaluation ev = evaluateRows(model, cache, valRows, batchSize, device, between, comm);
                        report.val = ev.metrics;
                        valPredictions = std::move(ev.predictions);
                    }
                }
                if (!testRows.empty()) {
                    Evaluation ev = evaluateRows(model, cache, testRows, batchSize, device, between, comm);
                    report.test = ev.metrics;
                    testPredictions = std::move(ev.predictions);
                }
            } catch (const Cancelled &) {
                report.stopped = true; // everything is checkpointed already; only the test metrics are missing
            }
        }
        if (!report.val)
            valPredictions.clear();
        if (writer) {
            folder.writePredictions("val", valPredictions);
            folder.writePredictions("test", testPredictions);
        }
        report.seconds = std::chrono::duration<double>(Clock::now() - runStart).count();
        obs.finished(report); // report.json, the TensorBoard test metrics, events.jsonl, then the caller
        return report;
    } catch (const std::exception &e) {
        const std::string message = e.what();
        obs.failed(message); // events.jsonl (if it can be written), then the caller
        if (dynamic_cast<const Error *>(&e))
            throw;
        throw Error(Message(FL_TR("Trainer", "training failed: %1"), message));
    }
}

} // namespace fuselab
