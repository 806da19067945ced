// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli predict: class probabilities for new samples.
#include "app/cli/CliArgs.h"
#include "app/cli/Commands.h"

#include "core/project/Services.h"
#ifdef FUSELAB_WITH_INGEST
#include "core/project/Prediction.h"
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
        const CliArgs a(raw, {"help", "json"}, {"device", "top", "beam"}, {"text"});
        if (a.flag("help") || a.positional().empty()) {
            if (!a.flag("help"))
                throw UsageError("predict expects RUN_DIR and at least one FILE or --text");
            std::printf("Usage: fuselab-cli predict RUN_DIR FILE... [--text \"...\"] [--json] [--top K] [--beam N]\n\n"
                        "Class probabilities from the run's best checkpoint (for a regression run, the number;\n"
                        "for a run that produces texts, the text, decoded greedily or by a beam search of N).\n"
                        "Each FILE is one sample of the modality its extension names (image, audio, or .txt\n"
                        "text); other modalities count as missing. A .csv/.jsonl manifest gives several samples\n"
                        "with several modalities each (columns named as in the training data; no label column\n"
                        "needed). For a multi-label run the answer is the set of classes whose probability is\n"
                        "above 0.5, possibly empty.\n");
            return kExitOk;
        }
#ifndef FUSELAB_WITH_INGEST
        throw UsageError("this build has no data ingestion, which prediction from files needs");
#else
        const std::string run = a.positional()[0];
        const RunRecord record = ensureRunCache(RunFolder(run));
        const Predictor predictor(run, a.value("device").value_or("cpu"), record.cache);
        std::vector<DataIssue> skipped;
        const std::vector<std::string> files(a.positional().begin() + 1, a.positional().end());
        const auto samples = predictionSamples(predictor.columns(), files, a.values("text"), &skipped);
        for (auto &issue : skipped)
            std::fprintf(stderr, "%s\n", issue.toString().c_str());
        if (samples.empty())
            throw UsageError("nothing to predict: give FILEs or --text");
        const auto &classes = predictor.classes();
        if (predictor.sequence()) {
            const int beam = static_cast<int>(a.intValue("beam", 1, 1, 64));
            nlohmann::json texts = nlohmann::json::array();
            for (const Prediction &p : predictSamples(predictor, samples, beam)) {
                texts.push_back({{"input", p.input}, {"predicted", *p.text}});
                if (!a.flag("json"))
                    std::printf("%s: %s\n", p.input.c_str(), p.text->c_str());
            }
            if (a.flag("json"))
                std::printf("%s\n", texts.dump(2).c_str());
            return kExitOk;
        }
        const auto top = static_cast<std::size_t>(a.intValue("top", static_cast<long long>(std::min<std::size_t>(3, classes.size())), 1,
                                                             static_cast<long long>(classes.size())));
        nlohmann::json out = nlohmann::json::array();
        for (const Prediction &p : predictSamples(predictor, samples)) {
            if (p.value) { // regression: the number, named after the label column
                out.push_back({{"input", p.input}, {"predicted", *p.value}});
                if (!a.flag("json"))
                    std::printf("%s: %s %.6g\n", p.input.c_str(), classes.empty() ? "value" : classes[0].c_str(), *p.value);
                continue;
            }
            nlohmann::json probs = nlohmann::json::object();
            for (std::size_t c = 0; c < classes.size(); ++c)
                probs[classes[c]] = p.probabilities[c];
            std::string shown;
            nlohmann::json predicted = nlohmann::json::array();
            for (std::size_t c : p.predicted) {
                predicted.push_back(classes[c]);
                shown += (shown.empty() ? "" : ", ") + classes[c];
            }
            out.push_back({{"input", p.input}, {"predicted", predictor.multiLabel() ? predicted : predicted.at(0)}, {"probabilities", probs}});
            if (a.flag("json"))
                continue;
            std::printf("%s:", p.input.c_str());
            if (predictor.multiLabel())
                std::printf(" {%s}", shown.c_str());
            for (std::size_t k = 0; k < top; ++k)
                std::printf("  %s %.3f", classes[p.ranking[k]].c_str(), p.probabilities[p.ranking[k]]);
            std::printf("\n");
        }
        if (a.flag("json"))
            std::printf("%s\n", out.dump(2).c_str());
        return kExitOk;
#endif
    });
}

} // namespace fuselab::cli
