// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli train / eval.
#include "app/cli/CliArgs.h"
#include "app/cli/Commands.h"
#include "app/cli/ProgressBar.h"

#include "core/export/Export.h"
#include "core/project/Lesson.h"
#include "core/project/Services.h"
#include "core/train/Explanation.h"
#include "core/train/Launch.h"
#include "core/train/Trainer.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
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

// SIGINT/SIGTERM ask the run to stop: it saves a checkpoint of where it is (at most one
// batch is lost) and `train --resume` continues it.
std::atomic<bool> g_stopRequested{false};
extern "C" void requestStop(int) { g_stopRequested = true; }

// Prints the cache build's progress, a bar per epoch (redrawn on a terminal) and a summary
// line per epoch.
class TrainProgress final : public LessonObserver {
public:
    void lessonRun(int index, int count, const LessonRun &run) override
    {
        m_bar.finishLine();
        std::fprintf(stderr, "== lesson run %d of %d: %s (%s)\n", index + 1, count, run.name.c_str(), run.templateName.c_str());
    }
    explicit TrainProgress(bool quiet) : m_quiet(quiet), m_tty(::isatty(STDERR_FILENO) != 0), m_bar(quiet) {}
    bool isCancelled() const override { return g_stopRequested; }
    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override { m_bar.onProgress(stage, done, total); }
    void runStarted(const RunPlan &p) override
    {
        m_bar.finishLine();
        if (m_quiet)
            return;
        std::fprintf(stderr, "training on %s (%d threads): %lld train / %lld val / %lld test samples, %lld parameters, epochs %d..%d",
                     p.device.c_str(), p.threads, static_cast<long long>(p.trainSamples), static_cast<long long>(p.valSamples),
                     static_cast<long long>(p.testSamples), static_cast<long long>(p.parameters), p.startEpoch, p.epochs);
        if (p.startStep > 0)
            std::fprintf(stderr, " (epoch %d from step %lld)", p.startEpoch, static_cast<long long>(p.startStep));
        std::fprintf(stderr, "\n");
        if (!p.notice.empty())
            std::fprintf(stderr, "note: %s\n", p.notice.c_str());
    }
    void batchEnded(const BatchEvent &b) override
    {
        if (m_quiet || !m_tty)
            return;
        const int width = 24, filled = static_cast<int>(width * b.step / std::max<std::int64_t>(1, b.steps));
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        std::fprintf(stderr, "\repoch %3d [%s] %lld/%lld  loss %.4f  %.0f samples/s ", b.epoch, bar.c_str(), static_cast<long long>(b.step),
                     static_cast<long long>(b.steps), b.loss, b.samplesPerSecond);
        std::fflush(stderr);
    }
    void epochEnded(const EpochResult &r) override
    {
        if (m_quiet)
            return;
        if (m_tty)
            std::fputc('\r', stderr);
        if (r.hasValidation)
            std::fprintf(stderr, "epoch %3d  loss %.4f  val loss %.4f  %s %.4f  macro-F1 %.4f  %.0f samples/s  %.1fs%s\n", r.epoch,
                         r.trainLoss, r.valLoss, r.val.multiLabel ? "val exact-match" : "val acc", r.val.accuracy, r.val.macroF1,
                         r.samplesPerSecond, r.seconds, r.best ? "  *best" : "");
        else
            std::fprintf(stderr, "epoch %3d  loss %.4f  (no validation samples)  %.0f samples/s  %.1fs%s\n", r.epoch, r.trainLoss,
                         r.samplesPerSecond, r.seconds, r.best ? "  *best" : "");
    }
    void earlyStopped(int epoch, const std::string &reason) override
    {
        if (!m_quiet)
            std::fprintf(stderr, "early stop after epoch %d: %s\n", epoch, reason.c_str());
    }
    void failed(const std::string &) override { m_failed = true; }
    bool runFailed() const { return m_failed; }

private:
    bool m_quiet, m_tty;
    bool m_failed = false;
    ProgressBar m_bar;
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

} // namespace

