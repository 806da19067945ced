// SPDX-License-Identifier: GPL-3.0-or-later
// The checkpoint structure check that runs before LibTorch's reader (core/util/ArchiveCheck).
// What LibTorch's own loader does with a file that passes is outside FuseLab's code and not
// fuzzed here (docs/reliability.md).
#include "core/util/ArchiveCheck.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    (void)fuselab::archiveStructureProblem(fuzz::asText(data, size));
    return 0;
}
