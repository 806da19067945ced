// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli inspect / cache: the commands that read raw datasets.
#include "app/cli/CliArgs.h"
#include "app/cli/DatasetArgs.h"
#include "app/cli/Commands.h"
#include "app/cli/ProgressBar.h"

#include "core/util/Error.h"

#ifdef FUSELAB_WITH_INGEST
#include "core/cache/TensorCacheBuilder.h"
#include "core/data/DatasetLoader.h"
#include "core/inspect/DatasetInspector.h"
#include "core/project/Services.h"
#include "core/util/FileIO.h"
#endif

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace fuselab::cli {

namespace {

[[maybe_unused]] int notInThisBuild(const char *command)
{
    std::fprintf(stderr,
                 "fuselab-cli %s: this build has no data ingestion (configured with FUSELAB_WITH_INGEST=OFF); "
                 "prepare the tensor cache on a machine with the full build\n", command);
    return kExitUsage;
}

} // namespace

int inspectCommand(const std::vector<std::string> &raw)
{
#ifndef FUSELAB_WITH_INGEST
    (void)raw;
    return notInThisBuild("inspect");
#else
    return runCommand("inspect", [&] {
        std::set<std::string> options = kReaderOptions;
        const CliArgs a(raw, {"json", "help", "quiet"}, options, {"column"});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli inspect DATASET [--json] [options]\n\n"
                        "Checks a dataset before training: samples per class, split and modality, samples\n"
                        "missing a modality, unreadable or corrupt files with the reason, duplicate files,\n"
                        "class imbalance, image sizes, audio durations and sample rates, text lengths.\n"
                        "Exit 0 when the dataset is usable (even with skipped samples), 2 when it is not.\n\n"
                        "  --json                  print the report as JSON (docs/formats.md)\n"
                        "  --quiet                 no progress output on stderr\n%s", kReaderHelp);
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("inspect expects exactly one DATASET path");
        ProgressBar progress(a.flag("quiet"));
        const Dataset d = openDataset(a.positional()[0], readerOptions(a), &progress);
        const nlohmann::json report = healthReport(d, static_cast<int>(a.intValue("threads", 0, 0, 1024)), &progress);
        progress.finishLine();
        if (a.flag("json"))
            std::printf("%s\n", report.dump(2).c_str());
        else
            std::fputs(formatInspectReport(report).c_str(), stdout);
        if (!report["usable"].get<bool>()) {
            std::fprintf(stderr, "fuselab-cli inspect: %s is not usable: %s\n", a.positional()[0].c_str(),
                         report["verdict"].get<std::string>().c_str());
            return kExitUsage;
        }
        return kExitOk;
    });
#endif
}

int cacheCommand(const std::vector<std::string> &raw)
{
#ifndef FUSELAB_WITH_INGEST
    (void)raw;
    return notInThisBuild("cache");
#else
    return runCommand("cache", [&] {
        std::set<std::string> options = kReaderOptions;
        options.insert({"settings", "cache-dir", "image-size", "channels"});
        const CliArgs a(raw, {"help", "force", "quiet"}, options, {"column"});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli cache DATASET [options]\n\n"
                        "Preprocesses every sample once, on every core, into a tensor cache keyed by the\n"
                        "dataset's content and the settings, and prints the cache folder. A second run with\n"
                        "the same data and settings reuses it.\n\n"
                        "  --settings FILE.json    preprocessing settings (docs/formats.md)\n"
                        "  --image-size WxH        image size (default 64x64)\n"
                        "  --channels 0|1|3        image channels; 0 decides from the data\n"
                        "  --cache-dir DIR         where caches live (default $FUSELAB_CACHE_DIR or ~/.cache/fuselab)\n"
                        "  --force                 rebuild even if a matching cache exists\n"
                        "  --quiet                 no progress output\n%s", kReaderHelp);
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("cache expects exactly one DATASET path");
        PreprocessSettings settings;
        if (auto file = a.value("settings")) {
            const nlohmann::json j = nlohmann::json::parse(readFile(*file), nullptr, false);
            if (j.is_discarded())
                throw Error(*file + ": not valid JSON");
            settings = PreprocessSettings::fromJson(j);
        }
        if (auto size = a.value("image-size")) {
            int w = 0, h = 0;
            if (std::sscanf(size->c_str(), "%dx%d", &w, &h) != 2 || w <= 0 || h <= 0 || w > 4096 || h > 4096)
                throw UsageError("--image-size expects WxH such as 64x64, not \"" + *size + "\"");
            settings.image.width = w;
            settings.image.height = h;
        }
        settings.image.channels = static_cast<int>(a.intValue("channels", settings.image.channels, 0, 3));
        if (settings.image.channels == 2)
            throw UsageError("--channels must be 0, 1 or 3");

        const auto start = std::chrono::steady_clock::now();
        const Dataset d = loadDataset(a.positional()[0], readerOptions(a));
        for (const DataIssue &i : d.issues)
            std::fprintf(stderr, "%s\n", i.toString().c_str());
        CacheBuildOptions co;
        co.cacheRoot = a.value("cache-dir").value_or("");
        co.force = a.flag("force");
        co.threads = static_cast<int>(a.intValue("threads", 0, 0, 1024));
        CacheBuildResult r;
        {
            ProgressBar progress(a.flag("quiet"));
            r = buildTensorCache(d, settings, co, &progress);
        }
        for (const DataIssue &i : r.issues)
            std::fprintf(stderr, "%s\n", i.toString().c_str());
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!a.flag("quiet"))
            std::fprintf(stderr, "%s %zu samples in %.2fs\n", r.reused ? "reused cache of" : "cached", d.samples.size(), secs);
        std::printf("%s\n", r.dir.c_str());
        return kExitOk;
    });
#endif
}

} // namespace fuselab::cli