int trainCommand(const std::vector<std::string> &raw)
{
    return runCommand("train", [&]() -> int {
        const CliArgs a(raw, {"help", "quiet"}, {"out", "device", "epochs", "seed", "resume", "cache", "cache-dir", "threads", "init-weights"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli train EXPERIMENT [--out RUN_DIR] [--device auto|cpu|cuda|cuda:N] [--epochs N] [--seed N]\n"
                        "       fuselab-cli train --resume RUN_DIR [--device ...]\n\n"
                        "Trains the experiment's model. RUN_DIR (by default a new runs/NAME-DATE-TIME beside the\n"
                        "experiment, as the app names runs) receives the experiment as used (with --epochs,\n"
                        "--seed and --device applied), run.json, metrics.csv, events.jsonl, checkpoints/last.pt\n"
                        "and best.pt, and report.json. Ctrl+C (or SIGTERM) stops the run after the current batch\n"
                        "and saves where it is; --resume continues a stopped or interrupted run exactly, with the\n"
                        "settings it started with (only --device may change), and ends as an uninterrupted run would.\n"
                        "  --cache DIR       train from this tensor cache instead of preparing one from the dataset\n"
                        "  --cache-dir DIR   where prepared caches live\n"
                        "  --init-weights F  start from these weights instead of random ones: a model.safetensors\n"
                        "                    that fuselab-cli export wrote for the same graph\n"
                        "Exit codes: 0 trained (or stopped and resumable), 1 the run failed (e.g. NaN loss), 2 bad usage or input.\n");
            return kExitOk;
        }
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        // A distributed launch (torchrun, srun): join the process group first. Ranks other
        // than 0 print only errors; rank 0 reports as a single process does.
        const LaunchInfo launch = launchFromEnvironment();
        std::shared_ptr<Communicator> comm;
        std::optional<std::string> rankDevice;
        if (launch.distributed) {
            std::string device = a.value("device").value_or("");
            if (device.empty())
                device = a.value("resume") ? RunFolder(*a.value("resume")).readExperiment().training.device
                                           : (a.positional().empty() ? std::string("cpu") : Experiment::load(a.positional()[0]).training.device);
            device = Trainer::rankDevice(launch, device);
            rankDevice = device;
            comm = joinProcessGroup(launch, device, distributedTimeout());
        }
        TrainProgress progress(a.flag("quiet") || launch.rank != 0);
        TrainingReport report;
        std::string runDir;
        try {
            if (auto resume = a.value("resume")) {
                if (!a.positional().empty())
                    throw UsageError("--resume continues a run: give RUN_DIR only, not an EXPERIMENT");
                if (a.value("epochs") || a.value("seed") || a.value("init-weights"))
                    throw UsageError("a resumed run keeps the epochs and seed it started with (see its experiment.fuselab.json); "
                                     "start a new run to change them");
                ResumeRequest r;
                r.runDir = runDir = *resume;
                r.device = rankDevice ? rankDevice : a.value("device");
                r.cache = a.value("cache").value_or("");
                r.comm = comm;
                report = resumeRun(r, &progress);
            } else {
                if (a.positional().size() != 1)
                    throw UsageError("train expects one EXPERIMENT file (or --resume RUN_DIR)");
                TrainRequest r;
                r.experimentFile = a.positional()[0];
                r.runDir = a.value("out").value_or(""); // "" = a new folder under runs/ (newRunDir)
                r.device = rankDevice ? rankDevice : a.value("device");
                r.comm = comm;
                if (a.value("epochs"))
                    r.epochs = static_cast<int>(a.intValue("epochs", 1, 1, 100000));
                if (a.value("seed"))
                    r.seed = static_cast<std::uint64_t>(a.intValue("seed", 0, 0, INT64_MAX));
                r.cache = a.value("cache").value_or("");
                r.initWeights = a.value("init-weights").value_or("");
                if (!r.initWeights.empty() && !fs::exists(r.initWeights))
                    throw UsageError("--init-weights " + r.initWeights + ": no such file");
                r.cacheRequest.cacheRoot = a.value("cache-dir").value_or("");
                r.cacheRequest.threads = static_cast<int>(a.intValue("threads", 0, 0, 1024));
                if (!r.cache.empty() && !fs::exists(fs::path(r.cache) / "meta.json"))
                    throw UsageError("--cache " + r.cache + " is not a tensor cache (no meta.json)");
                report = trainExperiment(r, &progress);
            }
            runDir = report.runDir;
        } catch (const Cancelled &) {
            std::fprintf(stderr, "fuselab-cli train: stopped before training began\n");
            return kExitOk;
        } catch (const Error &err) {
            // Bad input and refusals before training are usage errors; a run that failed is not.
            if (!progress.runFailed())
                throw;
            std::fprintf(stderr, "fuselab-cli train: %s%s\n", err.what(), cliHint(err).c_str());
            return kExitFailed;
        }
        if (launch.rank != 0) // rank 0 reports the run
            return kExitOk;
        if (report.stopped) {
            std::fprintf(stderr, "stopped after %d complete epoch(s); continue with: fuselab-cli train --resume %s\n",
                         report.epochsCompleted, runDir.c_str());
        } else if (report.test) {
            printReport(report.test->toJson(), report.classes, ("test (best epoch " + std::to_string(report.bestEpoch) + ")").c_str());
        }
        std::printf("run folder: %s\n", runDir.c_str());
        return kExitOk;
    });
}

