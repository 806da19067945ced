// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/Evaluation.h"

#include "core/train/BatchLoader.h"
#include "core/train/Distributed.h"
#include "core/train/Launch.h"
#include "core/train/Trainer.h"
#include "core/train/TrainingSteps.h"
#include "core/model/Checkpoint.h"
#include "core/model/SequenceHead.h"
#include "core/util/Error.h"

#include <algorithm>
#include <set>

namespace fuselab {

namespace {
// Marks modality column `drop` missing in a batch (its mask 0, its tensor zeros), as a
// sample without it arrives; -1 leaves the batch as it is.
void dropColumn(CacheBatch &b, int drop)
{
    if (drop < 0)
        return;
    b.present = b.present.clone();
    b.present.select(1, drop).zero_();
    b.inputs[static_cast<std::size_t>(drop)] = torch::zeros_like(b.inputs[static_cast<std::size_t>(drop)]);
}
} // namespace

// The model's logits [n, C] (float, CPU) and labels on some rows, in their order; `between`
// runs before each batch (pause and stop).
// `drop`: a modality column to mark missing in every batch (its mask 0, its tensor zeros,
// as a sample without it arrives), or -1.
std::pair<torch::Tensor, torch::Tensor> modelOutputs(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows,
                                                     std::int64_t batchSize, const torch::Device &device,
                                                     const std::function<void(std::int64_t, std::int64_t)> &between, int drop)
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
        dropColumn(*b, drop);
        moveBatch(*b, device);
        logits.push_back(model->forward(b->inputs, b->present).logits.to(torch::kCPU).to(torch::kFloat));
        labels.push_back(b->labels.to(torch::kCPU));
        ++done;
    }
    if (logits.empty())
        return {torch::zeros({0, C}), multi ? torch::zeros({0, C}) : cache.regression() ? torch::zeros({0}) : torch::zeros({0}, torch::kLong)};
    return {torch::cat(logits).contiguous(), torch::cat(labels).contiguous()};
}

