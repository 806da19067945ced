// SPDX-License-Identifier: GPL-3.0-or-later
// Manifests, CSV and JSONL, parsed from memory as ManifestReader reads a file (paths resolve
// under a folder that does not exist, so no file is opened).
#include "core/data/ManifestReader.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const bool jsonl = data[0] & 1;
    try {
        fuselab::ManifestReader reader;
        (void)reader.parse(fuzz::asText(data + 1, size - 1), jsonl, jsonl ? "fuzz.jsonl" : "fuzz.csv", "/nonexistent-fuzz-root");
    } catch (const fuselab::Error &) {
    }
    return 0;
}
