// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/TrainingRun.h"
#include "core/train/Trainer.h"

#include "core/util/ArchiveCheck.h"

#include "core/train/Distributed.h"
#include "core/model/Checkpoint.h"
#include "core/train/MixedPrecision.h"
#include "core/train/BatchLoader.h"
#include "core/train/Evaluation.h"
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
#include "core/model/SequenceHead.h"
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


void TrainingRun::prepare()
{
    // All cores by default; the ranks on one machine share them (torchrun's LOCAL_WORLD_SIZE).
    int ranksHere = 1;
    if (m_comm) {
        const char *local = std::getenv("LOCAL_WORLD_SIZE");
        ranksHere = local && std::atoi(local) > 0 ? std::atoi(local) : m_world;
    }
    m_threads.emplace(t.threads > 0 ? t.threads : std::max(1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) / ranksHere));
    if (m_options.announcePreparing)
        m_phase.enter(TrainingPhase::PreparingData);
    startFolder();
    m_cache.emplace(TensorCache::open(m_options.cacheDir));
    checkCacheMatches(*m_cache, m_experiment);
    selectTrainRows();
    buildModel();
    if (m_options.resume)
        resumeFromCheckpoint();
    if (m_comm) // the same starting weights on every rank
        broadcastModule(*m_comm, **m_model);
    if (m_writer)
        m_metrics.createIfMissing();
}

void TrainingRun::startFolder()
{
    if (!m_writer)
        return;
    fs::create_directories(m_folder.checkpointDir());
    if (!m_options.resume) {
        // A fresh run: the experiment as used, an empty log, no stale checkpoints.
        fs::remove(m_folder.bestCheckpoint());
        fs::remove(m_folder.lastCheckpoint());
        writeFileAtomically(m_folder.experimentFile(), m_experiment.toJson().dump(2) + "\n");
        fs::remove(m_folder.eventsFile());
        fs::remove(m_folder.metricsFile());
        fs::remove(m_folder.reportFile());
    }
}

void TrainingRun::selectTrainRows()
{
    const TensorCache &cache = *m_cache;
    m_trainRows = cache.rows(Split::Train);
    m_valRows = cache.rows(Split::Val);
    m_testRows = cache.rows(Split::Test);
    if (!m_experiment.dataset.rareClass.empty()) { // the imbalance lesson: one class made rare in training only
        const auto &cs = cache.classes();
        const auto it = std::find(cs.begin(), cs.end(), m_experiment.dataset.rareClass);
        if (it == cs.end() || cache.multiLabel())
            throw Error(Message(FL_TR("Trainer", "dataset.imbalance: \"%1\" is not a class of this single-label dataset"),
                                m_experiment.dataset.rareClass));
        std::vector<int> labels;
        for (const std::int64_t r : m_trainRows)
            labels.push_back(static_cast<int>(cache.label(r)));
        const std::size_t before = m_trainRows.size();
        m_trainRows = rareClassRows(m_trainRows, labels, static_cast<int>(it - cs.begin()), m_experiment.dataset.rareRatio,
                                    m_experiment.dataset.splitSeed);
        std::size_t rareKept = 0;
        for (const std::int64_t r : m_trainRows)
            rareKept += cache.label(r) == it - cs.begin();
        note({{"event", "imbalance"}, {"class", m_experiment.dataset.rareClass}, {"ratio", m_experiment.dataset.rareRatio},
              {"train_samples_before", before}, {"train_samples", m_trainRows.size()}, {"rare_train_samples", rareKept}});
    }
    if (m_trainRows.empty())
        throw Error(Message(FL_TR("Trainer", "the dataset has no training samples")));
    m_classes = static_cast<int>(cache.classes().size());
    m_multi = cache.multiLabel(); // = the experiment's, and the model's (its head is checked against it)
    m_haveVal = !m_valRows.empty();
}

