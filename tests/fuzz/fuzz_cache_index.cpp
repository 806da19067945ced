// SPDX-License-Identifier: GPL-3.0-or-later
// The tensor cache's index (meta.json) with its column and presence files: opened as
// training opens a cache, then a batch read when it opens.
#include "core/cache/TensorCache.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // meta.json, then the files a cache holds: col0.bin, col1.bin, present.u8, labels.i64, splits.u8.
    const auto p = fuzz::parts(fuzz::asText(data, size), 6);
    const std::string dir = fuzz::scratch() + "/cache";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    fuzz::writeScratch("cache/meta.json", p[0]);
    fuzz::writeScratch("cache/col0.bin", p[1]);
    fuzz::writeScratch("cache/col1.bin", p[2]);
    fuzz::writeScratch("cache/present.u8", p[3]);
    fuzz::writeScratch("cache/labels.i64", p[4]);
    fuzz::writeScratch("cache/splits.u8", p[5]);
    try {
        const fuselab::TensorCache cache = fuselab::TensorCache::open(dir);
        if (cache.size() > 0)
            (void)cache.batch({0, cache.size() - 1});
    } catch (const fuselab::Error &) {
    }
    return 0;
}
