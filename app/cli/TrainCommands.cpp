// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli train / eval.
#include "app/cli/CliArgs.h"
#include "app/cli/Commands.h"
#include "app/cli/RunCache.h"

#include "core/train/Trainer.h"
#include "core/util/FileIO.h"

#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fuselab::cli {

namespace {

std::string fmt(double v, int decimals = 4)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Prints a bar per epoch (redrawn on a terminal) and a summary line per epoch.
class TrainProgress final : public TrainingObserver {
public:
    explicit TrainProgress(bool quiet) : m_quiet(quiet), m_tty(::isatty(STDERR_FILENO) != 0) {}
    void runStarted(const nlohmann::json &info) override
    {
        if (m_quiet)
            return;
        std::fprintf(stderr, "training on %s: %lld train / %lld val / %lld test samples, %lld parameters, epochs %d..%d\n",
                     info["device"].get<std::string>().c_str(), info["train_samples"].get<long long>(),
                     info["val_samples"].get<long long>(), info["test_samples"].get<long long>(), info["parameters"].get<long long>(),
                     info["start_epoch"].get<int>(), info["epochs"].get<int>());
    }
    void batchEnded(int epoch, std::int64_t step, std::int64_t steps, double loss, double sps) override
    {
        if (m_quiet || !m_tty)
            return;
        const int width = 24, filled = static_cast<int>(width * step / std::max<std::int64_t>(1, steps));
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        std::fprintf(stderr, "\repoch %3d [%s] %lld/%lld  loss %.4f  %.0f samples/s ", epoch, bar.c_str(), static_cast<long long>(step),
                     static_cast<long long>(steps), loss, sps);
        std::fflush(stderr);
    }
    void epochEnded(const EpochResult &r) override
    {
        if (m_quiet)
            return;
        if (m_tty)
            std::fputc('\r', stderr);
        std::fprintf(stderr, "epoch %3d  loss %.4f  val loss %.4f  %s %.4f  macro-F1 %.4f  %.0f samples/s  %.1fs%s\n", r.epoch,
                     r.trainLoss, r.valLoss, r.val.multiLabel ? "val exact-match" : "val acc", r.val.accuracy, r.val.macroF1,
                     r.samplesPerSecond, r.seconds, r.best ? "  *best" : "");
    }
    void earlyStopped(int epoch, const std::string &reason) override
    {
        if (!m_quiet)
            std::fprintf(stderr, "early stop after epoch %d: %s\n", epoch, reason.c_str());
    }

private:
    bool m_quiet, m_tty;
};

void printReport(const nlohmann::json &metrics, const std::vector<std::string> &classes, const char *title)
{
    const bool multi = metrics.value("task", "") == "multi-label";
    if (multi)
        std::printf("%s: exact-match accuracy %s, Hamming loss %s, micro-F1 %s, macro-F1 %s (a class is predicted when its "
                    "probability is above 0.5)\n",
                    title, fmt(metrics["subset_accuracy"].get<double>()).c_str(), fmt(metrics["hamming_loss"].get<double>()).c_str(),
                    fmt(metrics["micro"]["f1"].get<double>()).c_str(), fmt(metrics["macro"]["f1"].get<double>()).c_str());
    else
        std::printf("%s: accuracy %s, macro-F1 %s, weighted-F1 %s\n", title, fmt(metrics["accuracy"].get<double>()).c_str(),
                    fmt(metrics["macro"]["f1"].get<double>()).c_str(), fmt(metrics["weighted"]["f1"].get<double>()).c_str());
    std::size_t w = 8; // "weighted"
    for (auto &c : classes)
        w = std::max(w, c.size());
    std::printf("  %-*s %10s %10s %10s %9s\n", static_cast<int>(w), multi ? "label" : "class", "precision", "recall", "f1", "support");
    const auto &pc = metrics[multi ? "per_label" : "per_class"];
    for (std::size_t c = 0; c < classes.size(); ++c)
        std::printf("  %-*s %10s %10s %10s %9lld\n", static_cast<int>(w), classes[c].c_str(), fmt(pc["precision"][c].get<double>()).c_str(),
                    fmt(pc["recall"][c].get<double>()).c_str(), fmt(pc["f1"][c].get<double>()).c_str(), pc["support"][c].get<long long>());
    for (const char *avg : {"micro", "macro", "weighted"})
        if (metrics.contains(avg))
            std::printf("  %-*s %10s %10s %10s\n", static_cast<int>(w), avg, fmt(metrics[avg]["precision"].get<double>()).c_str(),
                        fmt(metrics[avg]["recall"].get<double>()).c_str(), fmt(metrics[avg]["f1"].get<double>()).c_str());
    if (multi) {
        std::printf("  per-label confusion (true negatives, false positives, false negatives, true positives)\n");
        for (std::size_t c = 0; c < classes.size(); ++c) {
            const auto &m = metrics["label_confusion"][c];
            std::printf("  %-*s %7lld %7lld %7lld %7lld\n", static_cast<int>(w), classes[c].c_str(), m[0][0].get<long long>(),
                        m[0][1].get<long long>(), m[1][0].get<long long>(), m[1][1].get<long long>());
        }
        return;
    }
    std::printf("  confusion (rows: true, columns: predicted)\n");
    for (auto &row : metrics["confusion"]) {
        std::printf("   ");
        for (auto &v : row)
            std::printf(" %6lld", v.get<long long>());
        std::printf("\n");
    }
}

std::string experimentDirOf(const std::string &file) { return fs::absolute(file).parent_path().string(); }

} // namespace

