// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/cache/PreprocessSettings.h"
#include "core/data/Dataset.h"
#include "core/util/Progress.h"

#include <string>
#include <vector>

namespace fuselab {

struct CacheBuildOptions {
    std::string cacheRoot;  // empty: defaultCacheRoot()
    int threads = 0;        // 0: every logical core
    bool force = false;     // rebuild even when a cache with the same key exists
};

struct CacheBuildResult {
    std::string dir;        // the cache folder, ready for TensorCache::open
    std::string key;
    bool reused = false;    // an existing cache matched the key
    std::vector<DataIssue> issues; // samples or fields that could not be decoded
};

// What the headers of an image column say: grey or colour, 8 or 16 bits, typical size.
struct ImageColumnLayout {
    int channels = 1;      // 3 when any image has colour
    int bitDepth = 8;      // 16 when any image has more than 8 bits
    int medianWidth = 0, medianHeight = 0;
};

// Reads only the headers (first 64 KiB of each file), in parallel; `limit` > 0 looks at the
// first `limit` present images only. IDX images are 8-bit grey of the blob's size.
ImageColumnLayout probeImageColumn(const Dataset &dataset, int column, int threads = 0, std::size_t limit = 0,
                                   ProgressObserver *observer = nullptr);

// $FUSELAB_CACHE_DIR, else $XDG_CACHE_HOME/fuselab, else ~/.cache/fuselab.
std::string defaultCacheRoot();

// Preprocesses every sample once, in parallel, into a tensor cache keyed by the dataset's
// content and the settings. A field that fails to decode is stored as absent and listed in
// the result; a sample none of whose fields decode is left out of every split. The cache
// appears atomically (built in a temporary folder, then renamed). Throws Error, or
// Cancelled when the observer asks.
CacheBuildResult buildTensorCache(const Dataset &dataset, const PreprocessSettings &settings,
                                  const CacheBuildOptions &options = {}, ProgressObserver *observer = nullptr);

} // namespace fuselab
