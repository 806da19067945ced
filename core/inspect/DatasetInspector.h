// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>

namespace fuselab {

struct InspectOptions {
    int threads = 0;                               // 0: every logical core
    std::int64_t maxPixels = INT64_C(1) << 26;     // image bomb limit, as for preprocessing
    std::size_t maxListed = 200;                   // problems and duplicate groups listed in full
};

// The dataset health check: decodes every field (in parallel) and reports counts per class,
// split and modality, missing and corrupt files with reasons, duplicate files, class
// imbalance, and the distributions of image sizes, audio durations and sample rates, and
// text lengths. The result is the stable JSON documented in docs/formats.md.
nlohmann::json inspectDataset(const Dataset &dataset, const InspectOptions &options = {},
                              ProgressObserver *observer = nullptr);

// The same report as an aligned, human-readable table.
std::string formatInspectReport(const nlohmann::json &report);

} // namespace fuselab
