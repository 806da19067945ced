// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"
#include "core/util/Hash.h"
#include "core/util/Progress.h"

#include <vector>

namespace fuselab {

// Content hashes of every field of every sample, row-major (samples × columns); absent
// fields hash to {0,0}; unreadable files hash their path and error, so they still change
// the fingerprint when fixed. Files are read in parallel.
std::vector<Hash128> hashFields(const Dataset &dataset, int threads, ProgressObserver *observer = nullptr);

// One hash for the dataset's content: classes, labels, splits, and every field's hash.
// Renaming or moving the folder keeps it; changing a single pixel changes it.
Hash128 datasetFingerprint(const Dataset &dataset, const std::vector<Hash128> &fieldHashes);

} // namespace fuselab
