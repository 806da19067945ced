// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Progress.h"

#include <cstdint>
#include <functional>
#include <string>

namespace fuselab {

// Number of worker threads to use: `requested` when > 0, else every logical core.
int resolveThreadCount(int requested);

// Runs body(i) for i in [0, count) on `threads` workers, pulling indices in small chunks.
// The calling thread reports progress to `observer` (may be null) and polls cancellation
// (then throws Cancelled). Per-item failures are the body's to record; should a body throw
// anyway, the remaining work stops and the first exception is rethrown here.
void parallelFor(std::int64_t count, int threads, const std::function<void(std::int64_t)> &body,
                 ProgressObserver *observer = nullptr, const std::string &stage = {});

} // namespace fuselab
