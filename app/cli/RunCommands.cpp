// SPDX-License-Identifier: GPL-3.0-or-later
// fuselab-cli explain, contributions, eval and export: what a finished run's model does.
// fuselab-cli train / eval.
#include "app/cli/CliArgs.h"
#include "app/cli/Commands.h"
#include "app/cli/RunOutput.h"

#include "core/export/Export.h"
#include "core/project/Lesson.h"
#include "core/project/Services.h"
#include "core/train/Explanation.h"
#include "core/train/Launch.h"
#include "core/train/Trainer.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fuselab::cli {

int explainCommand(const std::vector<std::string> &raw)
{
    return runCommand("explain", [&]() -> int {
        const CliArgs a(raw, {"help", "json"}, {"row", "class", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli explain RUN_DIR --row N [--class NAME] [--json]\n\n"
                        "Why the run's best checkpoint predicts what it does for sample N of its tensor cache (the row\n"
                        "numbers predictions-*.jsonl and the app's galleries use): the class probabilities and, for\n"
                        "each image encoder, a Grad-CAM map of where the image speaks for the class (the predicted\n"
                        "one, or --class), drawn coarsely here and in full with --json; for each audio input, an\n"
                        "occlusion map over its log-mel (the class's probability lost when a band x time cell is\n"
                        "replaced by the clip's background); for each text input, each token's importance (the probability lost without it);\n"
                        "and the modality weights of attention and gated fusions.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1 || !a.value("row"))
            throw UsageError("explain expects RUN_DIR and --row N");
        const RunFolder run(a.positional()[0]);
        const std::vector<std::string> classes = run.readExperiment().dataset.classes;
        int target = -1;
        if (const auto c = a.value("class")) {
            const auto it = std::find(classes.begin(), classes.end(), *c);
            if (it == classes.end())
                throw UsageError("--class " + *c + ": not one of the run's classes");
            target = static_cast<int>(it - classes.begin());
        }
        ProgressBar progress(true);
        const RunRecord record = ensureRunCache(run, &progress);
        const SampleExplanation ex = explainSample(run.dir(), record.cache, a.intValue("row", 0, 0, INT64_MAX), target,
                                                   a.value("device").value_or("cpu"));
        const auto name = [&](int c) { return c >= 0 && c < static_cast<int>(classes.size()) ? classes[static_cast<std::size_t>(c)] : std::string("?"); };
        if (a.flag("json")) {
            std::printf("%s\n", explanationJson(ex, classes).c_str());
            return kExitOk;
        }
        std::printf("row %lld: label %s, predicted %s (%.1f%%); explaining %s\n", static_cast<long long>(ex.row), name(ex.label).c_str(),
                    name(ex.predicted).c_str(), 100.0 * ex.probabilities[static_cast<std::size_t>(ex.predicted)], name(ex.target).c_str());
        const char *shades = " .:-=+*#%@";
        for (const GradCamMap &m : ex.maps) {
            std::printf("Grad-CAM of %s (%dx%d), darkest = least, @ = most:\n", m.node.c_str(), m.width, m.height);
            const int rows = std::min(m.height, 16), cols = std::min(m.width, 32);
            for (int r = 0; r < rows; ++r) {
                std::string line = "  ";
                for (int c = 0; c < cols; ++c) {
                    const int y = r * m.height / rows, x = c * m.width / cols;
                    const float v = m.values[static_cast<std::size_t>(y * m.width + x)];
                    line += shades[std::min(9, static_cast<int>(v * 10))];
                }
                std::printf("%s\n", line.c_str());
            }
        }
        for (const OcclusionMap &m : ex.audio) {
            float top = 0;
            for (float v : m.values)
                top = std::max(top, std::abs(v));
            std::printf("Occlusion over the log-mel of column %d (%d bands x %d time segments, high bands on top; @ = the\n"
                        "largest loss of probability, %.3f):\n", m.column, m.bands, m.segments, top);
            for (int b = m.bands - 1; b >= 0; --b) {
                std::string line = "  ";
                for (int t = 0; t < m.segments; ++t) {
                    const float v = m.values[static_cast<std::size_t>(b * m.segments + t)];
                    line += top > 0 && v > 0 ? shades[std::min(9, static_cast<int>(v / top * 10))] : ' ';
                }
                std::printf("%s\n", line.c_str());
            }
        }
        for (const TokenImportance &t : ex.text) {
            std::printf("Token importance in column %d (probability lost without the token):\n", t.column);
            for (std::size_t i = 0; i < t.tokens.size(); ++i)
                std::printf("  %-20s %+.3f\n", t.tokens[i].c_str(), t.importance[i]);
        }
        for (const ModalityWeights &w : ex.weights) {
            std::printf("Modality weights of %s (%s):", w.node.c_str(), w.kind.c_str());
            for (std::size_t i = 0; i < w.modalities.size(); ++i)
                std::printf(" %s %.1f%%", w.modalities[i].c_str(), 100.0 * w.weights[i]);
            std::printf("\n");
        }
        for (const ModalityEffect &m : ex.without)
            std::printf("Without %s: %s %.1f%% (predicted %s)\n", m.modality.c_str(), name(ex.target).c_str(), 100.0 * m.probability,
                        name(m.predicted).c_str());
        if (ex.maps.empty() && ex.audio.empty() && ex.text.empty())
            std::printf("(this model reads no input FuseLab can explain)\n");
        return kExitOk;
    });
}

int contributionsCommand(const std::vector<std::string> &raw)
{
    return runCommand("contributions", [&]() -> int {
        const CliArgs a(raw, {"help", "json"}, {"split", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli contributions RUN_DIR [--split val|test] [--json]\n\n"
                        "What each modality brings to a trained model: the best checkpoint's accuracy and macro-F1\n"
                        "with every modality, then with each modality removed in turn through the model's\n"
                        "missing-modality mask. A fusion that leans on one modality loses most without it.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("contributions expects one RUN_DIR");
        const auto split = splitFromName(a.value("split").value_or("test"));
        if (!split || *split == Split::Train)
            throw UsageError("--split must be val or test");
        const RunFolder run(a.positional()[0]);
        ProgressBar progress(a.flag("json"));
        const RunRecord record = ensureRunCache(run, &progress);
        const auto cs = modalityContributions(run.readExperiment(), record.experimentDir, record.cache, run.bestCheckpoint(), *split,
                                              a.value("device").value_or("auto"), &progress);
        progress.finishLine();
        if (a.flag("json")) {
            nlohmann::json j = nlohmann::json::array();
            for (const auto &c : cs)
                j.push_back({{"removed", c.removed}, {"metrics", c.metrics.toJson()}});
            std::printf("%s\n", j.dump(2).c_str());
            return kExitOk;
        }
        std::printf("%-24s %14s %10s\n", "removed", "accuracy", "macro-F1");
        for (const auto &c : cs)
            std::printf("%-24s %14.4f %10.4f\n", c.removed.empty() ? "(nothing)" : c.removed.c_str(), c.metrics.accuracy, c.metrics.macroF1);
        const std::vector<std::string> classes = run.readExperiment().dataset.classes;
        for (const FusionWeightsByClass &w : fusionWeightsByClass(run.dir(), record.cache, a.value("split").value_or("test"),
                                                                  a.value("device").value_or("auto"), &progress)) {
            std::printf("\nModality weights of %s (%s), averaged per true class:\n%-24s", w.node.c_str(), w.kind.c_str(), "class");
            for (const auto &m : w.modalities)
                std::printf(" %12s", m.c_str());
            for (std::size_t c = 0; c < w.perClass.size(); ++c) {
                std::printf("\n%-24s", c < classes.size() ? classes[c].c_str() : "?");
                for (double v : w.perClass[c])
                    std::printf(" %11.1f%%", 100 * v);
            }
            std::printf("\n%-24s", "(all)");
            for (double v : w.overall)
                std::printf(" %11.1f%%", 100 * v);
            std::printf("\n");
        }
        return kExitOk;
    });
}

int evalCommand(const std::vector<std::string> &raw)
{
    return runCommand("eval", [&]() -> int {
        const CliArgs a(raw, {"help", "json"}, {"split", "device"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli eval RUN_DIR [--split val|test] [--json]\n\n"
                        "Per-class precision, recall, F1 and support, macro and weighted averages and the confusion\n"
                        "matrix of the run's best checkpoint on a split. Multi-label runs: per-label precision, recall,\n"
                        "F1 and support, micro/macro/weighted averages, exact-match accuracy, Hamming loss and each\n"
                        "label's true/false positives and negatives. A deleted tensor cache is rebuilt from the dataset.\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("eval expects one RUN_DIR");
        const std::string splitName = a.value("split").value_or("test");
        const auto split = splitFromName(splitName);
        if (!split || *split == Split::Train)
            throw UsageError("--split must be val or test");
        const RunFolder run(a.positional()[0]);
        ProgressBar progress(a.flag("json"));
        const EvaluationMetrics m = evaluateRun(run.dir(), *split, a.value("device").value_or("auto"), &progress);
        progress.finishLine();
        const std::vector<std::string> classes = run.readExperiment().dataset.classes;
        if (a.flag("json")) {
            nlohmann::json j = m.toJson();
            j["split"] = splitName;
            j["classes"] = classes;
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            printReport(m.toJson(), classes, splitName.c_str());
        }
        return kExitOk;
    });
}

int exportCommand(const std::vector<std::string> &raw)
{
    return runCommand("export", [&]() -> int {
        std::vector<std::string> args = raw;
        std::replace(args.begin(), args.end(), std::string("-o"), std::string("--output"));
        const CliArgs a(args, {"help", "force"}, {"format", "output", "cache"}, {});
        if (a.flag("help")) {
            std::printf("Usage: fuselab-cli export RUN_DIR --format safetensors|torchscript|onnx|pytorch|all -o DIR [--force]\n\n"
                        "Writes the run's best checkpoint for other tools into DIR: model.safetensors (the weights\n"
                        "by FuseLab's names, class names in its metadata) with experiment.fuselab.json, model.pt\n"
                        "(TorchScript, for torch.jit.load and torch::jit::load), model.onnx (ONNX opset 17, for\n"
                        "ONNX Runtime and OpenCV's dnn), and preprocessing.json (how raw files become the model's\n"
                        "inputs), the text inputs' tokenizers and a README. DIR is written whole or not at all; an\n"
                        "existing non-empty DIR needs --force. Several formats: --format safetensors,onnx. 'all'\n"
                        "(the default) leaves out, with a warning, a format the model cannot be written in.\n"
                        "pytorch: model.py (an nn.Module per block, loading model.safetensors) and train.py\n"
                        "(continues training in PyTorch, one process or several with torchrun).\n");
            return kExitOk;
        }
        if (a.positional().size() != 1)
            throw UsageError("export expects one RUN_DIR");
        ExportRequest r;
        r.runDir = a.positional()[0];
        const std::string formats = a.value("format").value_or("all");
        for (std::size_t start = 0; start <= formats.size();) {
            const std::size_t comma = std::min(formats.find(',', start), formats.size());
            if (comma > start)
                r.formats.push_back(formats.substr(start, comma - start));
            start = comma + 1;
        }
        r.outDir = a.value("output").value_or("");
        if (r.outDir.empty())
            throw UsageError("export needs -o DIR, the folder to write");
        r.overwrite = a.flag("force");
        r.cacheDir = a.value("cache").value_or("");
        ProgressBar progress(false);
        if (r.cacheDir.empty()) // a deleted cache is rebuilt, as for eval and predict
            ensureRunCache(RunFolder(r.runDir), &progress);
        const ExportResult result = exportRun(r, &progress);
        progress.finishLine();
        for (const std::string &f : result.files)
            std::printf("%s\n", (fs::path(result.outDir) / f).string().c_str());
        for (const auto &[format, why] : result.skipped)
            std::fprintf(stderr, "warning: not exported as %s: %s\n", format.c_str(), why.str().c_str());
        return kExitOk;
    });
}

} // namespace fuselab::cli
