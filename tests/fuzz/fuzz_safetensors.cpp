// SPDX-License-Identifier: GPL-3.0-or-later
// safetensors files (weights given to --init-weights, and exports read back).
#include "core/formats/Safetensors.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string path = fuzz::writeScratch("input.safetensors", fuzz::asText(data, size));
    try {
        (void)fuselab::readSafetensors(path);
    } catch (const fuselab::Error &) {
    }
    return 0;
}
