// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/document/Experiment.h"

#include <filesystem>
#include <string>

namespace fuselab::cli {

// Reads the experiment's dataset and builds (or reuses) its tensor cache under `cacheRoot`
// ("" = the default root), with a progress bar and the skipped rows and files listed unless
// `quiet`. Returns the cache folder. Throws UsageError in a build without data ingestion.
std::string prepareCache(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheRoot,
                         int threads, bool quiet);

// What a run folder's run.json records.
struct RunInfo {
    std::string cache;         // the tensor cache it was trained from
    std::string experimentDir; // where the experiment's relative paths resolve
};

// run.json as it is. Throws Error when it is missing or corrupt.
RunInfo readRunInfo(const std::filesystem::path &runDir);

// run.json, with its tensor cache present. Caches are disposable: when it has been
// deleted, it is rebuilt from the experiment's dataset — the same data and settings give
// the same cache, tokenizers and normalisation. Throws Error when run.json is missing or
// corrupt, or when the data changed since the run (the rebuilt cache would differ).
RunInfo runCache(const std::filesystem::path &runDir, const Experiment &experiment, bool quiet);

} // namespace fuselab::cli