void TrainingRun::buildModel()
{
    torch::manual_seed(t.seed);
    m_model.emplace(m_experiment.graph, inferContext(m_experiment, m_options.experimentDir));
    FusionModel &model = *m_model;
    if (!m_options.initWeights.empty() && !m_options.resume) {
        model->loadInferenceState(readSafetensors(m_options.initWeights).tensors, m_options.initWeights);
        note({{"event", "init_weights"}, {"file", m_options.initWeights}});
    }
    model->to(m_device);
    model->setChannelsLast(m_device.is_cpu()); // before the optimizer sees the parameters
    m_optimizer = makeOptimizer(t, model->parameters());
    m_parameters = model->parameters();
    // Mixed precision: autocast on CUDA; float16 with the gradient scaler (bfloat16 needs none).
    m_amp = m_device.is_cuda() ? mixedPrecisionType(t.mixedPrecision) : torch::kFloat;
    GradScaler::Options scalerOptions;
    scalerOptions.enabled = m_amp == torch::kHalf;
    m_scaler.emplace(scalerOptions);

    // Regression: the head predicts the target standardised by the training split's mean and
    // std and restores it (RegressionHead.h); class weights and balanced draws have no classes.
    if (m_cache->regression()) {
        if (t.classWeights || t.weightedSampler)
            throw Error(Message(FL_TR("Trainer", "training.class_weights and training.weighted_sampler balance classes, and a regression "
                                                 "dataset has none: turn them off")));
        double sum = 0, sq = 0;
        for (const std::int64_t r : m_trainRows)
            sum += m_cache->target(r);
        const double n = static_cast<double>(m_trainRows.size()), mean = sum / n;
        for (const std::int64_t r : m_trainRows)
            sq += (m_cache->target(r) - mean) * (m_cache->target(r) - mean);
        const double sd = std::sqrt(sq / n);
        model->setTargetScale(mean, sd > 0 ? sd : 1.0);
        m_regression = model->regression();
        if (!m_regression)
            throw Error(Message(FL_TR("Trainer", "the dataset's labels are numbers (regression), and the graph has no regression head")));
    }
    if (m_cache->sequence()) {
        if (t.classWeights || t.weightedSampler)
            throw Error(Message(FL_TR("Trainer", "training.class_weights and training.weighted_sampler balance classes, and a dataset of "
                                                 "texts to produce has none: turn them off")));
        m_sequence = findSequenceHead(*model);
        if (!m_sequence)
            throw Error(Message(FL_TR("Trainer", "the dataset's targets are texts, and the graph has no sequence head (head.rnn_decoder, "
                                                 "head.transformer_decoder or head.ctc)")));
    }
    std::vector<std::vector<int>> classesOf;
    classesOf.reserve(m_trainRows.size());
    for (auto r : m_trainRows) {
        std::vector<int> cs;
        if (!m_multi && !m_cache->regression() && !m_cache->sequence()) // a regression or sequence sample has no class
            cs.push_back(static_cast<int>(m_cache->label(r)));
        else if (m_multi)
            for (int c = 0; c < m_classes; ++c)
                if (m_cache->hasClass(r, c))
                    cs.push_back(c);
        classesOf.push_back(std::move(cs));
    }
    m_balance.emplace(std::move(classesOf), m_classes, m_multi);
    if (t.classWeights)
        m_classWeights = torch::tensor(m_balance->classWeights()).to(m_device);

    m_batchSize = t.batchSize; // per rank, as in PyTorch
    const auto perRank = (static_cast<std::int64_t>(m_trainRows.size()) + m_world - 1) / m_world;
    m_stepsPerEpoch = (perRank + m_batchSize - 1) / m_batchSize;
    m_schedule.emplace(t, m_stepsPerEpoch);
    // Without validation samples, val metrics mean nothing: the best epoch is the one
    // with the lowest training loss, and patience watches that.
    m_tracker.emplace(m_haveVal ? t.earlyStopMetric : "train_loss", t.patience);
    const std::string &metric = t.earlyStopMetric;
    const bool numberMetric = metric == "val_rmse" || metric == "val_mae" || metric == "val_r2" || metric == "val_pearson";
    const bool classMetric = metric == "val_accuracy" || metric == "val_macro_f1";
    const bool textMetric = metric == "val_bleu" || metric == "val_chrf" || metric == "val_exact_match" || metric == "val_wer" || metric == "val_cer";
    const bool sequence = m_sequence != nullptr, regression = m_regression.has_value();
    if ((numberMetric && !regression) || (classMetric && (regression || sequence)) || (textMetric && !sequence))
        throw Error(Message(FL_TR("Trainer", "training.early_stopping.metric: %1 does not measure this dataset's task (%2); use %3"), metric,
                            regression ? "regression" : sequence ? "sequence" : "classification",
                            regression ? "val_rmse, val_mae, val_r2, val_pearson or val_loss"
                            : sequence ? "val_bleu, val_chrf, val_exact_match, val_wer, val_cer or val_loss"
                                       : "val_accuracy, val_macro_f1 or val_loss"));
}

