// SPDX-License-Identifier: GPL-3.0-or-later
// The trainer end to end on a small generated dataset: it learns, logs, checkpoints, stops
// on request and on NaN, stops early, and a run killed with SIGKILL and resumed ends with
// exactly the weights of an uninterrupted run.
#include "core/cache/TensorCache.h"
#include "core/cache/TensorCacheBuilder.h"
#include "core/data/DatasetLoader.h"
#include "core/document/Templates.h"
#include "core/model/FusionModel.h"
#include "core/train/Trainer.h"
#include "tests/support/TestFiles.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "core/document/RunFolder.h"
#include "core/project/Services.h"

#include <atomic>
#include <cmath>
#include <csignal>
#include <thread>
#include <filesystem>
#include <fstream>
#include <set>

using namespace fuselab;
namespace fs = std::filesystem;

namespace {

Experiment makeTrainingExperiment(const std::string &dataPath)
{
    DatasetSummary s;
    s.path = dataPath;
    s.classes = {"bright", "dark", "mid"};
    s.modalities = {{"image", Modality::Image}};
    s.imageChannels = 1;
    s.imageWidth = s.imageHeight = 8;
    Experiment e = makeExperiment("image-cnn", s);
    e.augmentation = AugmentSettings(); // keep the task simple
    e.training.epochs = 15;
    e.training.batchSize = 16;
    e.training.learningRate = 0.01;
    e.training.threads = 1;
    e.training.seed = 5;
    return e;
}

// Records every event as a short word ("phase:training", "batch", "epoch", "best.pt",
// "last.pt", "finished", ...) and can stop or pause the run after a given batch or at
// the start of a given phase.
struct Recorder final : TrainingObserver {
    int epochs = 0, batches = 0;
    bool started = false, finishedCalled = false, earlyStop = false;
    std::string failure;
    RunPlan plan;
    TrainingReport report;
    std::vector<std::string> log;
    std::vector<EpochResult> results;
    std::atomic<bool> stop{false}, pause{false};
    int stopAfterBatches = -1;
    int pauseAfterBatches = -1;
    std::optional<TrainingPhase> stopInPhase;
    int stopInPhaseCount = 1; // the n-th time the phase starts

    bool isCancelled() const override { return stop; }
    bool isPaused() const override { return pause; }
    void runStarted(const RunPlan &p) override
    {
        started = true;
        plan = p;
        log.push_back("started");
    }
    void phaseChanged(TrainingPhase p) override
    {
        log.push_back(std::string("phase:") + phaseName(p));
        if (stopInPhase && *stopInPhase == p && --stopInPhaseCount == 0)
            stop = true;
    }
    void batchEnded(const BatchEvent &) override
    {
        if (log.empty() || log.back() != "batch")
            log.push_back("batch");
        ++batches;
        if (batches == stopAfterBatches)
            stop = true;
        if (batches == pauseAfterBatches) {
            pause = true;
            // Another thread resumes it, as a GUI would.
            std::thread([this] {
                std::this_thread::sleep_for(std::chrono::milliseconds(150));
                pause = false;
            }).detach();
        }
    }
    void epochEnded(const EpochResult &r) override
    {
        ++epochs;
        results.push_back(r);
        log.push_back("epoch");
    }
    void checkpointSaved(const CheckpointEvent &c) override { log.push_back(fs::path(c.path).filename().string()); }
    void earlyStopped(int, const std::string &) override
    {
        earlyStop = true;
        log.push_back("early_stop");
    }
    void finished(const TrainingReport &r) override
    {
        finishedCalled = true;
        report = r;
        log.push_back("finished");
    }
    void failed(const std::string &m) override
    {
        failure = m;
        log.push_back("failed");
    }
};

std::vector<torch::Tensor> weights(const Experiment &e, const std::string &checkpoint)
{
    FusionModel m(e.graph, inferContext(e));
    torch::serialize::InputArchive a;
    a.load_from(checkpoint);
    m->load(a);
    std::vector<torch::Tensor> out;
    for (auto &p : m->parameters())
        out.push_back(p.detach().clone());
    for (auto &b : m->buffers())
        out.push_back(b.detach().clone());
    return out;
}

// The trainable parameters alone (no buffers), flattened into one vector.
torch::Tensor flatParameters(const Experiment &e, const std::string &checkpoint)
{
    FusionModel m(e.graph, inferContext(e));
    torch::serialize::InputArchive a;
    a.load_from(checkpoint);
    m->load(a);
    std::vector<torch::Tensor> flat;
    for (auto &p : m->parameters())
        flat.push_back(p.detach().flatten().to(torch::kDouble));
    return torch::cat(flat);
}

struct MetricsCsvRow {
    int epoch = 0;
    double trainLoss = 0, valLoss = 0, valAccuracy = 0;
};

std::vector<MetricsCsvRow> readMetricsCsv(const fs::path &file)
{
    std::ifstream csv(file);
    std::string row;
    std::getline(csv, row); // header: epoch,train_loss,val_loss,val_accuracy,...
    std::vector<MetricsCsvRow> rows;
    while (std::getline(csv, row)) {
        MetricsCsvRow r;
        if (std::sscanf(row.c_str(), "%d,%lf,%lf,%lf", &r.epoch, &r.trainLoss, &r.valLoss, &r.valAccuracy) == 4)
            rows.push_back(r);
    }
    return rows;
}

int lines(const fs::path &file)
{
    std::ifstream in(file);
    int n = 0;
    for (std::string l; std::getline(in, l);)
        n += !l.empty();
    return n;
}

} // namespace

