// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/RunCache.h"

#include "app/cli/CliArgs.h"
#include "app/cli/ProgressBar.h"
#include "core/util/FileIO.h"

#ifdef FUSELAB_WITH_INGEST
#include "core/cache/TensorCacheBuilder.h"
#include "core/data/DatasetLoader.h"
#endif

#include <cstdio>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace fuselab::cli {

std::string prepareCache(const Experiment &e, const std::string &experimentDir, const std::string &cacheRoot, int threads, bool quiet)
{
#ifdef FUSELAB_WITH_INGEST
    LoadOptions lo;
    lo.reader.labelColumn = e.dataset.labelColumn;
    for (auto &[col, kind] : e.dataset.columnTypes)
        lo.reader.columnTypes[col] = columnTypeFromName(kind).value_or(ColumnType::Ignore); // validated on load
    lo.split = {e.dataset.splitSeed, e.dataset.split[0], e.dataset.split[1], e.dataset.split[2]};
    const fs::path dataPath = fs::path(e.dataset.path).is_absolute() ? fs::path(e.dataset.path) : fs::path(experimentDir) / e.dataset.path;
    const Dataset d = loadDataset(dataPath.string(), lo);
    CacheBuildOptions co;
    co.cacheRoot = cacheRoot;
    co.threads = threads;
    CacheBuildResult r;
    {
        ProgressBar progress(quiet); // decoding a large dataset takes minutes
        r = buildTensorCache(d, e.preprocessing, co, &progress);
    }
    if (!quiet) {
        // What was skipped, so that nobody trains on less data than they think.
        std::vector<std::string> lines;
        for (const DataIssue &i : d.issues)
            lines.push_back(i.toString());
        for (const DataIssue &i : r.issues)
            lines.push_back(i.toString());
        constexpr std::size_t shown = 20;
        for (std::size_t k = 0; k < lines.size() && k < shown; ++k)
            std::fprintf(stderr, "%s\n", lines[k].c_str());
        if (lines.size() > shown)
            std::fprintf(stderr, "... and %zu more (fuselab-cli inspect lists them all)\n", lines.size() - shown);
        std::fprintf(stderr, "%s tensor cache %s (%zu samples, %zu skipped fields)\n", r.reused ? "using" : "built", r.dir.c_str(),
                     d.samples.size(), r.issues.size());
    }
    return r.dir;
#else
    (void)e, (void)experimentDir, (void)cacheRoot, (void)threads, (void)quiet;
    throw UsageError("this build has no data ingestion: pass --cache DIR with a tensor cache prepared elsewhere");
#endif
}

RunInfo readRunInfo(const fs::path &runDir)
{
    const fs::path runJson = runDir / "run.json";
    if (!fs::exists(runJson))
        throw Error(runDir.string() + " is not a run folder (no run.json)");
    const nlohmann::json info = nlohmann::json::parse(readFile(runJson.string()), nullptr, false);
    if (info.is_discarded() || !info.is_object())
        throw Error(runJson.string() + " is corrupt");
    const RunInfo run{info.value("cache", ""), info.value("experiment_dir", "")};
    if (run.cache.empty())
        throw Error(runJson.string() + " names no tensor cache");
    return run;
}

RunInfo runCache(const fs::path &runDir, const Experiment &e, bool quiet)
{
    const RunInfo run = readRunInfo(runDir);
    if (fs::exists(fs::path(run.cache) / "meta.json"))
        return run;
    if (!quiet)
        std::fprintf(stderr, "the run's tensor cache %s is gone (caches may be deleted); rebuilding it from the dataset\n",
                     run.cache.c_str());
    const std::string rebuilt = prepareCache(e, run.experimentDir, fs::path(run.cache).parent_path().string(), 0, quiet);
    if (fs::path(rebuilt).lexically_normal() != fs::path(run.cache).lexically_normal())
        throw Error("the dataset " + e.dataset.path + " has changed since this run was trained (it now gives the tensor cache "
                    + rebuilt + " instead of " + run.cache + "); evaluating, predicting or resuming needs the data the run was trained on");
    return run;
}

} // namespace fuselab::cli