void TrainingRun::saveCheckpoint(const std::string &path, const RunPosition &p, bool withRng, const std::string &epochRow)
{
    if (!m_writer)
        return;
    TrainingState state;
    state.at = p;
    state.worldSize = m_world;
    state.gradScale = m_scaler->scaleValue();
    state.gradScaleGoodSteps = m_scaler->goodSteps();
    state.tracker = m_tracker->state();
    state.experiment = m_experiment.toJson().dump();
    state.epochRow = epochRow;
    if (withRng) {
        at::Generator gen = at::globalContext().defaultGenerator(m_device);
        std::lock_guard<std::mutex> lock(gen.mutex());
        state.rngState = gen.get_state();
    }
    saveTrainingCheckpoint(path, **m_model, *m_optimizer, state);
}

// The weights of a checkpoint (and with an optimizer, its state too), and where it was.
TrainingState TrainingRun::loadWeights(const std::string &path, torch::optim::Optimizer *withOptimizer)
{
    torch::serialize::InputArchive archive = loadCheckpoint(**m_model, path, m_device);
    (*m_model)->setChannelsLast(m_device.is_cpu());
    return readTrainingState(archive, withOptimizer);
}

void TrainingRun::resumeFromCheckpoint()
{
    if (!fs::exists(m_folder.lastCheckpoint()))
        throw Error(Message(FL_TR("Trainer", "%1 has no checkpoint yet: there is nothing to resume (start the run again instead)"),
                            m_folder.dir()));
    const TrainingState saved = loadWeights(m_folder.lastCheckpoint(), m_optimizer.get());
    m_at = saved.at;
    m_tracker->restore(saved.tracker);
    if (saved.gradScale)
        m_scaler->restore(*saved.gradScale, saved.gradScaleGoodSteps);
    // Saved at another world size: the same point of the epoch, as near as this run's
    // batches allow (samples per step differ).
    if (saved.worldSize != m_world && m_at.nextStep > 0) {
        const std::int64_t savedPerRank = (static_cast<std::int64_t>(m_trainRows.size()) + saved.worldSize - 1) / saved.worldSize;
        const std::int64_t savedSteps = (savedPerRank + m_batchSize - 1) / m_batchSize;
        m_at.nextStep = m_at.nextStep >= savedSteps ? m_stepsPerEpoch // trained, not yet validated
                                                    : std::min(m_stepsPerEpoch, m_at.nextStep * saved.worldSize / m_world);
    }
    m_rngState = saved.rngState;
    if (m_writer) {
        // The rows of finished epochs only (a kill may have left a partial epoch's), and the
        // checkpoint's own epoch's row when a kill came before it was logged.
        m_metrics.keepEpochsUpTo(m_at.epoch, m_at.nextStep == 0 ? saved.epochRow : std::string());
        fs::remove(m_folder.reportFile());    // the run goes on: an earlier stop's report no longer holds
    }
    note({{"event", "resumed"}, {"epoch", m_at.epoch + 1}, {"step", m_at.nextStep}});
}