int trainCommand(const std::vector<std::string> &raw)
{
    return runCommand("train", [&]() -> int {
        const CliArgs a(raw, {"help", "quiet"}, {"out", "device", "epochs", "seed", "resume", "cache", "cache-dir", "threads"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli train EXPERIMENT [--out RUN_DIR] [--device auto|cpu|cuda] [--epochs N] [--seed N]\n"
                        "       fuselab-cli train --resume RUN_DIR\n\n"
                        "Trains the experiment's model. RUN_DIR receives the experiment as used, metrics.csv,\n"
                        "events.jsonl, checkpoints/last.pt and best.pt, and report.json. --resume continues an\n"
                        "interrupted run from its last checkpoint, with the same result as an uninterrupted run.\n"
                        "  --cache DIR       train from this tensor cache instead of preparing one from the dataset\n"
                        "  --cache-dir DIR   where prepared caches live\n"
                        "Exit codes: 0 trained, 1 the run failed (e.g. NaN loss), 2 bad usage or input.\n");
            return kExitOk;
        }
        TrainerOptions o;
        std::string experimentFile;
        std::string cache = a.value("cache").value_or("");
        if (auto resume = a.value("resume")) {
            o.runDir = *resume;
            o.resume = true;
            experimentFile = (fs::path(*resume) / "experiment.fuselab.json").string();
            if (!fs::exists(experimentFile))
                throw Error(*resume + " is not a run folder (no experiment.fuselab.json)");
        } else {
            if (a.positional().size() != 1)
                throw UsageError("train expects one EXPERIMENT file (or --resume RUN_DIR)");
            experimentFile = a.positional()[0];
            o.experimentDir = experimentDirOf(experimentFile);
            o.runDir = a.value("out").value_or((fs::path(o.experimentDir) / "runs" / fs::path(experimentFile).stem().stem()).string());
            if (fs::exists(fs::path(o.runDir) / "checkpoints"))
                throw UsageError(o.runDir + " already holds a run; choose another --out, or continue it with --resume " + o.runDir);
        }
        const Experiment e = Experiment::load(experimentFile);
        if (o.resume) {
            // The run's own cache (rebuilt if it was deleted), unless --cache names another.
            const RunInfo run = cache.empty() ? runCache(o.runDir, e, a.flag("quiet")) : readRunInfo(o.runDir);
            o.experimentDir = run.experimentDir;
            if (cache.empty())
                cache = run.cache;
        }
        if (auto d = a.value("device"))
            o.device = *d;
        Trainer::resolveDevice(o.device.value_or(e.training.device)); // a bad or unavailable device is bad usage (exit 2)
        if (a.value("epochs"))
            o.epochs = static_cast<int>(a.intValue("epochs", 1, 1, 100000));
        if (a.value("seed"))
            o.seed = static_cast<std::uint64_t>(a.intValue("seed", 0, 0, INT64_MAX));
        if (cache.empty())
            cache = prepareCache(e, o.experimentDir, a.value("cache-dir").value_or(""),
                                 static_cast<int>(a.intValue("threads", 0, 0, 1024)), a.flag("quiet"));
        o.cacheDir = cache;
        fs::create_directories(o.runDir);
        writeFileAtomically((fs::path(o.runDir) / "run.json").string(),
                            nlohmann::json({{"cache", fs::absolute(cache).string()}, {"experiment_dir", o.experimentDir}}).dump(2) + "\n");
        TrainProgress progress(a.flag("quiet"));
        nlohmann::json report;
        try {
            report = Trainer(e, o).run(&progress);
        } catch (const Error &err) {
            std::fprintf(stderr, "fuselab-cli train: %s\n", err.what());
            return kExitFailed;
        }
        if (report.contains("test"))
            printReport(report["test"], report["classes"].get<std::vector<std::string>>(),
                        ("test (best epoch " + std::to_string(report["best_epoch"].get<int>()) + ")").c_str());
        std::printf("run folder: %s\n", o.runDir.c_str());
        return kExitOk;
    });
}

int evalCommand(const std::vector<std::string> &raw)
{
    return runCommand("eval", [&]() -> int {
        const CliArgs a(raw, {"help", "json"}, {"split", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli eval RUN_DIR [--split val|test] [--json]\n\n"
                        "Per-class precision, recall, F1 and support, macro and weighted averages and the confusion\n"
                        "matrix of the run's best checkpoint on a split. Multi-label runs: per-label precision, recall,\n"
                        "F1 and support, micro/macro/weighted averages, exact-match accuracy, Hamming loss and each\n"
                        "label's true/false positives and negatives. A deleted tensor cache is rebuilt from the dataset.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("eval expects one RUN_DIR");
        const fs::path run(a.positional()[0]);
        const std::string splitName = a.value("split").value_or("test");
        const auto split = splitFromName(splitName);
        if (!split || *split == Split::Train)
            throw UsageError("--split must be val or test");
        const Experiment e = Experiment::load((run / "experiment.fuselab.json").string());
        const std::string checkpoint = (run / "checkpoints" / "best.pt").string();
        if (!fs::exists(checkpoint))
            throw Error(checkpoint + " does not exist: the run has not finished an epoch");
        const RunInfo info = runCache(run, e, a.flag("json"));
        const EvaluationMetrics m = evaluateCheckpoint(e, info.experimentDir, info.cache, checkpoint, *split,
                                                       a.value("device").value_or("auto"));
        if (a.flag("json")) {
            nlohmann::json j = m.toJson();
            j["split"] = splitName;
            j["classes"] = e.dataset.classes;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            printReport(m.toJson(), e.dataset.classes, splitName.c_str());
        }
        return kExitOk;
    });
}

} // namespace fuselab::cli
