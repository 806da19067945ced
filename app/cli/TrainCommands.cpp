// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli train: a new run, or a resumed one (also one rank of a distributed launch).
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
        stopOnSignals();
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

} // namespace fuselab::cli