void TrainingRun::announce()
{
    RunPlan plan;
    plan.runDir = m_folder.dir();
    plan.device = m_device.str();
    plan.threads = torch::get_num_threads();
    plan.epochs = t.epochs;
    plan.stepsPerEpoch = m_stepsPerEpoch;
    plan.batchSize = t.batchSize;
    plan.trainSamples = static_cast<std::int64_t>(m_trainRows.size());
    plan.valSamples = static_cast<std::int64_t>(m_valRows.size());
    plan.testSamples = static_cast<std::int64_t>(m_testRows.size());
    plan.classes = m_cache->classes();
    plan.multiLabel = m_multi;
    plan.regression = m_regression.has_value();
    plan.sequence = m_sequence != nullptr;
    plan.parameters = (*m_model)->parameterCount();
    plan.seed = t.seed;
    plan.startEpoch = m_at.epoch + 1;
    plan.startStep = m_at.nextStep;
    plan.resumed = m_options.resume;
    plan.selectionMetric = m_tracker->metric();
    if (!m_haveVal)
        plan.notice = Message(FL_TR("Trainer", "the dataset has no validation samples: the best epoch is the one with the lowest "
                                               "training loss%1"),
                              t.patience > 0 ? Message(FL_TR("Trainer", ", and early stopping watches the training loss")).str() : "")
                          .str();
    if (!m_device.is_cuda() && t.mixedPrecision != "off") {
        const std::string amp = Message(FL_TR("Trainer", "mixed precision (%1) applies to CUDA training: on the CPU this run trains in float32"),
                                        t.mixedPrecision)
                                    .str();
        plan.notice = plan.notice.empty() ? amp : plan.notice + "; " + amp;
    }
    plan.worldSize = m_world;
    plan.mixedPrecision = m_amp == torch::kHalf ? "float16" : m_amp == torch::kBFloat16 ? "bfloat16" : "off";
    plan.dataIssues = m_options.dataIssues;
    if (!plan.dataIssues.empty()) { // said where every front end shows the notice; the list itself in events.jsonl
        std::size_t skipped = 0;
        for (const DataIssue &i : plan.dataIssues)
            skipped += i.severity == DataIssue::Severity::Error;
        const std::string data = Message(FL_TR("Trainer", "the data had %1 problem(s), %2 of them skipped rows or files; the first: %3 "
                                                          "(events.jsonl lists them)"),
                                         std::to_string(plan.dataIssues.size()), std::to_string(skipped), plan.dataIssues.front().toString())
                                     .str();
        plan.notice = plan.notice.empty() ? data : plan.notice + "; " + data;
    }
    m_obs.runStarted(plan);
}

void TrainingRun::stopHere(const RunPosition &p)
{
    // A checkpoint of exactly where the run is; resuming continues from it.
    saveCheckpoint(m_folder.lastCheckpoint(), p, p.nextStep > 0 && p.nextStep < m_stepsPerEpoch);
    m_obs.checkpointSaved({m_folder.lastCheckpoint(), p.epoch + (p.nextStep > 0 ? 1 : 0), p.nextStep, false});
    m_stopped = true;
}

// This epoch's batch order: a shuffle, or class-balanced draws with replacement; this rank's share.
std::vector<std::int64_t> TrainingRun::epochOrder(int epoch) const
{
    std::mt19937_64 order(mix(t.seed, 2, static_cast<std::uint64_t>(epoch)));
    std::vector<std::int64_t> rows = m_trainRows;
    if (t.weightedSampler) {
        const auto drawn = m_balance->draw(order);
        for (std::size_t i = 0; i < rows.size(); ++i)
            rows[i] = m_trainRows[drawn[i]];
    } else {
        for (std::size_t i = rows.size(); i > 1; --i)
            std::swap(rows[i - 1], rows[uniformBelow(order, i)]);
    }
    if (m_comm)
        rows = shardRows(rows, m_rank, m_world);
    return rows;
}

