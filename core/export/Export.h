// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Trained models leaving FuseLab (docs/export.md): a finished run's best checkpoint written
// as a folder another tool can use, with preprocessing.json (how raw files become the
// model's inputs) and a README.
#include "core/util/Message.h"
#include "core/util/Progress.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace fuselab {

class TensorCache;
struct Experiment;

struct ExportRequest {
    std::string runDir;
    std::vector<std::string> formats; // "safetensors", ...; "all": every format this build writes
    std::string outDir;               // created; an existing non-empty folder needs `overwrite`
    bool overwrite = false;
    std::string cacheDir;             // the run's tensor cache unless given (its normalisation and tokenizers)
};

struct ExportResult {
    std::string outDir;
    std::vector<std::string> files; // relative to outDir
    // Formats "all" left out because the model cannot be expressed in them, and why.
    std::vector<std::pair<std::string, Message>> skipped;
};

// The formats this FuseLab writes, and those the export command names but does not write yet.
std::vector<std::string> exportFormats();
std::vector<std::string> plannedExportFormats();

// Writes the export into a temporary folder beside outDir and renames it into place, so
// that outDir is either the whole export or untouched. Throws Error naming the run, the
// format or the file, and why.
ExportResult exportRun(const ExportRequest &request, ProgressObserver *observer = nullptr);

// preprocessing.json: classes, task, each input in the model's order with its tensor shape
// and what turns a raw file into it (image size/channels/normalisation, mel parameters and
// normalisation, tokenizer and its file), the presence-mask convention and the output.
// `tokenizerFiles[m]`: the file (in the export) holding text input m's tokenizer.
nlohmann::json preprocessingJson(const TensorCache &cache, const Experiment &experiment, const std::vector<std::string> &tokenizerFiles);

} // namespace fuselab
