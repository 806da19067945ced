// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/RunOutput.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace fuselab::cli {

namespace {

std::string fmt(double v, int decimals = 4)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::atomic<bool> g_stopRequested{false};
extern "C" void requestStop(int) { g_stopRequested = true; }

} // namespace

void stopOnSignals()
{
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
}

TrainProgress::TrainProgress(bool quiet) : m_quiet(quiet), m_tty(::isatty(STDERR_FILENO) != 0), m_bar(quiet) {}

bool TrainProgress::isCancelled() const { return g_stopRequested; }

void TrainProgress::lessonRun(int index, int count, const LessonRun &run)
{
    m_bar.finishLine();
    std::fprintf(stderr, "== lesson run %d of %d: %s (%s)\n", index + 1, count, run.name.c_str(), run.templateName.c_str());
}

void TrainProgress::runStarted(const RunPlan &p)
{
    m_bar.finishLine();
    // What the data had wrong, as `cache` prints it, quiet or not (the first 20; events.jsonl keeps 200).
    for (std::size_t i = 0; i < p.dataIssues.size() && i < 20; ++i)
        std::fprintf(stderr, "%s\n", p.dataIssues[i].toString().c_str());
    if (p.dataIssues.size() > 20)
        std::fprintf(stderr, "... and %zu more (events.jsonl in the run folder lists them)\n", p.dataIssues.size() - 20);
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

void TrainProgress::batchEnded(const BatchEvent &b)
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

void TrainProgress::epochEnded(const EpochResult &r)
{
    if (m_quiet)
        return;
    if (m_tty)
        std::fputc('\r', stderr);
    if (r.hasValidation && r.val.regression)
        std::fprintf(stderr, "epoch %3d  loss %.4f  val loss %.4f  val RMSE %.4f  MAE %.4f  R² %.4f  %.0f samples/s  %.1fs%s\n", r.epoch,
                     r.trainLoss, r.valLoss, r.val.numbers.rmse, r.val.numbers.mae, r.val.numbers.r2, r.samplesPerSecond, r.seconds,
                     r.best ? "  *best" : "");
    else if (r.hasValidation && r.val.sequence)
        std::fprintf(stderr, "epoch %3d  loss %.4f  val loss %.4f  val BLEU %.2f  chrF %.2f  WER %.4f  CER %.4f  %.0f samples/s  %.1fs%s\n",
                     r.epoch, r.trainLoss, r.valLoss, r.val.text.bleu, r.val.text.chrf, r.val.text.wer, r.val.text.cer, r.samplesPerSecond,
                     r.seconds, r.best ? "  *best" : "");
    else if (r.hasValidation)
        std::fprintf(stderr, "epoch %3d  loss %.4f  val loss %.4f  %s %.4f  macro-F1 %.4f  %.0f samples/s  %.1fs%s\n", r.epoch,
                     r.trainLoss, r.valLoss, r.val.multiLabel ? "val exact-match" : "val acc", r.val.accuracy, r.val.macroF1,
                     r.samplesPerSecond, r.seconds, r.best ? "  *best" : "");
    else
        std::fprintf(stderr, "epoch %3d  loss %.4f  (no validation samples)  %.0f samples/s  %.1fs%s\n", r.epoch, r.trainLoss,
                     r.samplesPerSecond, r.seconds, r.best ? "  *best" : "");
}

void TrainProgress::earlyStopped(int epoch, const std::string &reason)
{
    if (!m_quiet)
        std::fprintf(stderr, "early stop after epoch %d: %s\n", epoch, reason.c_str());
}

void printReport(const nlohmann::json &metrics, const std::vector<std::string> &classes, const char *title)
{
    if (metrics.value("task", "") == "regression") {
        std::printf("%s: MAE %s, RMSE %s, Pearson r %s, R² %s (%lld samples)\n", title, fmt(metrics["mae"].get<double>()).c_str(),
                    fmt(metrics["rmse"].get<double>()).c_str(), fmt(metrics["pearson"].get<double>()).c_str(),
                    fmt(metrics["r2"].get<double>()).c_str(), metrics["samples"].get<long long>());
        return;
    }
    if (metrics.value("task", "") == "sequence") {
        std::printf("%s: BLEU %s, chrF %s, exact match %s%%, WER %s, CER %s (%lld samples)\n", title, fmt(metrics["bleu"].get<double>()).c_str(),
                    fmt(metrics["chrf"].get<double>()).c_str(), fmt(metrics["exact_match"].get<double>()).c_str(),
                    fmt(metrics["wer"].get<double>()).c_str(), fmt(metrics["cer"].get<double>()).c_str(), metrics["samples"].get<long long>());
        return;
    }
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


} // namespace fuselab::cli