void TrainingRun::flushLoss(int epoch, std::int64_t upTo)
{
    if (!m_pendingLoss.defined())
        return;
    bool ok = m_pendingFinite.item<bool>();
    const double sum = m_pendingLoss.item<double>();
    if (m_comm) { // every rank flushes at the same steps: they stop together when any loss went bad
        torch::Tensor bad = torch::full({1}, ok ? 0.0f : 1.0f).to(m_device);
        m_comm->allReduceSum(bad);
        ok = bad.to(torch::kCPU).item<float>() == 0;
    }
    if (!ok) {
        const bool nan = std::isnan(sum);
        if (m_pendingFrom == upTo)
            throw Error(Message(FL_TR("Trainer", "the loss became %1 at epoch %2, step %3; training stopped (the last good "
                                                 "checkpoint is kept). Try a lower learning rate or gradient clipping"),
                                nan ? "NaN" : "infinite", std::to_string(epoch), std::to_string(upTo)));
        throw Error(Message(FL_TR("Trainer", "the loss became NaN or infinite between steps %1 and %2 of epoch %3; training "
                                             "stopped (the last good checkpoint is kept). Try a lower learning rate or "
                                             "gradient clipping"),
                            std::to_string(m_pendingFrom), std::to_string(upTo), std::to_string(epoch)));
    }
    m_lossSum += sum;
    m_seen += m_pendingSeen;
    m_pendingLoss = m_pendingFinite = torch::Tensor();
    m_pendingSeen = 0;
    m_pendingFrom = -1;
}

