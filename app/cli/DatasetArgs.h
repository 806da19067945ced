// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The dataset-reading options that inspect, cache and new share.
#include "app/cli/CliArgs.h"

#include <set>
#include <string>

#ifdef FUSELAB_WITH_INGEST
#include "core/data/DatasetLoader.h"
#endif

namespace fuselab::cli {

extern const char *const kReaderHelp;
// Option names (with values) that readerOptions() reads; "column" is repeatable.
extern const std::set<std::string> kReaderOptions;

#ifdef FUSELAB_WITH_INGEST
// --label-column, --column NAME=KIND, --seed, --split; throws UsageError naming the option.
LoadOptions readerOptions(const CliArgs &args);
#endif

} // namespace fuselab::cli
