// SPDX-License-Identifier: GPL-3.0-or-later
// Experiment files: JSON, then the experiment (graph, settings), then shape analysis of the
// graph against the built-in blocks, as opening an experiment does.
#include "core/document/Experiment.h"
#include "core/graph/GraphAnalysis.h"
#include "core/model/BlockCatalogue.h"
#include "tests/fuzz/FuzzSupport.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const nlohmann::json j = nlohmann::json::parse(fuzz::asText(data, size), nullptr, false);
    if (j.is_discarded())
        return 0;
    try {
        const fuselab::Experiment e = fuselab::Experiment::fromJson(j);
        (void)fuselab::analyseGraph(e.graph, fuselab::inferContext(e), fuselab::builtinBlocks());
        (void)e.toJson().dump();
    } catch (const fuselab::Error &) {
    }
    return 0;
}
