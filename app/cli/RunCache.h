// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/graph/Experiment.h"

#include <filesystem>
#include <string>

namespace fuselab::cli {

// Reads the experiment's dataset and builds (or reuses) its tensor cache under `cacheRoot`
// ("" = the default root), with a progress bar and the skipped rows and files listed unless
// `quiet`. Returns the cache folder. Throws UsageError in a build without data ingestion.
std::string prepareCache(const Experiment &experiment, const std::string &experimentDir, const std::string &cacheRoot,
                         int threads, bool quiet);

// The tensor cache a run was trained from (run.json). Caches are disposable: when it has
// been deleted, it is rebuilt from the experiment's dataset — the same data and settings
// give the same cache, tokenizers and normalisation. Throws Error when run.json is missing
// or corrupt, or when the data changed since the run (the rebuilt cache would differ).
std::string runCache(const std::filesystem::path &runDir, const Experiment &experiment, bool quiet);

} // namespace fuselab::cli