// Metrics, loss and per-sample predictions from the logits of `rows` (in their order).
Evaluation evaluationOf(const torch::Tensor &logits, const torch::Tensor &labels, const std::vector<std::int64_t> &rows, std::int64_t C, bool multi,
                        const std::optional<BlockModule::RegressionOutput> &regression)
{
    Evaluation ev;
    if (regression) {
        const std::int64_t n = logits.size(0);
        if (n > 0) {
            ev.loss = regressionLoss(standardise(logits, *regression), labels, *regression, true).item<double>() / double(n);
            const torch::Tensor p = logits.reshape({-1}).to(torch::kDouble).contiguous(), t = labels.reshape({-1}).to(torch::kDouble).contiguous();
            ev.predicted.assign(p.data_ptr<double>(), p.data_ptr<double>() + n);
            ev.targets.assign(t.data_ptr<double>(), t.data_ptr<double>() + n);
        }
        ev.metrics = EvaluationMetrics::of(regressionMetrics(ev.targets, ev.predicted));
        return ev;
    }
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
Evaluation evaluateSequence(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows, std::int64_t batchSize,
                            const torch::Device &device, const std::function<void(std::int64_t, std::int64_t)> &between, int drop, int beam,
                            double lengthPenalty)
{
    SequenceHead *head = findSequenceHead(*model);
    if (!head)
        throw Error(Message(FL_TR("Trainer", "the dataset's targets are texts, and the graph has no sequence head (head.rnn_decoder, "
                                             "head.transformer_decoder or head.ctc)")));
    const TargetVocabulary vocab = cache.targetVocabulary();
    torch::NoGradGuard noGrad;
    model->eval();
    Evaluation ev;
    double lossSum = 0;
    std::int64_t lossCount = 0;
    auto batches = chunk(rows, batchSize);
    const auto batchCount = static_cast<std::int64_t>(batches.size());
    BatchPrefetcher loader(cache, batches, nullptr, 0);
    std::int64_t done = 0;
    while (true) {
        if (between)
            between(done, batchCount);
        auto b = loader.next();
        if (!b)
            break;
        dropColumn(*b, drop);
        moveBatch(*b, device);
        const torch::Tensor &labels = b->labels;
        const std::int64_t L = labels.size(1);
        std::vector<std::vector<std::int64_t>> ids;
        if (head->ctc()) {
            const torch::Tensor logits = model->forward(b->inputs, b->present).logits;
            lossSum += ctcLoss(logits, labels, true).item<double>();
            lossCount += labels.size(0);
            ids = decodeLogits(logits, true);
        } else {
            {
                const TeacherForcing teacher(labels.narrow(1, 0, L - 1));
                const torch::Tensor logits = model->forward(b->inputs, b->present).logits;
                lossSum += sequenceLoss(logits, labels.narrow(1, 1, L - 1), head->labelSmoothing(), true).item<double>();
                lossCount += targetTokenCount(labels);
            }
            const torch::Tensor logits = model->forward(b->inputs, b->present).logits;
            ids = beam > 1 ? head->beamSearch(beam, lengthPenalty) : decodeLogits(logits, false);
        }
        const auto &batchRows = batches[static_cast<std::size_t>(done)];
        for (std::size_t i = 0; i < ids.size(); ++i) {
            ev.hypotheses.push_back(vocab.decode(ids[i]));
            ev.references.push_back(cache.targetText(batchRows[i]));
        }
        ++done;
    }
    ev.loss = lossCount > 0 ? lossSum / double(lossCount) : 0;
    ev.metrics = EvaluationMetrics::of(sequenceMetrics(ev.hypotheses, ev.references));
    return ev;
}

Evaluation evaluateRows(FusionModel &model, const TensorCache &cache, const std::vector<std::int64_t> &rows, std::int64_t batchSize,
                        const torch::Device &device, const std::function<void(std::int64_t, std::int64_t)> &between,
                        Communicator *comm)
{
    // Sequences: every rank decodes every row (decoding lengths differ between ranks, so
    // there is nothing to gather in step; the ranks then agree without a collective).
    if (cache.sequence())
        return evaluateSequence(model, cache, rows, batchSize, device, comm ? nullptr : between);
    const auto C = static_cast<std::int64_t>(cache.classes().size());
    const bool multi = cache.multiLabel();
    if (!comm || rows.empty()) {
        const auto [logits, labels] = modelOutputs(model, cache, rows, batchSize, device, between);
        return evaluationOf(logits, labels, rows, C, multi, model->regression());
    }
    const auto [logits, labels] = modelOutputs(model, cache, shardRows(rows, comm->rank(), comm->size()), batchSize, device, nullptr);
    const auto n = static_cast<std::int64_t>(rows.size());
    const torch::Tensor all = unshard(comm->allGather(logits.to(device)).to(torch::kCPU), n);
    const torch::Tensor allLabels = unshard(comm->allGather(labels.to(device)).to(torch::kCPU), n);
    return evaluationOf(all.contiguous(), allLabels.contiguous(), rows, C, multi, model->regression());
}

// A tensor cache made from the experiment's dataset: the same classes in the same order,
// and the same task. Throws Error naming both sides.
void checkCacheMatches(const TensorCache &cache, const Experiment &e)
{
    if (cache.sequence() != (e.dataset.effectiveTask() == Task::Sequence))
        throw Error(cache.sequence() ? Message(FL_TR("Trainer", "the tensor cache holds texts to produce (a sequence task) but the experiment is "
                                                               "not made for one; make the experiment again for this dataset"))
                                     : Message(FL_TR("Trainer", "the experiment is made to produce texts (a sequence task) but the tensor cache "
                                                               "holds another task; make the experiment again for this dataset")));
    if (cache.sequence() && cache.classes() != e.dataset.classes)
        throw Error(Message(FL_TR("Trainer", "the tensor cache's target vocabulary (%1 tokens) is not the experiment's (%2 tokens): the "
                                             "training targets or the target settings changed since the experiment was made; make the "
                                             "experiment again for this dataset"),
                            std::to_string(cache.classes().size()), std::to_string(e.dataset.classes.size())));
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
    if (cache.regression() != (e.dataset.task == Task::Regression))
        throw Error(cache.regression() ? Message(FL_TR("Trainer", "the tensor cache holds numbers to predict (regression) but the experiment is "
                                                                 "made for classes; make the experiment again for this dataset"))
                                       : Message(FL_TR("Trainer", "the tensor cache holds classes but the experiment is made to predict "
                                                                 "numbers (regression); make the experiment again for this dataset")));
    if (cache.multiLabel() != e.dataset.multiLabel)
        throw Error(cache.multiLabel()
                        ? Message(FL_TR("Trainer", "the tensor cache holds a multi-label dataset but the experiment is made for a "
                                                   "single-label one; make the experiment again for this dataset"))
                        : Message(FL_TR("Trainer", "the tensor cache holds a single-label dataset but the experiment is made for a "
                                                   "multi-label one; make the experiment again for this dataset")));
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
        auto progress = [&](std::int64_t, std::int64_t) {
            if (observer) {
                observer->onProgress("contributions", done, static_cast<std::int64_t>(read.size()) + 1);
                observer->checkpoint();
            }
        };
        if (cache.sequence()) {
            ModalityContribution c;
            c.removed = drop < 0 ? std::string() : cache.columns()[static_cast<std::size_t>(drop)].name;
            c.metrics = evaluateSequence(model, cache, rows, std::max(1, experiment.training.batchSize), dev, progress, drop).metrics;
            ++done;
            out.push_back(std::move(c));
            continue;
        }
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
        c.metrics = evaluationOf(logits, labels, rows, C, cache.multiLabel(), model->regression()).metrics;
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace fuselab