bool TrainingRun::trainOneEpoch(int epoch)
{
    FusionModel &model = *m_model;
    m_epochStart = Clock::now();
    m_firstStep = epoch == m_at.epoch + 1 ? m_at.nextStep : 0;
    m_lossSum = m_firstStep > 0 ? m_at.partialLoss : 0;
    m_seen = m_firstStep > 0 ? m_at.partialSeen : 0;
    if (m_firstStep > 0 && m_rngState) {
        at::Generator gen = at::globalContext().defaultGenerator(m_device);
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(*m_rngState);
    } else {
        torch::manual_seed(mix(t.seed, 1, static_cast<std::uint64_t>(epoch)));
    }
    auto batches = chunk(epochOrder(epoch), m_batchSize);
    batches.erase(batches.begin(), batches.begin() + static_cast<std::ptrdiff_t>(std::min<std::int64_t>(m_firstStep, m_stepsPerEpoch)));

    std::int64_t step = m_firstStep;
    if (step >= m_stepsPerEpoch)
        return true; // trained before a stop; only its validation is missing
    m_phase.enter(TrainingPhase::Training);
    model->train();
    BatchPrefetcher loader(*m_cache, std::move(batches), m_experiment.augmentation.any() ? &m_experiment.augmentation : nullptr,
                           mix(t.seed, 3, static_cast<std::uint64_t>(epoch)), static_cast<std::size_t>(m_firstStep), 3, m_device.is_cuda());
    auto windowStart = Clock::now();
    std::int64_t windowSamples = 0;
    bool stopWanted = false;
    // The loss is read back each step on the CPU (free there, and a NaN stops before
    // its step); on a GPU only at the log points, so the host never waits per step.
    const bool readEachStep = !m_device.is_cuda();
    while (true) {
        try {
            m_phase.between();
        } catch (const Cancelled &) {
            if (!m_comm) {
                flushLoss(epoch, step);
                stopHere({epoch - 1, step, m_lossSum, m_seen});
                return false;
            }
            stopWanted = true; // this step still runs: the ranks agree to stop after it
        }
        auto b = loader.next();
        if (!b)
            break;
        const double lr = m_schedule->at(epoch, step);
        for (auto &group : m_optimizer->param_groups())
            group.options().set_lr(lr);
        if (t.modalityDropout > 0)
            dropModalities(b->inputs, b->present, t.modalityDropout,
                           mix(t.seed, 4, static_cast<std::uint64_t>(epoch), static_cast<std::uint64_t>(step)));
        moveBatch(*b, m_device);
        torch::Tensor task, loss;
        {
            const AutocastGuard autocast(m_device, m_amp); // the forward pass only, as PyTorch's recipe
            if (m_sequence) { // teacher forcing: BOS and the target before its last token in, the target after BOS out
                const std::int64_t L = b->labels.size(1);
                std::optional<TeacherForcing> teacher;
                if (!m_sequence->ctc())
                    teacher.emplace(b->labels.narrow(1, 0, L - 1));
                const auto out = model->forward(b->inputs, b->present);
                task = m_sequence->ctc() ? ctcLoss(out.logits, b->labels)
                                         : sequenceLoss(out.logits, b->labels.narrow(1, 1, L - 1), m_sequence->labelSmoothing());
                loss = task + out.auxLoss;
            } else if (const auto out = model->forward(b->inputs, b->present); m_regression) { // auxiliary heads predict the standardised target directly
                task = regressionLoss(standardise(out.logits.to(torch::kFloat), *m_regression), b->labels, *m_regression);
                loss = task + out.auxLoss;
                for (const auto &aux : out.auxLogits)
                    loss = loss + aux.weight * maskedRegressionLoss(aux.logits.to(torch::kFloat), b->labels, aux.mask, *m_regression);
            } else {
                task = taskLoss(out.logits.to(torch::kFloat), b->labels, m_multi, m_classWeights);
                loss = task + out.auxLoss;
                for (const auto &aux : out.auxLogits)
                    loss = loss + aux.weight * maskedTaskLoss(aux.logits.to(torch::kFloat), b->labels, aux.mask, m_multi, m_classWeights);
            }
        }
        // The curve shows the task loss (comparable with validation's); NaN in any part stops.
        const std::int64_t n = b->labels.size(0);
        const torch::Tensor weighted = task.detach().to(torch::kDouble) * double(n);
        const torch::Tensor finite = torch::isfinite(loss.detach());
        m_pendingLoss = m_pendingLoss.defined() ? m_pendingLoss + weighted : weighted;
        m_pendingFinite = m_pendingFinite.defined() ? torch::logical_and(m_pendingFinite, finite) : finite;
        m_pendingSeen += n;
        if (m_pendingFrom < 0)
            m_pendingFrom = step + 1;
        const bool logNow = (step + 1) % m_options.logEvery == 0 || step + 1 == m_stepsPerEpoch;
        if (readEachStep)
            flushLoss(epoch, step + 1); // before the step: a NaN step changes nothing
        m_optimizer->zero_grad();
        m_scaler->scale(loss).backward();
        if (m_comm)
            allReduceGradients(*m_comm, m_parameters, stopWanted);
        m_scaler->unscale(m_parameters);
        if (t.gradClip > 0)
            torch::nn::utils::clip_grad_norm_(model->parameters(), t.gradClip);
        m_scaler->step(*m_optimizer); // skipped when float16 gradients overflowed (the scale backs off)
        windowSamples += n;
        ++step;
        if (logNow) {
            flushLoss(epoch, step);
            const double lossValue = task.item<double>();
            const double secs = std::chrono::duration<double>(Clock::now() - windowStart).count();
            m_obs.batchEnded({epoch, step, m_stepsPerEpoch, lossValue, lr, secs > 0 ? double(windowSamples) / secs : 0});
            windowStart = Clock::now();
            windowSamples = 0;
        }
        if (m_comm && stopWanted) {
            flushLoss(epoch, step);
            stopHere({epoch - 1, step, m_lossSum, m_seen});
            return false;
        }
    }
    return true;
}