int lessonCommand(const std::vector<std::string> &raw)
{
    return runCommand("lesson", [&]() -> int {
        const CliArgs a(raw, {"help", "quiet"}, {"out", "fusions", "epochs", "seed", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli lesson DATASET --out DIR [--fusions concat,late-fusion,...] [--epochs N] [--seed N] [--device D]\n\n"
                        "The fusion lesson: trains, one after another with the same seed and each template's\n"
                        "defaults, a model per single modality and one per fusion (default: concat, late-fusion,\n"
                        "attention-fusion, gated-fusion), compares their test accuracy, macro-F1, parameters and\n"
                        "time, says whether fusion beats the best single modality, and measures what each modality\n"
                        "brings to the best fusion by removing it. Writes DIR/lesson.json, DIR/lesson.md and the\n"
                        "runs under DIR/runs. Ctrl+C stops the current run (kept, resumable) and skips the rest.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("lesson expects one DATASET");
        LessonRequest r;
        r.dataset = a.positional()[0];
        r.outDir = a.value("out").value_or("");
        if (r.outDir.empty())
            throw UsageError("lesson needs --out DIR");
        if (const auto f = a.value("fusions")) {
            r.fusions.clear();
            for (std::size_t start = 0; start <= f->size();) {
                const std::size_t comma = std::min(f->find(',', start), f->size());
                if (comma > start)
                    r.fusions.push_back(f->substr(start, comma - start));
                start = comma + 1;
            }
        }
        if (a.value("epochs"))
            r.epochs = static_cast<int>(a.intValue("epochs", 1, 1, 100000));
        if (a.value("seed"))
            r.seed = static_cast<std::uint64_t>(a.intValue("seed", 0, 0, INT64_MAX));
        r.device = a.value("device");
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        TrainProgress progress(a.flag("quiet"));
        Lesson lesson;
        try {
            lesson = runLesson(r, &progress);
        } catch (const Cancelled &) {
            std::fprintf(stderr, "fuselab-cli lesson: stopped before the first run began\n");
            return kExitOk;
        }
        std::printf("%s", lesson.markdown().c_str());
        std::printf("\nlesson folder: %s\n", r.outDir.c_str());
        return kExitOk;
    });
}

int imbalanceCommand(const std::vector<std::string> &raw)
{
    return runCommand("imbalance", [&]() -> int {
        const CliArgs a(raw, {"help", "quiet"}, {"out", "class", "ratio", "template", "epochs", "seed", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli imbalance DATASET --class NAME [--ratio 0.05] --out DIR [--template T] [--epochs N]\n\n"
                        "The imbalance lesson: makes class NAME rare in the training split only (it keeps so many of\n"
                        "its samples that they are RATIO of the split; validation and test untouched), then trains\n"
                        "four runs: no remedy, class weights, the class-balanced sampler, and oversampling with\n"
                        "augmentation, and compares per-class recall and macro-F1. Writes DIR/imbalance.json and\n"
                        "DIR/imbalance.md and the runs under DIR/runs.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("imbalance expects one DATASET");
        ImbalanceRequest r;
        r.dataset = a.positional()[0];
        r.outDir = a.value("out").value_or("");
        r.rareClass = a.value("class").value_or("");
        if (r.outDir.empty() || r.rareClass.empty())
            throw UsageError("imbalance needs --class NAME and --out DIR");
        if (const auto ratio = a.value("ratio")) {
            char *end = nullptr;
            r.ratio = std::strtod(ratio->c_str(), &end);
            if (*end || !(r.ratio > 0 && r.ratio < 1))
                throw UsageError("--ratio must be a fraction between 0 and 1 (e.g. 0.05)");
        }
        r.templateName = a.value("template").value_or("");
        if (a.value("epochs"))
            r.epochs = static_cast<int>(a.intValue("epochs", 1, 1, 100000));
        if (a.value("seed"))
            r.seed = static_cast<std::uint64_t>(a.intValue("seed", 0, 0, INT64_MAX));
        r.device = a.value("device");
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        TrainProgress progress(a.flag("quiet"));
        ImbalanceLesson lesson;
        try {
            lesson = runImbalanceLesson(r, &progress);
        } catch (const Cancelled &) {
            std::fprintf(stderr, "fuselab-cli imbalance: stopped before the first run began\n");
            return kExitOk;
        }
        std::printf("%s\nlesson folder: %s\n", lesson.markdown().c_str(), r.outDir.c_str());
        return kExitOk;
    });
}

int explainCommand(const std::vector<std::string> &raw)
{
    return runCommand("explain", [&]() -> int {
        const CliArgs a(raw, {"help", "json"}, {"row", "class", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli explain RUN_DIR --row N [--class NAME] [--json]\n\n"
                        "Why the run's best checkpoint predicts what it does for sample N of its tensor cache (the row\n"
                        "numbers predictions-*.jsonl and the app's galleries use): the class probabilities and, for\n"
                        "each image encoder, a Grad-CAM map of where the image speaks for the class (the predicted\n"
                        "one, or --class), drawn coarsely here and in full with --json; for each audio input, an\n"
                        "occlusion map over its log-mel (the class's probability lost when a band x time cell is\n"
                        "replaced by the clip's background); for each text input, each token's importance (the probability lost without it);\n"
                        "and the modality weights of attention and gated fusions.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1 || !a.value("row"))
            throw UsageError("explain expects RUN_DIR and --row N");
        const RunFolder run(a.positional()[0]);
        const std::vector<std::string> classes = run.readExperiment().dataset.classes;
        int target = -1;
        if (const auto c = a.value("class")) {
            const auto it = std::find(classes.begin(), classes.end(), *c);
            if (it == classes.end())
                throw UsageError("--class " + *c + ": not one of the run's classes");
            target = static_cast<int>(it - classes.begin());
        }
        ProgressBar progress(true);
        const RunRecord record = ensureRunCache(run, &progress);
        const SampleExplanation ex = explainSample(run.dir(), record.cache, a.intValue("row", 0, 0, INT64_MAX), target,
                                                   a.value("device").value_or("cpu"));
        const auto name = [&](int c) { return c >= 0 && c < static_cast<int>(classes.size()) ? classes[static_cast<std::size_t>(c)] : std::string("?"); };
        if (a.flag("json")) {
            std::printf("%s\n", explanationJson(ex, classes).c_str());
            return kExitOk;
        }
        std::printf("row %lld: label %s, predicted %s (%.1f%%); explaining %s\n", static_cast<long long>(ex.row), name(ex.label).c_str(),
                    name(ex.predicted).c_str(), 100.0 * ex.probabilities[static_cast<std::size_t>(ex.predicted)], name(ex.target).c_str());
        const char *shades = " .:-=+*#%@";
        for (const GradCamMap &m : ex.maps) {
            std::printf("Grad-CAM of %s (%dx%d), darkest = least, @ = most:\n", m.node.c_str(), m.width, m.height);
            const int rows = std::min(m.height, 16), cols = std::min(m.width, 32);
            for (int r = 0; r < rows; ++r) {
                std::string line = "  ";
                for (int c = 0; c < cols; ++c) {
                    const int y = r * m.height / rows, x = c * m.width / cols;
                    const float v = m.values[static_cast<std::size_t>(y * m.width + x)];
                    line += shades[std::min(9, static_cast<int>(v * 10))];
                }
                std::printf("%s\n", line.c_str());
            }
        }
        for (const OcclusionMap &m : ex.audio) {
            float top = 0;
            for (float v : m.values)
                top = std::max(top, std::abs(v));
            std::printf("Occlusion over the log-mel of column %d (%d bands x %d time segments, high bands on top; @ = the\n"
                        "largest loss of probability, %.3f):\n", m.column, m.bands, m.segments, top);
            for (int b = m.bands - 1; b >= 0; --b) {
                std::string line = "  ";
                for (int t = 0; t < m.segments; ++t) {
                    const float v = m.values[static_cast<std::size_t>(b * m.segments + t)];
                    line += top > 0 && v > 0 ? shades[std::min(9, static_cast<int>(v / top * 10))] : ' ';
                }
                std::printf("%s\n", line.c_str());
            }
        }
        for (const TokenImportance &t : ex.text) {
            std::printf("Token importance in column %d (probability lost without the token):\n", t.column);
            for (std::size_t i = 0; i < t.tokens.size(); ++i)
                std::printf("  %-20s %+.3f\n", t.tokens[i].c_str(), t.importance[i]);
        }
        for (const ModalityWeights &w : ex.weights) {
            std::printf("Modality weights of %s (%s):", w.node.c_str(), w.kind.c_str());
            for (std::size_t i = 0; i < w.modalities.size(); ++i)
                std::printf(" %s %.1f%%", w.modalities[i].c_str(), 100.0 * w.weights[i]);
            std::printf("\n");
        }
        for (const ModalityEffect &m : ex.without)
            std::printf("Without %s: %s %.1f%% (predicted %s)\n", m.modality.c_str(), name(ex.target).c_str(), 100.0 * m.probability,
                        name(m.predicted).c_str());
        if (ex.maps.empty() && ex.audio.empty() && ex.text.empty())
            std::printf("(this model reads no input FuseLab can explain)\n");
        return kExitOk;
    });
}

int contributionsCommand(const std::vector<std::string> &raw)
{
    return runCommand("contributions", [&]() -> int {
        const CliArgs a(raw, {"help", "json"}, {"split", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli contributions RUN_DIR [--split val|test] [--json]\n\n"
                        "What each modality brings to a trained model: the best checkpoint's accuracy and macro-F1\n"
                        "with every modality, then with each modality removed in turn through the model's\n"
                        "missing-modality mask. A fusion that leans on one modality loses most without it.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("contributions expects one RUN_DIR");
        const auto split = splitFromName(a.value("split").value_or("test"));
        if (!split || *split == Split::Train)
            throw UsageError("--split must be val or test");
        const RunFolder run(a.positional()[0]);
        ProgressBar progress(a.flag("json"));
        const RunRecord record = ensureRunCache(run, &progress);
        const auto cs = modalityContributions(run.readExperiment(), record.experimentDir, record.cache, run.bestCheckpoint(), *split,
                                              a.value("device").value_or("auto"), &progress);
        progress.finishLine();
        if (a.flag("json")) {
            nlohmann::json j = nlohmann::json::array();
            for (const auto &c : cs)
                j.push_back({{"removed", c.removed}, {"metrics", c.metrics.toJson()}});
            std::printf("%s\n", j.dump(2).c_str());
            return kExitOk;
        }
        std::printf("%-24s %14s %10s\n", "removed", "accuracy", "macro-F1");
        for (const auto &c : cs)
            std::printf("%-24s %14.4f %10.4f\n", c.removed.empty() ? "(nothing)" : c.removed.c_str(), c.metrics.accuracy, c.metrics.macroF1);
        const std::vector<std::string> classes = run.readExperiment().dataset.classes;
        for (const FusionWeightsByClass &w : fusionWeightsByClass(run.dir(), record.cache, a.value("split").value_or("test"),
                                                                  a.value("device").value_or("auto"), &progress)) {
            std::printf("\nModality weights of %s (%s), averaged per true class:\n%-24s", w.node.c_str(), w.kind.c_str(), "class");
            for (const auto &m : w.modalities)
                std::printf(" %12s", m.c_str());
            for (std::size_t c = 0; c < w.perClass.size(); ++c) {
                std::printf("\n%-24s", c < classes.size() ? classes[c].c_str() : "?");
                for (double v : w.perClass[c])
                    std::printf(" %11.1f%%", 100 * v);
            }
            std::printf("\n%-24s", "(all)");
            for (double v : w.overall)
                std::printf(" %11.1f%%", 100 * v);
            std::printf("\n");
        }
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
        const std::string splitName = a.value("split").value_or("test");
        const auto split = splitFromName(splitName);
        if (!split || *split == Split::Train)
            throw UsageError("--split must be val or test");
        const RunFolder run(a.positional()[0]);
        ProgressBar progress(a.flag("json"));
        const EvaluationMetrics m = evaluateRun(run.dir(), *split, a.value("device").value_or("auto"), &progress);
        progress.finishLine();
        const std::vector<std::string> classes = run.readExperiment().dataset.classes;
        if (a.flag("json")) {
            nlohmann::json j = m.toJson();
            j["split"] = splitName;
            j["classes"] = classes;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            printReport(m.toJson(), classes, splitName.c_str());
        }
        return kExitOk;
    });
}

int exportCommand(const std::vector<std::string> &raw)
{
    return runCommand("export", [&]() -> int {
        std::vector<std::string> args = raw;
        std::replace(args.begin(), args.end(), std::string("-o"), std::string("--output"));
        const CliArgs a(args, {"help", "force"}, {"format", "output", "cache"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli export RUN_DIR --format safetensors|torchscript|onnx|pytorch|all -o DIR [--force]\n\n"
                        "Writes the run's best checkpoint for other tools into DIR: model.safetensors (the weights\n"
                        "by FuseLab's names, class names in its metadata) with experiment.fuselab.json, model.pt\n"
                        "(TorchScript, for torch.jit.load and torch::jit::load), model.onnx (ONNX opset 17, for\n"
                        "ONNX Runtime and OpenCV's dnn), and preprocessing.json (how raw files become the model's\n"
                        "inputs), the text inputs' tokenizers and a README. DIR is written whole or not at all; an\n"
                        "existing non-empty DIR needs --force. Several formats: --format safetensors,onnx. 'all'\n"
                        "(the default) leaves out, with a warning, a format the model cannot be written in.\n"
                        "pytorch: model.py (an nn.Module per block, loading model.safetensors) and train.py\n"
                        "(continues training in PyTorch, one process or several with torchrun).\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("export expects one RUN_DIR");
        ExportRequest r;
        r.runDir = a.positional()[0];
        const std::string formats = a.value("format").value_or("all");
        for (std::size_t start = 0; start <= formats.size();) {
            const std::size_t comma = std::min(formats.find(',', start), formats.size());
            if (comma > start)
                r.formats.push_back(formats.substr(start, comma - start));
            start = comma + 1;
        }
        r.outDir = a.value("output").value_or("");
        if (r.outDir.empty())
            throw UsageError("export needs -o DIR, the folder to write");
        r.overwrite = a.flag("force");
        r.cacheDir = a.value("cache").value_or("");
        ProgressBar progress(false);
        if (r.cacheDir.empty()) // a deleted cache is rebuilt, as for eval and predict
            ensureRunCache(RunFolder(r.runDir), &progress);
        const ExportResult result = exportRun(r, &progress);
        progress.finishLine();
        for (const std::string &f : result.files)
            std::printf("%s\n", (fs::path(result.outDir) / f).string().c_str());
        for (const auto &[format, why] : result.skipped)
            std::fprintf(stderr, "warning: not exported as %s: %s\n", format.c_str(), why.str().c_str());
        return kExitOk;
    });
}

} // namespace fuselab::cli
