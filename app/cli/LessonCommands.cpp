// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli lesson and imbalance: the two lessons of docs/lessons.md.
// fuselab-cli train / eval.
#include "app/cli/CliArgs.h"
#include "app/cli/Commands.h"
#include "app/cli/RunOutput.h"

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
        stopOnSignals();
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
        stopOnSignals();
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

} // namespace fuselab::cli
