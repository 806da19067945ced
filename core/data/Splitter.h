// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"

#include <cstdint>

namespace fuselab {

struct SplitOptions {
    std::uint64_t seed = 42;
    double train = 0.8, val = 0.1, test = 0.1;
};

// Gives every sample a split. Without splits in the data: a stratified (by class; by the
// rarest class of each sample in multi-label datasets), seeded
// train/val/test split. With train/test given but no val: val is carved out of train,
// stratified, in the proportion val/(train+val). The result depends only on the seed and
// the samples' order, never on the standard library (own Fisher–Yates on mt19937_64).
void assignSplits(Dataset &dataset, const SplitOptions &options);

} // namespace fuselab
