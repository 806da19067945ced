// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Trainer.h"

#include "core/cache/TensorCache.h"
#include "core/model/FusionModel.h"
#include "core/model/ModalityDropout.h"
#include "core/util/FileIO.h"
#include "core/util/Random.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
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
    BatchPrefetcher(const TensorCache &cache, std::vector<std::vector<std::int64_t>> batches, const AugmentSettings *augment,
                    std::uint64_t seed, std::size_t depth = 3)
        : m_cache(cache), m_batches(std::move(batches)), m_augment(augment), m_seed(seed), m_depth(depth),
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
                CacheBatch b = m_cache.batch(m_batches[i], m_augment, mix(m_seed, 7, i));
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
    std::size_t m_depth;
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

void appendLine(const fs::path &file, const std::string &line)
{
    std::ofstream out(file, std::ios::app);
    out << line << '\n';
    out.flush();
    if (!out)
        throw Error("cannot write " + file.string());
}

struct Evaluation {
    double loss = 0;
    EvaluationMetrics metrics;
};

// The task's loss: cross-entropy, or binary cross-entropy with logits per label for
// multi-label data. `sum`: summed over samples (per-label losses still averaged), for
// evaluation.
torch::Tensor taskLoss(const torch::Tensor &logits, const torch::Tensor &labels, bool multiLabel, const torch::Tensor &weights,
                       bool sum = false)
{
    namespace F = torch::nn::functional;
    if (multiLabel) {
        auto o = F::BinaryCrossEntropyWithLogitsFuncOptions();
        if (weights.defined())
            o.pos_weight(weights);
        if (!sum)
            return F::binary_cross_entropy_with_logits(logits, labels, o);
        o.reduction(torch::kSum);
        return F::binary_cross_entropy_with_logits(logits, labels, o) / double(logits.size(1));
    }
    auto o = F::CrossEntropyFuncOptions();
    if (sum)
        o.reduction(torch::kSum);
    if (weights.defined())
        o.weight(weights);
    return F::cross_entropy(logits, labels, o);
}

void moveBatch(CacheBatch &b, const torch::Device &device)
{
    for (auto &x : b.inputs)
        x = x.to(device);
    b.present = b.present.to(device);
    b.labels = b.labels.to(device);
}

Evaluation evaluateRows(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows, std::int64_t batchSize,
                        const torch::Device &device)
{
    const auto C = static_cast<std::int64_t>(cache.classes().size());
    const bool multi = cache.multiLabel();
    Evaluation ev;
    ClassificationAccumulator single(C, {std::min<int>(5, static_cast<int>(C))});
    MultiLabelAccumulator multiAcc(C);
    auto result = [&] { return multi ? EvaluationMetrics::of(multiAcc.compute()) : EvaluationMetrics::of(single.compute()); };
    if (rows.empty()) {
        ev.metrics = result();
        return ev;
    }
    torch::NoGradGuard noGrad;
    model->eval();
    double lossSum = 0;
    BatchPrefetcher loader(cache, chunk(rows, batchSize), nullptr, 0);
    while (auto b = loader.next()) {
        moveBatch(*b, device);
        const auto out = model->forward(b->inputs, b->present);
        lossSum += taskLoss(out.logits, b->labels, multi, {}, true).item<double>();
        const torch::Tensor logits = out.logits.to(torch::kCPU).to(torch::kFloat).contiguous();
        const torch::Tensor labels = b->labels.to(torch::kCPU).contiguous();
        if (multi)
            multiAcc.addLogits(logits.data_ptr<float>(), labels.data_ptr<float>(), logits.size(0));
        else
            single.addScores(logits.data_ptr<float>(), labels.data_ptr<std::int64_t>(), logits.size(0));
    }
    ev.loss = lossSum / double(rows.size());
    ev.metrics = result();
    return ev;
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
        throw Error("the dataset's classes (" + std::to_string(cache.classes().size()) + ": " + list(cache.classes())
                    + ") are not the experiment's (" + std::to_string(e.dataset.classes.size()) + ": " + list(e.dataset.classes)
                    + "); the data changed since the experiment was made: make it again with fuselab-cli new, or edit "
                    + "dataset.classes");
    }
    if (cache.multiLabel() != e.dataset.multiLabel)
        throw Error(std::string("the tensor cache holds a ") + (cache.multiLabel() ? "multi-label" : "single-label")
                    + " dataset but the experiment is made for a " + (cache.multiLabel() ? "single-label" : "multi-label")
                    + " one; make the experiment again (fuselab-cli new) for this dataset");
}

} // namespace

