// SPDX-License-Identifier: GPL-3.0-or-later
// The CSV parser under manifests: any bytes, with the delimiters FuseLab reads.
#include "core/data/CsvReader.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text = fuzz::asText(data, size);
    for (const char d : {',', ';', '\t'})
        (void)fuselab::parseCsv(text, d);
    return 0;
}
