// SPDX-License-Identifier: GPL-3.0-or-later
// IDX files (MNIST's format), plain or gzipped: header, dimensions and data.
#include "core/data/IdxReader.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string path = fuzz::writeScratch("input-idx3-ubyte", fuzz::asText(data, size));
    try {
        (void)fuselab::IdxReader::readArray(path);
    } catch (const fuselab::Error &) {
    }
    return 0;
}