EvaluationMetrics evaluateCheckpoint(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheDir,
                                         const std::string &checkpoint, Split split, const std::string &device)
{
    const torch::Device dev(Trainer::resolveDevice(device));
    const TensorCache cache = TensorCache::open(cacheDir);
    checkCacheMatches(cache, experiment);
    FusionModel model(experiment.graph, inferContext(experiment, experimentDir));
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(checkpoint, dev);
    } catch (const c10::Error &e) {
        throw Error(checkpoint + ": unreadable checkpoint (" + std::string(e.what_without_backtrace()).substr(0, 200) + ")");
    }
    model->load(archive);
    model->to(dev);
    model->setChannelsLast(dev.is_cpu());
    return evaluateRows(model, cache, cache.rows(split), std::max(1, experiment.training.batchSize), dev).metrics;
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

Trainer::Trainer(Experiment experiment, TrainerOptions options) : m_experiment(std::move(experiment)), m_options(std::move(options)) {}

nlohmann::json Trainer::run(TrainingObserver *observer, TrainerControl *control)
{
    TrainingObserver silent;
    TrainingObserver &obs = observer ? *observer : silent;
    const fs::path runDir(m_options.runDir);
    const fs::path checkpoints = runDir / "checkpoints";
    const fs::path eventsFile = runDir / "events.jsonl";
    auto event = [&](nlohmann::json e) {
        e["time"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        appendLine(eventsFile, e.dump());
    };
    try {
        TrainingSettings t = m_experiment.training;
        if (m_options.device)
            t.device = *m_options.device;
        if (m_options.epochs)
            t.epochs = *m_options.epochs;
        if (m_options.seed)
            t.seed = *m_options.seed;
        const torch::Device device(resolveDevice(t.device));
        torch::set_num_threads(t.threads > 0 ? t.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));

        fs::create_directories(checkpoints);
        if (!m_options.resume) {
            // A fresh run: the experiment as used, an empty log, no stale checkpoints.
            fs::remove(checkpoints / "best.pt");
            fs::remove(checkpoints / "last.pt");
            writeFileAtomically((runDir / "experiment.fuselab.json").string(), m_experiment.toJson().dump(2) + "\n");
            fs::remove(eventsFile);
            fs::remove(runDir / "metrics.csv");
        }

        const TensorCache cache = TensorCache::open(m_options.cacheDir);
        checkCacheMatches(cache, m_experiment);
        const std::vector<std::int64_t> trainRows = cache.rows(Split::Train), valRows = cache.rows(Split::Val),
                                        testRows = cache.rows(Split::Test);
        if (trainRows.empty())
            throw Error("the dataset has no training samples");
        const auto C = static_cast<std::int64_t>(cache.classes().size());

        torch::manual_seed(t.seed);
        FusionModel model(m_experiment.graph, inferContext(m_experiment, m_options.experimentDir));
        const bool multi = cache.multiLabel(); // = the experiment's, and the model's (its head is checked against it)
        model->to(device);
        model->setChannelsLast(device.is_cpu()); // before the optimizer sees the parameters

        std::unique_ptr<torch::optim::Optimizer> optimizer;
        if (t.optimizer == "sgd")
            optimizer = std::make_unique<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(t.learningRate)
                                                                                   .momentum(t.momentum)
                                                                                   .nesterov(t.nesterov)
                                                                                   .weight_decay(t.weightDecay));
        else if (t.optimizer == "adamw")
            optimizer = std::make_unique<torch::optim::AdamW>(model->parameters(),
                                                              torch::optim::AdamWOptions(t.learningRate).weight_decay(t.weightDecay));
        else
            optimizer = std::make_unique<torch::optim::Adam>(model->parameters(),
                                                             torch::optim::AdamOptions(t.learningRate).weight_decay(t.weightDecay));

        // How often each class occurs in train (positives per label when multi-label).
        std::vector<std::int64_t> classCount(static_cast<std::size_t>(C), 0);
        std::int64_t unlabelled = 0; // multi-label samples of no class
        for (auto r : trainRows) {
            if (!multi) {
                ++classCount[static_cast<std::size_t>(cache.label(r))];
                continue;
            }
            bool any = false;
            for (std::int64_t c = 0; c < C; ++c)
                if (cache.hasClass(r, c)) {
                    ++classCount[static_cast<std::size_t>(c)];
                    any = true;
                }
            unlabelled += !any;
        }
        // Class weights. Single-label: inverse frequency, normalised to mean 1. Multi-label:
        // each label's positives weighted by negatives / positives (pos_weight).
        torch::Tensor classWeights;
        if (t.classWeights) {
            std::vector<float> w(static_cast<std::size_t>(C));
            double sum = 0;
            for (std::int64_t c = 0; c < C; ++c) {
                const auto n = classCount[static_cast<std::size_t>(c)];
                if (multi)
                    w[static_cast<std::size_t>(c)] = n ? float(double(trainRows.size()) - double(n)) / float(n) : 1.f;
                else
                    w[static_cast<std::size_t>(c)] = n ? float(trainRows.size()) / float(n) : 0.f;
                sum += w[static_cast<std::size_t>(c)];
            }
            if (!multi)
                for (auto &x : w)
                    x = float(x * C / sum);
            classWeights = torch::tensor(w).to(device);
        }
        // Weighted sampler: a sample's weight is 1 / (train count of its class); multi-label:
        // of its rarest class, and 1 / (samples of no class) for those.
        auto samplerWeight = [&](std::int64_t r) {
            if (!multi)
                return 1.0 / double(classCount[static_cast<std::size_t>(cache.label(r))]);
            double w = 0;
            for (std::int64_t c = 0; c < C; ++c)
                if (cache.hasClass(r, c))
                    w = std::max(w, 1.0 / double(classCount[static_cast<std::size_t>(c)]));
            return w > 0 ? w : 1.0 / double(std::max<std::int64_t>(1, unlabelled));
        };
        std::vector<double> cumulativeWeight; // over trainRows, for drawing with replacement
        for (auto r : trainRows)
            if (t.weightedSampler)
                cumulativeWeight.push_back((cumulativeWeight.empty() ? 0.0 : cumulativeWeight.back()) + samplerWeight(r));

        const std::int64_t batchSize = t.batchSize;
        const auto stepsPerEpoch = static_cast<std::int64_t>((trainRows.size() + static_cast<std::size_t>(batchSize) - 1) / static_cast<std::size_t>(batchSize));
        const bool lowerIsBetter = t.earlyStopMetric == "val_loss";
        int startEpoch = 1;
        double best = lowerIsBetter ? INFINITY : -INFINITY;
        double bestLoss = INFINITY; // val loss of the best epoch: breaks ties of the metric
        int sinceBest = 0;

        auto saveCheckpoint = [&](const fs::path &path, int epoch) {
            torch::serialize::OutputArchive archive;
            model->save(archive);
            torch::serialize::OutputArchive opt;
            optimizer->save(opt);
            archive.write("optimizer", opt);
            archive.write("epoch", c10::IValue(static_cast<std::int64_t>(epoch)));
            archive.write("best", c10::IValue(best));
            archive.write("best_loss", c10::IValue(bestLoss));
            archive.write("since_best", c10::IValue(static_cast<std::int64_t>(sinceBest)));
            archive.write("experiment", c10::IValue(m_experiment.toJson().dump()));
            const std::string tmp = path.string() + ".tmp";
            archive.save_to(tmp);
            fs::rename(tmp, path);
        };
        auto loadCheckpoint = [&](const fs::path &path, bool withOptimizer) {
            torch::serialize::InputArchive archive;
            try {
                archive.load_from(path.string(), device);
            } catch (const c10::Error &e) {
                throw Error(path.string() + ": unreadable checkpoint (" + std::string(e.what_without_backtrace()).substr(0, 200) + ")");
            }
            model->load(archive);
            model->setChannelsLast(device.is_cpu());
            c10::IValue v;
            archive.read("epoch", v);
            const int epoch = static_cast<int>(v.toInt());
            if (withOptimizer) {
                torch::serialize::InputArchive opt;
                archive.read("optimizer", opt);
                optimizer->load(opt);
                archive.read("best", v);
                best = v.toDouble();
                if (archive.try_read("best_loss", v))
                    bestLoss = v.toDouble();
                archive.read("since_best", v);
                sinceBest = static_cast<int>(v.toInt());
            }
            return epoch;
        };

        if (m_options.resume) {
            const fs::path last = checkpoints / "last.pt";
            if (!fs::exists(last))
                throw Error(last.string() + " does not exist: nothing to resume (start the run without --resume)");
            startEpoch = loadCheckpoint(last, true) + 1;
            // Keep the log rows of completed epochs only (a kill may have left a partial epoch's).
            const fs::path csv = runDir / "metrics.csv";
            if (fs::exists(csv)) {
                std::ifstream in(csv);
                std::string line, kept;
                while (std::getline(in, line)) {
                    const int e = line.empty() || !std::isdigit(static_cast<unsigned char>(line[0])) ? 0 : std::stoi(line);
                    if (e == 0 || e < startEpoch)
                        kept += line + "\n";
                }
                writeFileAtomically(csv.string(), kept);
            }
            event({{"event", "resumed"}, {"epoch", startEpoch}});
        }
        if (!fs::exists(runDir / "metrics.csv"))
            writeFileAtomically((runDir / "metrics.csv").string(),
                                "epoch,train_loss,val_loss,val_accuracy,val_macro_f1,learning_rate,samples_per_second,seconds\n");

        const nlohmann::json info = {{"event", "run_started"}, {"run_dir", runDir.string()}, {"device", device.str()},
                                     {"train_samples", trainRows.size()}, {"val_samples", valRows.size()},
                                     {"test_samples", testRows.size()}, {"parameters", model->parameterCount()},
                                     {"epochs", t.epochs}, {"start_epoch", startEpoch}, {"seed", t.seed}};
        event(info);
        obs.runStarted(info);

        auto lrAt = [&](int epoch, std::int64_t step) {
            const double progress = (epoch - 1) + double(step) / double(stepsPerEpoch); // epochs done
            double factor = 1.0;
            if (t.warmupEpochs > 0 && progress < t.warmupEpochs)
                factor = (progress + 1.0 / double(stepsPerEpoch)) / t.warmupEpochs;
            if (t.schedule == "step")
                factor *= std::pow(t.gamma, (epoch - 1) / t.stepSize);
            else if (t.schedule == "cosine")
                factor *= 0.5 * (1 + std::cos(M_PI * double(epoch - 1) / double(t.epochs)));
            return t.learningRate * factor;
        };

        auto evaluate = [&](const std::vector<std::int64_t> &rows) { return evaluateRows(model, cache, rows, batchSize, device); };

        int epoch = startEpoch;
        bool stopped = false;
        // The epoch whose weights are in memory when it was the best (0 otherwise): the final
        // report then needs no reload and no second validation pass.
        int bestInMemory = 0;
        Evaluation bestVal;
        for (; epoch <= t.epochs; ++epoch) {
            const auto epochStart = Clock::now();
            torch::manual_seed(mix(t.seed, 1, static_cast<std::uint64_t>(epoch)));
            std::mt19937_64 order(mix(t.seed, 2, static_cast<std::uint64_t>(epoch)));
            std::vector<std::int64_t> rows = trainRows;
            if (t.weightedSampler) {
                // Each class equally likely: draw with replacement, weight 1 / class count.
                const double total = cumulativeWeight.back();
                for (auto &r : rows) {
                    const double u = double(order() >> 11) * 0x1.0p-53 * total;
                    r = trainRows[static_cast<std::size_t>(std::upper_bound(cumulativeWeight.begin(), cumulativeWeight.end(), u)
                                                           - cumulativeWeight.begin())];
                }
            } else {
                for (std::size_t i = rows.size(); i > 1; --i)
                    std::swap(rows[i - 1], rows[uniformBelow(order, i)]);
            }
            model->train();
            BatchPrefetcher loader(cache, chunk(rows, batchSize), m_experiment.augmentation.any() ? &m_experiment.augmentation : nullptr,
                                   mix(t.seed, 3, static_cast<std::uint64_t>(epoch)));
            double lossSum = 0;
            std::int64_t seen = 0, step = 0;
            auto windowStart = Clock::now();
            std::int64_t windowSamples = 0;
            while (auto b = loader.next()) {
                while (control && control->pause && !control->stop)
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (control && control->stop) {
                    stopped = true;
                    break;
                }
                for (auto &group : optimizer->param_groups())
                    group.options().set_lr(lrAt(epoch, step));
                if (t.modalityDropout > 0)
                    dropModalities(b->inputs, b->present, t.modalityDropout, mix(t.seed, 4, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(step)));
                moveBatch(*b, device);
                const auto out = model->forward(b->inputs, b->present);
                const torch::Tensor loss = taskLoss(out.logits, b->labels, multi, classWeights) + out.auxLoss;
                const double lossValue = loss.item<double>();
                if (!std::isfinite(lossValue))
                    throw Error("the loss became " + std::string(std::isnan(lossValue) ? "NaN" : "infinite") + " at epoch "
                                + std::to_string(epoch) + ", step " + std::to_string(step + 1)
                                + "; training stopped (the last good checkpoint is kept). Try a lower learning rate or grad_clip");
                optimizer->zero_grad();
                loss.backward();
                if (t.gradClip > 0)
                    torch::nn::utils::clip_grad_norm_(model->parameters(), t.gradClip);
                optimizer->step();
                const std::int64_t n = b->labels.size(0);
                lossSum += lossValue * double(n);
                seen += n;
                windowSamples += n;
                ++step;
                if (step % m_options.logEvery == 0 || step == stepsPerEpoch) {
                    const double secs = std::chrono::duration<double>(Clock::now() - windowStart).count();
                    obs.batchEnded(epoch, step, stepsPerEpoch, lossValue, secs > 0 ? windowSamples / secs : 0);
                    windowStart = Clock::now();
                    windowSamples = 0;
                }
            }
            if (stopped)
                break;
            const double trainSeconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
            EpochResult r;
            r.epoch = epoch;
            r.trainLoss = seen ? lossSum / double(seen) : 0;
            r.learningRate = lrAt(epoch, 0);
            const Evaluation val = evaluate(valRows);
            r.valLoss = val.loss;
            r.val = val.metrics;
            r.seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
            r.samplesPerSecond = trainSeconds > 0 ? double(seen) / trainSeconds : 0; // training only, not validation
            const double score = t.earlyStopMetric == "val_loss" ? val.loss
                               : t.earlyStopMetric == "val_macro_f1" ? val.metrics.macroF1 : val.metrics.accuracy;
            // Better by the metric, or as good with a lower val loss: once accuracy saturates
            // (easy data, small val sets), the best checkpoint still follows the loss.
            r.best = lowerIsBetter ? score < best : (score > best || (score == best && val.loss < bestLoss));
            bestInMemory = r.best ? epoch : 0;
            if (r.best) {
                best = score;
                bestLoss = val.loss;
                sinceBest = 0;
                bestVal = val;
            } else {
                ++sinceBest;
            }
            // Checkpoints first, then the logs: a kill in between is repaired on resume.
            if (r.best) {
                saveCheckpoint(checkpoints / "best.pt", epoch);
                obs.checkpointSaved((checkpoints / "best.pt").string(), true);
            }
            saveCheckpoint(checkpoints / "last.pt", epoch);
            obs.checkpointSaved((checkpoints / "last.pt").string(), false);
            std::ostringstream row;
            row.precision(8);
            row << epoch << ',' << r.trainLoss << ',' << r.valLoss << ',' << r.val.accuracy << ',' << r.val.macroF1 << ','
                << r.learningRate << ',' << r.samplesPerSecond << ',' << r.seconds;
            appendLine(runDir / "metrics.csv", row.str());
            event({{"event", "epoch_end"}, {"epoch", epoch}, {"train_loss", r.trainLoss}, {"val_loss", r.valLoss},
                   {"val_accuracy", r.val.accuracy}, {"val_macro_f1", r.val.macroF1}, {"best", r.best},
                   {"confusion", r.val.confusionJson()},
                   {"samples_per_second", r.samplesPerSecond}});
            obs.epochEnded(r);
            if (t.patience > 0 && sinceBest >= t.patience) {
                const std::string why = "no improvement of " + t.earlyStopMetric + " for " + std::to_string(t.patience) + " epochs";
                event({{"event", "early_stop"}, {"epoch", epoch}, {"reason", why}});
                obs.earlyStopped(epoch, why);
                break;
            }
        }

        // Final metrics from the best checkpoint.
        nlohmann::json report = {{"run_dir", runDir.string()}, {"epochs_completed", std::min(epoch, t.epochs)}, {"stopped", stopped}};
        if (fs::exists(checkpoints / "best.pt")) {
            if (!stopped && bestInMemory > 0) {
                report["best_epoch"] = bestInMemory;
                report["val"] = bestVal.metrics.toJson();
            } else {
                report["best_epoch"] = loadCheckpoint(checkpoints / "best.pt", false);
                report["val"] = evaluate(valRows).metrics.toJson();
            }
            report["test"] = evaluate(testRows).metrics.toJson();
            report["classes"] = cache.classes();
        }
        writeFileAtomically((runDir / "report.json").string(), report.dump(2) + "\n");
        event({{"event", stopped ? "stopped" : "finished"}});
        obs.finished(report);
        return report;
    } catch (const std::exception &e) {
        const std::string message = e.what();
        try {
            event({{"event", "failed"}, {"message", message}});
        } catch (...) {
        }
        obs.failed(message);
        if (dynamic_cast<const Error *>(&e))
            throw;
        throw Error("training failed: " + message);
    }
}

} // namespace fuselab