bool TrainingRun::validate(int epoch, EpochResult &r)
{
    const double trainSeconds = std::chrono::duration<double>(Clock::now() - m_epochStart).count();
    double epochLoss = m_lossSum, epochSeen = double(m_seen), epochNew = double(m_seen - (m_firstStep > 0 ? m_at.partialSeen : 0));
    if (m_comm) { // every rank's share; and rank 0's weights and statistics everywhere before evaluating
        torch::Tensor sums = torch::tensor({epochLoss, epochSeen, epochNew}, torch::kDouble).to(m_device);
        m_comm->allReduceSum(sums);
        sums = sums.to(torch::kCPU);
        epochLoss = sums[0].item<double>(), epochSeen = sums[1].item<double>(), epochNew = sums[2].item<double>();
        broadcastModule(*m_comm, **m_model, /*parameters=*/false); // the weights agree already (the same averaged steps)
    }
    r.epoch = epoch;
    r.trainLoss = epochSeen > 0 ? epochLoss / epochSeen : 0;
    r.learningRate = m_schedule->at(epoch, 0);
    r.hasValidation = m_haveVal;
    Evaluation val;
    if (m_haveVal) {
        m_phase.enter(TrainingPhase::Validating);
        try {
            val = evaluateRows(*m_model, *m_cache, m_valRows, m_batchSize, m_device, [&](std::int64_t, std::int64_t) { m_phase.between(); }, m_comm);
        } catch (const Cancelled &) {
            stopHere({epoch - 1, m_stepsPerEpoch, m_lossSum, m_seen}); // trained, not validated: resuming validates
            return false;
        }
    }
    r.valLoss = val.loss;
    r.val = val.metrics;
    r.valPredictions = val.predictions; // a copy: the best epoch keeps its own for predictions-val.jsonl
    if (m_regression && !val.predicted.empty()) {
        r.valRows = m_valRows;
        r.valTargets = val.targets;
        r.valPredicted = val.predicted;
    }
    if (m_sequence && !val.hypotheses.empty()) {
        r.valRows = m_valRows;
        r.valReferences = val.references;
        r.valHypotheses = val.hypotheses;
        r.charTokens = m_cache->targetVocabulary().chars();
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - m_epochStart).count();
    r.samplesPerSecond = trainSeconds > 0 ? epochNew / trainSeconds : 0;
    const std::string &metric = m_tracker->metric();
    const double score = metric == "train_loss" ? r.trainLoss : metric == "val_loss" ? val.loss : val.metrics.value(metric.substr(4));
    r.best = m_tracker->offer(epoch, score, m_haveVal ? val.loss : r.trainLoss);
    m_bestInMemory = r.best ? epoch : 0;
    if (r.best)
        m_bestVal = std::move(val);
    return true;
}

bool TrainingRun::endEpoch(EpochResult &r)
{
    // Checkpoints first, then the logs: a kill in between is repaired on resume from the
    // row the checkpoint carries.
    const RunPosition done{r.epoch, 0, 0, 0};
    const std::string row = m_metrics.row(r);
    if (r.best) {
        saveCheckpoint(m_folder.bestCheckpoint(), done, false, row);
        m_obs.checkpointSaved({m_folder.bestCheckpoint(), r.epoch, m_stepsPerEpoch, true});
    }
    saveCheckpoint(m_folder.lastCheckpoint(), done, false, row);
    m_obs.checkpointSaved({m_folder.lastCheckpoint(), r.epoch, m_stepsPerEpoch, false});
    if (m_comm) // the others read rank 0's checkpoints (resume, the final evaluation): written before they go on
        m_comm->barrier();
    m_at = done;
    m_obs.epochEnded(r);
    if (!m_tracker->exhausted())
        return false;
    m_earlyStop = Message(FL_TR("Trainer", "no improvement of %1 for %2 epochs"), m_tracker->metric(), std::to_string(t.patience)).str();
    m_obs.earlyStopped(r.epoch, m_earlyStop);
    return true;
}

