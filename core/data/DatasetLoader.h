// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"
#include "core/data/Splitter.h"

namespace fuselab {

class ProgressObserver;

struct LoadOptions {
    ReaderOptions reader;
    SplitOptions split;
};

// Opens whatever the user pointed at: a .csv/.jsonl manifest, a folder holding
// manifest.csv/manifest.jsonl, a folder of IDX files, or a class-folder tree; then
// assigns splits and adds warnings about the class layout (one class only, a class
// with no training samples). Throws fuselab::Error when the path is not a dataset.
// The observer sees a folder scan's progress and may cancel it (Cancelled is thrown).
Dataset loadDataset(const std::string &path, const LoadOptions &options = {}, ProgressObserver *observer = nullptr);

} // namespace fuselab
