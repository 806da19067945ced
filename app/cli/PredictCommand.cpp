// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli predict: class probabilities for new samples.
#include "app/cli/CliArgs.h"
#include "app/cli/Commands.h"
#include "app/cli/RunCache.h"

#ifdef FUSELAB_WITH_INGEST
#include "core/data/ManifestReader.h"
#include "core/train/Predictor.h"
#endif

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace fuselab::cli {

int predictCommand(const std::vector<std::string> &raw)
{
    return runCommand("predict", [&]() -> int {
        const CliArgs a(raw, {"help", "json"}, {"device", "top"}, {"text"});
        if (a.flag("help") || a.positional().empty()) {
            if (!a.flag("help"))
                throw UsageError("predict expects RUN_DIR and at least one FILE or --text");
            std::printf("Usage: fuselab-cli predict RUN_DIR FILE... [--text \"...\"] [--json] [--top K]\n\n"
                        "Class probabilities from the run's best checkpoint. Each FILE is one sample of the\n"
                        "modality its extension names (image, audio, or .txt text); other modalities count as\n"
                        "missing. A .csv/.jsonl manifest gives several samples with several modalities each\n"
                        "(columns named as in the training data; no label column needed). For a multi-label run\n"
                        "the answer is the set of classes whose probability is above 0.5, possibly empty.\n");
            return kExitOk;
        }
#ifndef FUSELAB_WITH_INGEST
        throw UsageError("this build has no data ingestion, which prediction from files needs");
#else
        const fs::path run(a.positional()[0]);
        const Experiment experiment = Experiment::load((run / "experiment.fuselab.json").string());
        const Predictor predictor(run.string(), a.value("device").value_or("cpu"), runCache(run, experiment, a.flag("json")).cache);
        const auto &columns = predictor.columns();
        auto columnOf = [&](Modality kind) -> int {
            for (std::size_t i = 0; i < columns.size(); ++i)
                if (columns[i].kind == kind)
                    return static_cast<int>(i);
            return -1;
        };
        std::vector<std::vector<Field>> samples;
        std::vector<std::string> names;
        auto single = [&](Modality kind, const std::string &value, bool isPath, const std::string &name) {
            const int col = columnOf(kind);
            if (col < 0)
                throw UsageError(name + ": the model has no " + std::string(modalityName(kind)) + " input");
            std::vector<Field> fields(columns.size());
            fields[static_cast<std::size_t>(col)] = {true, value, isPath, -1};
            samples.push_back(std::move(fields));
            names.push_back(name);
        };
        for (std::size_t i = 1; i < a.positional().size(); ++i) {
            const std::string file = a.positional()[i];
            if (!fs::exists(file))
                throw Error(file + ": no such file");
            const std::string path = fs::absolute(file).string();
            const std::string ext = lowerExtension(file);
            if (ext == ".csv" || ext == ".jsonl") {
                ReaderOptions ro;
                ro.labelRequired = false;
                const Dataset d = ManifestReader(ro).read(file);
                for (auto &issue : d.issues)
                    std::fprintf(stderr, "skipped: %s:%ld: %s\n", issue.file.c_str(), issue.line, issue.reason.c_str());
                for (const Sample &s : d.samples) {
                    std::vector<Field> fields(columns.size());
                    for (std::size_t c = 0; c < d.columns.size(); ++c)
                        for (std::size_t m = 0; m < columns.size(); ++m)
                            if (columns[m].name == d.columns[c].name && columns[m].kind == d.columns[c].kind)
                                fields[m] = s.fields[c];
                    samples.push_back(std::move(fields));
                    names.push_back(file + " " + s.id);
                }
            } else if (hasImageExtension(file)) {
                single(Modality::Image, path, true, file);
            } else if (hasAudioExtension(file)) {
                single(Modality::Audio, path, true, file);
            } else if (hasTextExtension(file)) {
                single(Modality::Text, path, true, file);
            } else {
                throw UsageError(file + ": unknown kind of file (expected an image, audio, .txt, .csv or .jsonl)");
            }
        }
        for (const std::string &text : a.values("text"))
            single(Modality::Text, text, false, "--text \"" + text + "\"");
        if (samples.empty())
            throw UsageError("nothing to predict: give FILEs or --text");

        const auto probs = predictor.predict(samples);
        const auto &classes = predictor.classes();
        const auto top = static_cast<std::size_t>(a.intValue("top", static_cast<long long>(std::min<std::size_t>(3, classes.size())), 1,
                                                             static_cast<long long>(classes.size())));
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t i = 0; i < samples.size(); ++i) {
            std::vector<std::size_t> order(classes.size());
            for (std::size_t c = 0; c < order.size(); ++c)
                order[c] = c;
            std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return probs[i][x] > probs[i][y]; });
            nlohmann::json p = nlohmann::json::object();
            for (std::size_t c = 0; c < classes.size(); ++c)
                p[classes[c]] = probs[i][c];
            if (predictor.multiLabel()) {
                // Every class whose own probability is above 0.5 (possibly none), in class order.
                nlohmann::json set = nlohmann::json::array();
                std::string shown;
                for (std::size_t c = 0; c < classes.size(); ++c)
                    if (probs[i][c] > 0.5) {
                        set.push_back(classes[c]);
                        shown += (shown.empty() ? "" : ", ") + classes[c];
                    }
                out.push_back({{"input", names[i]}, {"predicted", set}, {"probabilities", p}});
                if (!a.flag("json")) {
                    std::printf("%s: {%s}", names[i].c_str(), shown.c_str());
                    for (std::size_t k = 0; k < top; ++k)
                        std::printf("  %s %.3f", classes[order[k]].c_str(), probs[i][order[k]]);
                    std::printf("\n");
                }
                continue;
            }
            out.push_back({{"input", names[i]}, {"predicted", classes[order[0]]}, {"probabilities", p}});
            if (!a.flag("json")) {
                std::printf("%s:", names[i].c_str());
                for (std::size_t k = 0; k < top; ++k)
                    std::printf("  %s %.3f", classes[order[k]].c_str(), probs[i][order[k]]);
                std::printf("\n");
            }
        }
        if (a.flag("json"))
            std::printf("%s\n", out.dump(2).c_str());
        return kExitOk;
#endif
    });
}

} // namespace fuselab::cli