TrainingReport TrainingRun::finish()
{
    if (m_comm) { // the ranks took the same averaged steps: their weights must be the same
        const double disagreement = parameterDisagreement(*m_comm, **m_model);
        note({{"event", "ranks_agree"}, {"world_size", m_world}, {"max_difference", disagreement}});
    }
    TrainingReport report;
    report.runDir = m_folder.dir();
    report.epochsCompleted = m_at.epoch;
    report.stopped = m_stopped;
    report.earlyStopReason = m_earlyStop;
    report.selectionMetric = m_tracker->metric();
    report.classes = m_cache->classes();
    report.bestEpoch = m_tracker->state().bestEpoch;
    if (m_bestInMemory > 0 && m_haveVal)
        report.val = m_bestVal.metrics;
    // The final evaluation of the best weights; a stop skips it (eval does it later).
    // Each sample's prediction goes beside the report, for the confusion matrices'
    // galleries.
    std::vector<SamplePrediction> valPredictions = m_bestInMemory > 0 ? m_bestVal.predictions : std::vector<SamplePrediction>{}, testPredictions;
    // A text-producing run's decoded samples, for the sample table of a finished run.
    const auto texts = [](const std::vector<std::int64_t> &rows, const Evaluation &ev) {
        std::vector<SampleText> out;
        for (std::size_t i = 0; i < rows.size() && i < ev.hypotheses.size() && i < ev.references.size(); ++i)
            out.push_back({rows[i], ev.references[i], ev.hypotheses[i]});
        return out;
    };
    std::vector<SampleText> valTexts = m_bestInMemory > 0 ? texts(m_valRows, m_bestVal) : std::vector<SampleText>{}, testTexts;
    if (!m_stopped && fs::exists(m_folder.bestCheckpoint())) {
        m_phase.enter(TrainingPhase::Testing);
        auto between = [&](std::int64_t, std::int64_t) { m_phase.between(); };
        try {
            if (m_bestInMemory == 0) {
                report.bestEpoch = loadWeights(m_folder.bestCheckpoint()).at.epoch;
                if (m_haveVal) {
                    Evaluation ev = evaluateRows(*m_model, *m_cache, m_valRows, m_batchSize, m_device, between, m_comm);
                    report.val = ev.metrics;
                    valTexts = texts(m_valRows, ev);
                    valPredictions = std::move(ev.predictions);
                }
            }
            if (!m_testRows.empty()) {
                Evaluation ev = evaluateRows(*m_model, *m_cache, m_testRows, m_batchSize, m_device, between, m_comm);
                report.test = ev.metrics;
                testTexts = texts(m_testRows, ev);
                testPredictions = std::move(ev.predictions);
            }
        } catch (const Cancelled &) {
            report.stopped = true; // everything is checkpointed already; only the test metrics are missing
        }
    }
    if (!report.val) {
        valPredictions.clear();
        valTexts.clear();
    }
    if (m_writer) {
        m_folder.writePredictions("val", valPredictions);
        m_folder.writePredictions("test", testPredictions);
        m_folder.writeTexts("val", valTexts);
        m_folder.writeTexts("test", testTexts);
    }
    report.seconds = std::chrono::duration<double>(Clock::now() - m_runStart).count();
    m_obs.finished(report); // report.json, the TensorBoard test metrics, events.jsonl, then the caller
    return report;
}

TrainingReport trainRun(const Experiment &experiment, const TrainerOptions &options, ObserverChain &obs, EventLog &events,
                        MetricsTable &metrics)
{
    TrainingRun run(experiment, options, obs, events, metrics);
    run.prepare();
    run.announce();
    for (int epoch = run.firstEpoch(); epoch <= run.lastEpoch(); ++epoch) {
        EpochResult r;
        if (!run.trainOneEpoch(epoch) || !run.validate(epoch, r))
            break; // stopped by the user: checkpointed where it was
        if (run.endEpoch(r))
            break; // early stopping
    }
    return run.finish();
}

} // namespace fuselab