class TestTraining final : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::string m_data, m_cache;
    std::string dir() const { return m_tmp.path().toStdString(); }

    TrainerOptions options(const std::string &run) const
    {
        TrainerOptions o;
        o.runDir = dir() + "/" + run;
        o.cacheDir = m_cache;
        o.logEvery = 1;
        return o;
    }

    // The weights and report of an uninterrupted 4-epoch run (with dropout, so the random
    // generator's state matters), for the runs below to be compared with.
    std::pair<std::vector<torch::Tensor>, nlohmann::json> uninterrupted(const std::string &name)
    {
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 4;
        const TrainingReport r = Trainer(e, options(name)).run();
        return {weights(e, dir() + "/" + name + "/checkpoints/last.pt"), r.toJson()};
    }

    // A finished run trained with fuselab-cli (the file says 10 epochs and seed 5; the command
    // line says 40, seed 3, CPU), trained the first time a slot needs it, so that each slot
    // that uses it also runs alone. Empty when the training failed (its output is printed).
    std::string m_cliRun, m_cliExperiment;
    const std::string &cliRun()
    {
        if (m_cliRun.empty()) {
            Experiment e = makeTrainingExperiment(m_data);
            e.training.epochs = 10;
            m_cliExperiment = dir() + "/resume.fuselab.json";
            e.dataset.path = m_data;
            e.save(m_cliExperiment);
            const std::string a = dir() + "/runA";
            std::string out, err;
            if (test::runCli({"train", m_cliExperiment, "--out", a, "--cache", m_cache, "--quiet", "--epochs", "40", "--seed", "3",
                              "--device", "cpu"},
                             &out, &err)
                == 0)
                m_cliRun = a;
            else
                qWarning("training %s failed: %s", a.c_str(), err.c_str());
        }
        return m_cliRun;
    }

    void sameAs(const std::pair<std::vector<torch::Tensor>, nlohmann::json> &ref, const std::string &name)
    {
        const auto w = weights(makeTrainingExperiment(m_data), dir() + "/" + name + "/checkpoints/last.pt");
        QCOMPARE(w.size(), ref.first.size());
        for (std::size_t i = 0; i < w.size(); ++i)
            QVERIFY2(torch::equal(w[i], ref.first[i]), qPrintable(QString("tensor %1 differs").arg(i)));
        const auto report = nlohmann::json::parse(test::readAll(dir() + "/" + name + "/report.json"));
        QVERIFY(report["test"] == ref.second["test"]);
        QVERIFY(report["best_epoch"] == ref.second["best_epoch"]);
        QCOMPARE(lines(fs::path(dir()) / name / "metrics.csv"), 5);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_data = dir() + "/data";
        test::writeBrightnessClasses(m_data);
        CacheBuildOptions co;
        co.cacheRoot = dir() + "/cache";
        PreprocessSettings p = makeTrainingExperiment(m_data).preprocessing;
        m_cache = buildTensorCache(loadDataset(m_data), p, co).dir;
    }

    void learnsAndWritesTheRunFolder()
    {
        Recorder rec;
        const nlohmann::json report = Trainer(makeTrainingExperiment(m_data), options("learn")).run(&rec).toJson();
        QVERIFY(rec.started && rec.finishedCalled && rec.failure.empty());
        QCOMPARE(rec.epochs, 15);
        QVERIFY(rec.batches > 15);
        QVERIFY2(report["val"]["accuracy"].get<double>() >= 0.9, report.dump().c_str());
        QVERIFY(report["test"]["accuracy"].get<double>() >= 0.9);
        const fs::path run = dir() + "/learn";
        for (const char *f : {"experiment.fuselab.json", "metrics.csv", "events.jsonl", "report.json", "checkpoints/last.pt", "checkpoints/best.pt"})
            QVERIFY2(fs::exists(run / f), f);
        QCOMPARE(lines(run / "metrics.csv"), 16); // header + one row per epoch
        std::ifstream events(run / "events.jsonl");
        std::string first, line, last;
        std::getline(events, first);
        while (std::getline(events, line))
            last = line;
        QCOMPARE(nlohmann::json::parse(first)["event"].get<std::string>(), std::string("run_started"));
        QCOMPARE(nlohmann::json::parse(last)["event"].get<std::string>(), std::string("finished"));
        // The best epoch: the highest val accuracy, ties going to the lower val loss (this
        // easy set saturates, and the model keeps improving after it does).
        std::ifstream csv(run / "metrics.csv");
        std::string row;
        std::getline(csv, row);
        int expected = 0;
        double bestAcc = -1, bestLoss = 1e300, firstSaturated = 0;
        while (std::getline(csv, row)) {
            int epoch;
            double trainLoss, valLoss, valAcc;
            QCOMPARE(std::sscanf(row.c_str(), "%d,%lf,%lf,%lf", &epoch, &trainLoss, &valLoss, &valAcc), 4);
            if (valAcc > bestAcc || (valAcc == bestAcc && valLoss < bestLoss)) {
                if (valAcc > bestAcc)
                    firstSaturated = epoch;
                expected = epoch;
                bestAcc = valAcc;
                bestLoss = valLoss;
            }
        }
        QCOMPARE(report["best_epoch"].get<int>(), expected);
        qInfo("best epoch %d; the best accuracy was first reached at epoch %g", expected, firstSaturated);
        // The evaluation helper agrees with the report.
        const auto test = evaluateCheckpoint(makeTrainingExperiment(m_data), "", m_cache, (run / "checkpoints/best.pt").string(), Split::Test);
        QCOMPARE(test.accuracy, report["test"]["accuracy"].get<double>());
        // Each split's per-sample predictions (the confusion cells' galleries) add up to the
        // report's confusion matrix; each sample once, its three classes most likely first.
        const RunFolder folder(run.string());
        for (const char *split : {"val", "test"}) {
            const auto predictions = folder.readPredictions(split);
            QVERIFY2(predictions.has_value(), split);
            const auto &confusion = report[split]["confusion"];
            std::vector<std::vector<long>> counted(confusion.size(), std::vector<long>(confusion.size(), 0));
            std::set<std::int64_t> rows;
            for (const SamplePrediction &p : *predictions) {
                QVERIFY(rows.insert(p.row).second);
                QCOMPARE(p.top[0], p.predicted);
                QCOMPARE(p.confidence, p.topProbability[0]);
                QVERIFY(p.topProbability[0] >= p.topProbability[1] && p.topProbability[1] >= p.topProbability[2]);
                QVERIFY(p.topProbability[0] + p.topProbability[1] + p.topProbability[2] <= 1.0f + 1e-5f);
                ++counted.at(static_cast<std::size_t>(p.label)).at(static_cast<std::size_t>(p.predicted));
            }
            for (std::size_t t = 0; t < counted.size(); ++t)
                for (std::size_t q = 0; q < counted.size(); ++q)
                    QCOMPARE(counted[t][q], confusion[t][q].get<long>());
        }
        QVERIFY(!RunFolder(dir()).readPredictions("test").has_value());
        // A damaged file is an error naming the file and the line.
        {
            std::ofstream(folder.predictionsFile("val"), std::ios::app) << "{\"row\": 1}\n";
            try {
                folder.readPredictions("val");
                QFAIL("a damaged predictions file was read");
            } catch (const Error &e) {
                const std::string m = e.what();
                QVERIFY2(m.find("predictions-val.jsonl") != std::string::npos && m.find("line " + std::to_string(lines(run / "predictions-val.jsonl"))) != std::string::npos, m.c_str());
            }
        }
    }

    void stopTakesEffectWithinABatch()
    {
        Recorder rec;
        rec.stopAfterBatches = 3;
        const TrainingReport report = Trainer(makeTrainingExperiment(m_data), options("stop")).run(&rec);
        QVERIFY(report.stopped);
        QCOMPARE(rec.batches, 3);
        QCOMPARE(rec.epochs, 0); // stopped in the first epoch (5 batches of 16)
        QCOMPARE(report.epochsCompleted, 0); // the unfinished epoch does not count
        QVERIFY(!report.test);                // a stop skips the final evaluation
        // Even in epoch 1 a stop leaves a checkpoint to resume from, and the folder says "stopped".
        QVERIFY(fs::exists(dir() + "/stop/checkpoints/last.pt"));
        QCOMPARE(RunFolder(dir() + "/stop").status(), RunStatus::Stopped);
    }

    void earlyStopping()
    {
        Experiment e = makeTrainingExperiment(m_data);
        e.training.learningRate = 1e-9; // nothing improves after the first epoch
        e.training.patience = 2;
        Recorder rec;
        Trainer(e, options("early")).run(&rec);
        QVERIFY(rec.earlyStop);
        QCOMPARE(rec.epochs, 3);
    }

    // Early stopping on the validation loss: the run stops at the first epoch that comes
    // `patience` epochs after the lowest val loss so far, and keeps that epoch as the best,
    // both recomputed here from metrics.csv. A high learning rate makes the loss turn early.
    void earlyStoppingOnTheValidationLoss()
    {
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 40;
        e.training.learningRate = 0.3;
        e.training.earlyStopMetric = "val_loss";
        e.training.patience = 2;
        Recorder rec;
        const TrainingReport r = Trainer(e, options("early_val_loss")).run(&rec);
        QVERIFY(rec.earlyStop);
        QCOMPARE(rec.plan.selectionMetric, std::string("val_loss"));
        const auto rows = readMetricsCsv(fs::path(dir()) / "early_val_loss" / "metrics.csv");
        QCOMPARE(static_cast<int>(rows.size()), rec.epochs);
        int best = 0, stopAt = 0;
        double lowest = INFINITY;
        for (const MetricsCsvRow &row : rows) {
            if (row.valLoss < lowest) {
                lowest = row.valLoss;
                best = row.epoch;
            } else if (row.epoch - best >= 2) {
                stopAt = row.epoch;
                break;
            }
        }
        QVERIFY2(stopAt > 0 && stopAt < 40, "the validation loss never turned: no early stop to check");
        QCOMPARE(rec.epochs, stopAt);
        QCOMPARE(r.bestEpoch, best);
        qInfo("lowest val loss %.4f at epoch %d; stopped after epoch %d", lowest, best, stopAt);
    }

    // The trainer's gradient clipping, on one SGD step of learning rate 1 (one batch holds
    // the whole training split, so every run takes its first step from the same weights on
    // the same gradient g): clipped to c the step is c g/|g|. So the runs clipped to c and
    // to 2c end exactly c apart, and the unclipped run lies |g| - c beyond the first on
    // the same line. Without clipping in the trainer all three would coincide.
    void gradientClippingInARun()
    {
        const double c = 0.02;
        std::vector<std::int64_t> steps;
        auto run = [&](const std::string &name, double clip) {
            Experiment e = makeTrainingExperiment(m_data);
            e.training.epochs = 1;
            e.training.batchSize = 4096;
            e.training.optimizer = "sgd";
            e.training.momentum = 0;
            e.training.learningRate = 1.0;
            e.training.gradClip = clip;
            Recorder rec;
            Trainer(e, options(name)).run(&rec);
            steps.push_back(rec.plan.stepsPerEpoch);
            return flatParameters(e, dir() + "/" + name + "/checkpoints/last.pt");
        };
        const torch::Tensor clipped = run("clip_c", c), clipped2 = run("clip_2c", 2 * c), free = run("clip_off", 0);
        QVERIFY((steps == std::vector<std::int64_t>{1, 1, 1}));
        const double apart = (clipped2 - clipped).norm().item<double>();
        QVERIFY2(std::abs(apart - c) < 1e-3 * c, qPrintable(QString("runs clipped to c and 2c are %1 apart, not %2").arg(apart).arg(c)));
        const torch::Tensor beyond = free - clipped;
        const double rest = beyond.norm().item<double>();
        QVERIFY2(rest > c, qPrintable(QString("|g| - c = %1: the gradient is too small to be clipped").arg(rest)));
        const double cosine = (beyond * (clipped2 - clipped)).sum().item<double>() / (rest * apart);
        QVERIFY2(cosine > 1 - 1e-6, qPrintable(QString::number(cosine, 'g', 10)));
        qInfo("gradient norm %.4f, clipped to %.2f and %.2f", rest + c, c, 2 * c);
    }

    // Mixed precision asked for on the CPU: the run says it trains in float32 (in its plan and
    // its first event) and does, bit for bit the same as a run with it off.
    void mixedPrecisionOnTheCpuTrainsInFloat32()
    {
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 2;
        e.training.device = "cpu";
        Trainer(e, options("amp_off")).run();
        e.training.mixedPrecision = "float16";
        Recorder rec;
        Trainer(e, options("amp_cpu")).run(&rec);
        QVERIFY2(rec.plan.notice.find("mixed precision (float16) applies to CUDA training: on the CPU this run trains in float32") != std::string::npos,
                 rec.plan.notice.c_str());
        std::ifstream events(dir() + "/amp_cpu/events.jsonl");
        std::string first;
        std::getline(events, first);
        const auto started = nlohmann::json::parse(first);
        QCOMPARE(started["event"].get<std::string>(), std::string("run_started"));
        QCOMPARE(started["mixed_precision"].get<std::string>(), std::string("off"));
        QCOMPARE(started["notice"].get<std::string>(), rec.plan.notice);
        const auto a = weights(e, dir() + "/amp_off/checkpoints/last.pt"), b = weights(e, dir() + "/amp_cpu/checkpoints/last.pt");
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY(torch::equal(a[i], b[i]) && b[i].scalar_type() == a[i].scalar_type());
    }

    // A one-epoch run: its best epoch is the last, still in memory at the end (no reload).
    // Its val predictions are written all the same, one per val sample, and their counts are
    // the report's val confusion matrix (they were lost before the trainer's restructuring).
    void bestEpochInMemoryKeepsItsValPredictions()
    {
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 1;
        const TrainingReport r = Trainer(e, options("one_epoch")).run();
        QCOMPARE(r.bestEpoch, 1);
        QVERIFY(r.val.has_value());
        const auto predictions = RunFolder(dir() + "/one_epoch").readPredictions("val");
        QVERIFY2(predictions.has_value(), "predictions-val.jsonl missing");
        const auto confusion = r.val->toJson()["confusion"];
        long total = 0;
        std::vector<std::vector<long>> counted(confusion.size(), std::vector<long>(confusion.size(), 0));
        for (const SamplePrediction &p : *predictions)
            ++counted.at(static_cast<std::size_t>(p.label)).at(static_cast<std::size_t>(p.predicted));
        for (std::size_t t = 0; t < counted.size(); ++t)
            for (std::size_t q = 0; q < counted.size(); ++q) {
                QCOMPARE(counted[t][q], confusion[t][q].get<long>());
                total += counted[t][q];
            }
        QCOMPARE(total, static_cast<long>(TensorCache::open(m_cache).rows(Split::Val).size()));
    }

    void nanLossStopsWithEpochAndStep()
    {
        // A copy of the cache whose pixels are NaN-producing: a legal but absurd normalisation
        // (mean 1e38, std 1e-38) overflows to -inf. (A std of 0 is refused when the cache opens.)
        const std::string bad = dir() + "/badcache";
        fs::copy(m_cache, bad);
        auto meta = nlohmann::json::parse(test::readAll(bad + "/meta.json"));
        const auto channels = meta["columns"][0]["mean"].size();
        meta["columns"][0]["mean"] = std::vector<double>(channels, 1e38);
        meta["columns"][0]["std"] = std::vector<double>(channels, 1e-38);
        test::writeFile(bad + "/meta.json", meta.dump());
        TrainerOptions o = options("nan");
        o.cacheDir = bad;
        Recorder rec;
        try {
            Trainer(makeTrainingExperiment(m_data), o).run(&rec);
            QFAIL("expected the run to fail");
        } catch (const Error &e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("epoch 1, step 1") != std::string::npos, msg.c_str());
            QVERIFY(msg.find("NaN") != std::string::npos || msg.find("infinite") != std::string::npos);
        }
        QVERIFY(!rec.failure.empty());
    }

    void cudaWithoutCudaIsAClearError()
    {
        if (torch::cuda::is_available())
            QSKIP("a GPU is present");
        QCOMPARE(Trainer::resolveDevice("auto"), std::string("cpu"));
        QVERIFY_THROWS_EXCEPTION(Error, Trainer::resolveDevice("cuda"));
        QVERIFY_THROWS_EXCEPTION(Error, Trainer::resolveDevice("cuda:1"));
        QVERIFY_THROWS_EXCEPTION(Error, Trainer::resolveDevice("cuda:x"));
    }

    void killedAndResumedEqualsUninterrupted()
    {
        // The file says 10 epochs and seed 5; the command line says 40 and 3. A resumed run
        // must go on with what the command line said (it used to fall back to the file's).
        const std::string a = cliRun(), exp = m_cliExperiment, b = dir() + "/runB";
        QVERIFY(!a.empty());
        const Experiment e = Experiment::load(exp);
        std::string out, err;
        QCOMPARE(Experiment::load(a + "/experiment.fuselab.json").training.epochs, 40);
        QVERIFY(nlohmann::json::parse(test::readAll(a + "/run.json"))["overrides"]
                == nlohmann::json({{"epochs", 40}, {"seed", 3}, {"device", "cpu"}}));

        QProcess p;
        p.start(QStringLiteral(FUSELAB_CLI_PATH), {QStringLiteral("train"), QString::fromStdString(exp), QStringLiteral("--out"),
                                                    QString::fromStdString(b), QStringLiteral("--cache"), QString::fromStdString(m_cache),
                                                    QStringLiteral("--quiet"), QStringLiteral("--epochs"), QStringLiteral("40"),
                                                    QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--device"),
                                                    QStringLiteral("cpu")});
        QVERIFY(p.waitForStarted());
        // Wait until a few epochs are done, then kill it mid-run.
        bool killed = false;
        for (int i = 0; i < 3000 && !killed; ++i) {
            QThread::msleep(5);
            if (lines(fs::path(b) / "metrics.csv") >= 4) {
                ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
                killed = true;
            }
        }
        p.waitForFinished();
        QVERIFY2(killed, "the run finished before it could be killed");
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QVERIFY(lines(fs::path(b) / "metrics.csv") < 41);
        // The killed process left its lock behind: the run reads as interrupted, not running.
        QCOMPARE(RunFolder(b).status(), RunStatus::Interrupted);
        QCOMPARE(test::runCli({"train", "--resume", b, "--epochs", "12"}, &out, &err), 2); // a resumed run keeps its settings
        QVERIFY2(err.find("keeps the epochs and seed") != std::string::npos, err.c_str());
        QCOMPARE(test::runCli({"train", "--resume", b, "--quiet"}, &out, &err), 0);
        QCOMPARE(RunFolder(b).status(), RunStatus::Finished);

        const auto wa = weights(e, a + "/checkpoints/last.pt"), wb = weights(e, b + "/checkpoints/last.pt");
        QCOMPARE(wa.size(), wb.size());
        for (std::size_t i = 0; i < wa.size(); ++i)
            QVERIFY(torch::equal(wa[i], wb[i]));
        const auto ra = nlohmann::json::parse(test::readAll(a + "/report.json")), rb = nlohmann::json::parse(test::readAll(b + "/report.json"));
        QVERIFY(ra["test"] == rb["test"]);
        QVERIFY(ra["best_epoch"] == rb["best_epoch"]);
        // metrics.csv: one row per epoch, the same numbers apart from timings.
        QCOMPARE(lines(fs::path(b) / "metrics.csv"), 41);
    }

    void stopMidEpochThenResumeEqualsUninterrupted()
    {
        const auto ref = uninterrupted("ref_mid");
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 4;
        Recorder first;
        first.stopAfterBatches = 7; // epoch 2, step 2 of 5
        const TrainingReport stopped = Trainer(e, options("mid")).run(&first);
        QVERIFY(stopped.stopped);
        QCOMPARE(stopped.epochsCompleted, 1);
        QCOMPARE(first.log.back(), std::string("finished"));
        Recorder second;
        TrainerOptions o = options("mid");
        o.resume = true;
        Trainer(e, o).run(&second);
        QCOMPARE(second.plan.startEpoch, 2);
        QCOMPARE(second.plan.startStep, std::int64_t(2));
        QVERIFY(second.plan.resumed);
        QCOMPARE(second.batches, 4 * 5 - 7);
        sameAs(ref, "mid");
    }

    void killBetweenCheckpointAndLogIsRepairedOnResume()
    {
        // A kill after an epoch's last.pt was written but before its metrics.csv row: the
        // row is gone from the table, the checkpoint says the epoch is done. Resuming must
        // put the row back (from the checkpoint), not skip it.
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 2;
        Trainer(e, options("gap")).run();
        const fs::path csv = fs::path(dir()) / "gap" / "metrics.csv";
        std::vector<std::string> rows;
        {
            std::ifstream in(csv);
            for (std::string line; std::getline(in, line);)
                rows.push_back(line);
        }
        QCOMPARE(rows.size(), std::size_t(3));
        const std::string lost = rows[2];
        QVERIFY(lost.rfind("2,", 0) == 0);
        {
            std::ofstream out(csv, std::ios::trunc);
            out << rows[0] << "\n" << rows[1] << "\n";
        }
        fs::remove(fs::path(dir()) / "gap" / "report.json");
        e.training.epochs = 4;
        TrainerOptions o = options("gap");
        o.resume = true;
        Recorder second;
        Trainer(e, o).run(&second);
        QCOMPARE(second.plan.startEpoch, 3);
        QCOMPARE(lines(csv), 5); // the header and epochs 1 to 4
        std::ifstream in(csv);
        std::string line;
        for (int k = 0; k < 3; ++k)
            std::getline(in, line);
        QCOMPARE(line, lost);
    }

    void stopDuringValidationThenResume()
    {
        const auto ref = uninterrupted("ref_val");
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 4;
        Recorder first;
        first.stopInPhase = TrainingPhase::Validating;
        first.stopInPhaseCount = 2; // epoch 2's validation
        const TrainingReport stopped = Trainer(e, options("inval")).run(&first);
        QVERIFY(stopped.stopped);
        QCOMPARE(stopped.epochsCompleted, 1);
        Recorder second;
        TrainerOptions o = options("inval");
        o.resume = true;
        Trainer(e, o).run(&second);
        QCOMPARE(second.plan.startEpoch, 2);
        QCOMPARE(second.plan.startStep, std::int64_t(5)); // trained, not validated
        QCOMPARE(second.log[2], std::string("phase:validating")); // after preparing_data and started: no training
        sameAs(ref, "inval");
    }

    void pauseThenResumeContinuesTheSameRun()
    {
        const auto ref = uninterrupted("ref_pause");
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 4;
        Recorder rec;
        rec.pauseAfterBatches = 3;
        Trainer(e, options("pause")).run(&rec);
        const auto paused = std::find(rec.log.begin(), rec.log.end(), "phase:paused");
        QVERIFY(paused != rec.log.end());
        QCOMPARE(*(paused + 1), std::string("phase:training")); // back to the phase it paused in
        sameAs(ref, "pause");
    }

    void emptyValidationSplitSelectsByTrainingLoss()
    {
        // 90% train, no val, 10% test: val metrics would all be 0 and freeze the best epoch.
        LoadOptions lo;
        lo.split = {42, 0.9, 0.0, 0.1};
        CacheBuildOptions co;
        co.cacheRoot = dir() + "/cache";
        const std::string cache = buildTensorCache(loadDataset(m_data, lo), makeTrainingExperiment(m_data).preprocessing, co).dir;
        QVERIFY(TensorCache::open(cache).rows(Split::Val).empty());
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 8;
        e.training.patience = 2;
        TrainerOptions o = options("noval");
        o.cacheDir = cache;
        Recorder rec;
        const TrainingReport r = Trainer(e, o).run(&rec);
        QCOMPARE(rec.plan.selectionMetric, std::string("train_loss"));
        QVERIFY2(rec.plan.notice.find("no validation samples") != std::string::npos, rec.plan.notice.c_str());
        QCOMPARE(r.selectionMetric, std::string("train_loss"));
        QVERIFY(!r.val);
        QVERIFY(r.test);
        // The best epoch is the one with the lowest training loss in metrics.csv.
        std::ifstream csv(dir() + "/noval/metrics.csv");
        std::string row;
        std::getline(csv, row);
        int best = 0;
        double lowest = 1e300;
        while (std::getline(csv, row)) {
            int epoch;
            double trainLoss;
            QCOMPARE(std::sscanf(row.c_str(), "%d,%lf", &epoch, &trainLoss), 2);
            if (trainLoss < lowest) {
                lowest = trainLoss;
                best = epoch;
            }
        }
        QCOMPARE(r.bestEpoch, best);
        QVERIFY2(best > 1, "the best epoch moved on from epoch 1");
        QVERIFY(!rec.results.empty() && !rec.results[0].hasValidation);
    }

    void servicesRunTheDocumentedEventSequence()
    {
        Experiment e = makeTrainingExperiment(m_data);
        e.training.epochs = 2;
        e.training.threads = 1;
        const std::string exp = dir() + "/services.fuselab.json";
        e.save(exp);
        TrainRequest request;
        request.experimentFile = exp;
        request.runDir = dir() + "/services_run";
        request.cache = m_cache;
        torch::set_num_threads(2);
        Recorder rec;
        const TrainingReport r = trainExperiment(request, &rec);
        QCOMPARE(torch::get_num_threads(), 2); // the run used 1 and put the caller's count back
        QCOMPARE(rec.plan.threads, 1);
        QCOMPARE(rec.plan.stepsPerEpoch, std::int64_t(5));
        QCOMPARE(rec.plan.classes, (std::vector<std::string>{"bright", "dark", "mid"}));
        QVERIFY(rec.plan.parameters > 0);
        // docs/engine-api.md: preparing data, the plan, then per epoch training (batches),
        // validating, best.pt when it is the best, last.pt and the epoch; then testing and finished.
        std::vector<std::string> expected = {"phase:preparing_data", "started"};
        for (int epoch = 0; epoch < 2; ++epoch) {
            for (const char *x : {"phase:training", "batch", "phase:validating"})
                expected.push_back(x);
            if (rec.results[static_cast<std::size_t>(epoch)].best)
                expected.push_back("best.pt");
            expected.push_back("last.pt");
            expected.push_back("epoch");
        }
        expected.push_back("phase:testing");
        expected.push_back("finished");
        QCOMPARE(rec.log, expected);
        QCOMPARE(rec.results[0].valPredictions.size(), std::size_t(9)); // every val sample, with its prediction
        QCOMPARE(r.epochsCompleted, 2);
        // The run folder records where it came from, and the run history lists it first.
        const RunFolder run(request.runDir);
        QCOMPARE(run.status(), RunStatus::Finished);
        QCOMPARE(run.readRecord().cache, fs::absolute(m_cache).string());
        const auto history = listRuns(dir());
        QVERIFY(!history.empty());
        QCOMPARE(history.front().dir, request.runDir);
        QCOMPARE(history.front().epochsCompleted, 2);
        QCOMPARE(history.front().score, std::string("accuracy"));
        QVERIFY(history.front().testScore.has_value());
        QCOMPARE(*history.front().testScore, nlohmann::json::parse(test::readAll(request.runDir + "/report.json"))["test"]["accuracy"].get<double>());
        // A second run into the same folder is refused, saying why.
        try {
            trainExperiment(request, nullptr);
            QFAIL("overwrote a run");
        } catch (const Error &err) {
            QVERIFY2(std::string(err.what()).find("already holds a run") != std::string::npos, err.what());
        }
        // A folder whose lock names a live process reads as running; a dead one as interrupted.
        test::writeFile(run.lockFile(), nlohmann::json({{"pid", static_cast<long>(::getpid())}, {"host", ""}}).dump());
        QCOMPARE(run.status(), RunStatus::Running); // another host's lock cannot be checked
        fs::remove(run.lockFile());
    }

    void predictNewSamples()
    {
        // Fresh images like the training data: the prediction matches their class.
        const std::string dark = dir() + "/new_dark.pgm", bright = dir() + "/new_bright.pgm";
        std::string a = "P5\n8 8\n255\n", b = a;
        for (int p = 0; p < 64; ++p) {
            a += static_cast<char>(35 + p % 9);
            b += static_cast<char>(205 + p % 9);
        }
        test::writeFile(dark, a);
        test::writeFile(bright, b);
        std::string out, err;
        QVERIFY(!cliRun().empty());
        QCOMPARE(test::runCli({"predict", dir() + "/runA", dark, bright, "--json"}, &out, &err), 0);
        const auto j = nlohmann::json::parse(out);
        QCOMPARE(j.size(), std::size_t(2));
        QCOMPARE(j[0]["predicted"].get<std::string>(), std::string("dark"));
        QCOMPARE(j[1]["predicted"].get<std::string>(), std::string("bright"));
        double sum = 0;
        for (auto &[k, v] : j[0]["probabilities"].items())
            sum += v.get<double>();
        QVERIFY(std::abs(sum - 1.0) < 1e-6);
        // A manifest without labels, and the errors.
        test::writeFile(dir() + "/new.csv", "image\nnew_dark.pgm\nnew_bright.pgm\n");
        QCOMPARE(test::runCli({"predict", dir() + "/runA", dir() + "/new.csv"}, &out, &err), 0);
        QVERIFY2(out.find("dark") != std::string::npos && out.find("line 3:  bright") != std::string::npos, out.c_str());
        test::writeFile(dir() + "/broken.png", "not an image");
        QCOMPARE(test::runCli({"predict", dir() + "/runA", dir() + "/broken.png"}, &out, &err), 2);
        QVERIFY2(err.find("broken.png") != std::string::npos, err.c_str());
        QCOMPARE(test::runCli({"predict", dir() + "/runA", "--text", "hello"}, &out, &err), 2); // no text input
        QVERIFY2(err.find("no text input") != std::string::npos, err.c_str());
    }

    void classesMustMatchTheCache()
    {
        // Same number of classes, other names (a class folder renamed since the experiment
        // was made): refused, naming both lists, before anything trains.
        Experiment e = makeTrainingExperiment(m_data);
        e.dataset.classes = {"bright", "dim", "mid"};
        try {
            Trainer(e, options("renamed")).run();
            QFAIL("trained with mismatched class names");
        } catch (const Error &err) {
            const std::string m = err.what();
            QVERIFY2(m.find("bright, dark, mid") != std::string::npos && m.find("bright, dim, mid") != std::string::npos, err.what());
        }
        QVERIFY(!fs::exists(dir() + "/renamed/checkpoints/last.pt"));
    }

    void multiLabelEndToEnd()
    {
        // 8x8 images whose left and/or right half is bright: classes "left" and "right",
        // both, or none (a JSONL label list, [] for none).
        const std::string root = dir() + "/ml";
        auto image = [](bool left, bool right, int seed) {
            std::string pgm = "P5\n8 8\n255\n";
            for (int p = 0; p < 64; ++p) {
                const bool bright = (p % 8 < 4) ? left : right;
                pgm += static_cast<char>((bright ? 190 : 50) + (p * 13 + seed * 7) % 31 - 15);
            }
            return pgm;
        };
        std::string manifest;
        for (int i = 0; i < 96; ++i) {
            const bool left = i % 2, right = (i / 2) % 2;
            const std::string name = "img" + std::to_string(i) + ".pgm";
            test::writeFile(root + "/" + name, image(left, right, i));
            nlohmann::json labels = nlohmann::json::array();
            if (left)
                labels.push_back("left");
            if (right)
                labels.push_back("right");
            manifest += nlohmann::json({{"image", name}, {"label", labels}}).dump() + "\n";
        }
        test::writeFile(root + "/manifest.jsonl", manifest);

        std::string out, err;
        const std::string exp = dir() + "/ml.fuselab.json";
        QCOMPARE(test::runCli({"new", "--template", "image-cnn", "--dataset", root + "/manifest.jsonl", "-o", exp}, &out, &err), 0);
        Experiment e = Experiment::load(exp);
        QVERIFY(e.dataset.multiLabel);
        QCOMPARE(e.dataset.classes, (std::vector<std::string>{"left", "right"}));
        QCOMPARE(e.graph.node("head")->type, std::string("head.multilabel"));
        e.augmentation = AugmentSettings();
        e.training.epochs = 25;
        e.training.batchSize = 16;
        e.training.learningRate = 0.01;
        e.training.threads = 1;
        e.training.classWeights = true; // pos_weight per label
        e.training.weightedSampler = true;
        e.save(exp);

        const std::string run = dir() + "/mlrun";
        QCOMPARE(test::runCli({"train", exp, "--out", run, "--cache-dir", dir() + "/cache"}, &out, &err), 0);
        QVERIFY2(err.find("val exact-match") != std::string::npos, err.c_str());
        QVERIFY2(out.find("exact-match accuracy") != std::string::npos && out.find("per-label confusion") != std::string::npos, out.c_str());
        const auto report = nlohmann::json::parse(test::readAll(run + "/report.json"));
        QCOMPARE(report["test"]["task"].get<std::string>(), std::string("multi-label"));
        QVERIFY2(report["test"]["subset_accuracy"].get<double>() >= 0.9, report.dump().c_str());
        QVERIFY(report["val"]["macro"]["f1"].get<double>() >= 0.9);

        // The cache holds one 0/1 per sample and class; batches carry [B, classes] floats.
        const auto info = nlohmann::json::parse(test::readAll(run + "/run.json"));
        const TensorCache cache = TensorCache::open(info["cache"].get<std::string>());
        QVERIFY(cache.multiLabel());
        const auto rows = cache.rows(Split::Train);
        const CacheBatch b = cache.batch({rows.begin(), rows.begin() + 4});
        QCOMPARE(b.labels.sizes().vec(), (std::vector<std::int64_t>{4, 2}));
        for (int k = 0; k < 4; ++k) // sample i: left = i odd, right = (i / 2) odd; rows are in manifest order
            for (int c = 0; c < 2; ++c)
                QCOMPARE(b.labels[k][c].item<float>(), cache.hasClass(rows[static_cast<std::size_t>(k)], c) ? 1.f : 0.f);
        QCOMPARE(cache.hasClass(rows[0], 0), rows[0] % 2 == 1);
        QCOMPARE(cache.hasClass(rows[0], 1), (rows[0] / 2) % 2 == 1);

        // A single-label experiment on a multi-label cache is refused, saying why.
        TrainerOptions o = options("mismatch");
        o.cacheDir = cache.dir();
        Experiment single = makeTrainingExperiment(m_data);
        single.dataset.classes = {"left", "right"};
        try {
            Trainer(single, o).run();
            QFAIL("trained a single-label model on a multi-label cache");
        } catch (const Error &err) {
            QVERIFY2(std::string(err.what()).find("multi-label") != std::string::npos, err.what());
        }

        QCOMPARE(test::runCli({"eval", run, "--json"}, &out, &err), 0);
        const auto ev = nlohmann::json::parse(out);
        QCOMPARE(ev["label_confusion"].size(), std::size_t(2));
        QVERIFY(ev["subset_accuracy"].get<double>() >= 0.9);

        // Caches are disposable: with this one deleted, eval and predict rebuild it (same
        // key) and give the same answers.
        fs::remove_all(cache.dir());
        QCOMPARE(test::runCli({"eval", run, "--json"}, &out, &err), 0);
        QVERIFY(nlohmann::json::parse(out) == ev);
        QVERIFY(fs::exists(fs::path(cache.dir()) / "meta.json"));
        fs::remove_all(cache.dir());

        test::writeFile(dir() + "/both.pgm", image(true, true, 500));
        test::writeFile(dir() + "/none.pgm", image(false, false, 501));
        test::writeFile(dir() + "/right.pgm", image(false, true, 502));
        QCOMPARE(test::runCli({"predict", run, dir() + "/both.pgm", dir() + "/none.pgm", dir() + "/right.pgm", "--json"}, &out, &err), 0);
        const auto p = nlohmann::json::parse(out);
        QVERIFY2(p[0]["predicted"] == nlohmann::json({"left", "right"}), out.c_str());
        QVERIFY2(p[1]["predicted"] == nlohmann::json::array(), out.c_str());
        QVERIFY2(p[2]["predicted"] == nlohmann::json::array({"right"}), out.c_str());
        QVERIFY2(err.find("rebuilding it") == std::string::npos, "--json runs quietly");

        // Changed data: the rebuilt cache would differ, so eval refuses, naming the reason.
        fs::remove_all(cache.dir());
        test::writeFile(root + "/img0.pgm", image(true, true, 999));
        QCOMPARE(test::runCli({"eval", run}, &out, &err), 2);
        QVERIFY2(err.find("has changed since this run was trained") != std::string::npos, err.c_str());
    }

    void cliRefusesToOverwriteARun()
    {
        QVERIFY(!cliRun().empty());
        const std::string exp = m_cliExperiment;
        std::string out, err;
        QCOMPARE(test::runCli({"train", exp, "--out", dir() + "/runA", "--cache", m_cache}, &out, &err), 2);
        QVERIFY2(err.find("already holds a run") != std::string::npos, err.c_str());
        QCOMPARE(test::runCli({"eval", dir() + "/runA", "--json"}, &out, &err), 0);
        QVERIFY(nlohmann::json::parse(out)["accuracy"].get<double>() >= 0.9);
        QCOMPARE(test::runCli({"train", exp, "--device", "tpu", "--out", dir() + "/x", "--cache", m_cache}, &out, &err), 2);
        QVERIFY2(err.find("device must be auto, cpu, cuda or cuda:N") != std::string::npos, err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestTraining)
#include "test_training.moc"
