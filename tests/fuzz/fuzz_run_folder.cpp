// SPDX-License-Identifier: GPL-3.0-or-later
// A run folder's files as the run history and resume read them: run.json, metrics.csv,
// events.jsonl, report.json, predictions-val.jsonl and the experiment as used.
#include "core/document/RunFolder.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto p = fuzz::parts(fuzz::asText(data, size), 6);
    const std::string root = fuzz::scratch() + "/runs", dir = root + "/run";
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(dir);
    const fuselab::RunFolder run(dir);
    const char *names[] = {"run.json", "metrics.csv", "events.jsonl", "report.json", "predictions-val.jsonl", "experiment.fuselab.json"};
    for (int i = 0; i < 6; ++i)
        fuzz::writeScratch(std::string("runs/run/") + names[i], p[static_cast<std::size_t>(i)]);
    auto guarded = [](auto f) {
        try {
            f();
        } catch (const fuselab::Error &) {
        }
    };
    guarded([&] { (void)run.readRecord(); });
    guarded([&] { (void)run.readMetrics(); });
    guarded([&] { (void)run.readReport(); });
    guarded([&] { (void)run.readPredictions("val"); });
    guarded([&] { (void)run.readExperiment(); });
    guarded([&] { (void)run.status(); });
    guarded([&] { (void)run.summary(); });
    guarded([&] { (void)fuselab::RunFolder::list(root); });
    return 0;
}
