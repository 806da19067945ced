// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/Export.h"

#include "core/cache/TensorCache.h"
#include "core/document/RunFolder.h"
#include "core/export/OnnxExport.h"
#include "core/formats/Safetensors.h"
#include "core/export/TorchScriptExport.h"
#include "core/model/BlockCatalogue.h"
#include "core/model/Checkpoint.h"
#include "core/model/FusionModel.h"
#include "core/util/Error.h"
#include "core/util/FileIO.h"
#include "fuselab_python_sources.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <signal.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fuselab {

namespace {

const char *taskOf(const TensorCache &cache)
{
    return cache.sequence() ? "sequence" : cache.regression() ? "regression" : cache.multiLabel() ? "multi-label" : "single-label";
}

bool findSequenceHeadIsCtc(const Experiment &e)
{
    return std::any_of(e.graph.nodes.begin(), e.graph.nodes.end(), [](const GraphNode &n) { return n.type == "head.ctc"; });
}


std::string versionString()
{
#ifdef FUSELAB_VERSION
    return FUSELAB_VERSION;
#else
    return "dev";
#endif
}

std::string readme(const nlohmann::json &pre, const std::vector<std::string> &formats, const std::vector<std::pair<std::string, Message>> &skipped,
                   const std::string &openCvObstacle)
{
    std::string inputs;
    for (const auto &in : pre["inputs"])
        inputs += "  " + std::to_string(in["index"].get<int>()) + ". `" + in["name"].get<std::string>() + "` (" + in["kind"].get<std::string>() +
                  "): " + (in["dtype"].get<std::string>()[0] == 'i' ? "an " : "a ") + in["dtype"].get<std::string>() + " tensor [batch, " + [&] {
                      std::string s;
                      for (std::size_t i = 0; i < in["shape"].size(); ++i)
                          s += (i ? ", " : "") + std::to_string(in["shape"][i].get<std::int64_t>());
                      return s;
                  }() + "]\n";
    std::string out = "# A model exported by FuseLab\n\n"
                      "Classes (" + std::to_string(pre["classes"].size()) + "), in the order of the model's outputs: see `preprocessing.json` → `classes`.\n"
                      "Task: " + pre["task"].get<std::string>() + ".\n\n"
                      "## Inputs, in order\n\n" + inputs +
                      "\nand `present`, a float32 tensor [batch, " + std::to_string(pre["inputs"].size()) +
                      "]: 1 where a sample has that input, 0 where it is missing (the missing input's tensor is then all zeros).\n"
                      "How to turn an image, a sound or a text into these tensors is in `preprocessing.json` (docs/export.md explains each field).\n\n"
                      "## Output\n\n" + pre["output"].get<std::string>() + "\n\n";
    if (pre.contains("decoding")) { // a text: how each format decodes it
        const nlohmann::json &d = pre["decoding"];
        out += "## Decoding the text\n\n- TorchScript and PyTorch code: " + d["torchscript"].get<std::string>() + ".\n- ONNX: " +
               d["onnx"].get<std::string>() + ".\n- Ids to text: " + d["text"].get<std::string>() + " (`classes` holds the tokens; <pad> 0, "
               "<unk> 1, <bos> 2, <eos> 3).\n\n";
    }
    out += "## Files\n\n";
    const auto has = [&](const char *f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
    if (has("safetensors") || has("pytorch"))
        out += "- `model.safetensors`: the weights, by FuseLab's names (`node_<block id>.<parameter>`), with the class names and versions in "
               "its metadata. Read it in Python with\n\n"
               "      from safetensors.torch import load_file   # or: safetensors.numpy\n"
               "      weights = load_file(\"model.safetensors\")\n\n"
               "  and in FuseLab start a run from it: `fuselab-cli train EXPERIMENT --init-weights model.safetensors`.\n"
               "- `experiment.fuselab.json`: the experiment (graph and settings) these weights belong to.\n";
    if (std::find(formats.begin(), formats.end(), "torchscript") != formats.end())
        out += "- `model.pt`: TorchScript. Python: `m = torch.jit.load(\"model.pt\"); logits = m(x_0, ..., present)` "
               "(`m.class_names()`, `m.input_names()`; `m.train()` to fine-tune); C++: `torch::jit::load(\"model.pt\")`.\n";
    if (std::find(formats.begin(), formats.end(), "onnx") != formats.end()) {
        out += "- `model.onnx`: ONNX, opset " + std::to_string(kOnnxOpset) + ", inference only (no dropout; batch normalisation with its running "
               "statistics). Inputs `x0`, `x1`, ... in the order above and `present`; output `logits`; the batch size is free. "
               "The class and input names are in the model's metadata (`class_names`, `input_names`). ONNX Runtime (Python):\n\n"
               "      import onnxruntime as ort\n"
               "      session = ort.InferenceSession(\"model.onnx\")\n"
               "      logits = session.run([\"logits\"], {\"x0\": x0, ..., \"present\": present})[0]\n\n";
        out += openCvObstacle.empty()
                   ? "  OpenCV's dnn module (4.6 checked) runs it too: `net = cv2.dnn.readNetFromONNX(\"model.onnx\")`, one `net.setInput(x, name)` "
                     "per input, then `net.forward(\"logits\")`.\n"
                   : "  OpenCV's dnn module (4.6) runs FuseLab's image classifiers (the image input with CNN, ResNet or MLP encoders); this "
                     "model needs " + openCvObstacle + ", which its importer does not run, so use ONNX Runtime.\n";
    }
    if (has("pytorch"))
        out += "- `model.py`: the model as PyTorch code, an `nn.Module` per block; it loads `model.safetensors` as it is:\n\n"
               "      from model import load_model\n"
               "      model = load_model()                    # eval mode; model.train() to train\n"
               "      logits = model(x_0, ..., present)\n\n"
               "- `train.py`: continues training in PyTorch on the experiment's dataset (or `--data`), in one process or several "
               "(`torchrun --standalone --nproc_per_node 2 train.py`; Debian 12's torchrun 1.13 under Python 3.11 also needs "
               "`--redirects 1 --tee 1 --log_dir logs`); it writes `trained.safetensors`, which FuseLab continues from "
               "(`fuselab-cli train experiment.fuselab.json --init-weights trained.safetensors`). It decodes images with OpenCV "
               "(`opencv-python`), audio with torchaudio, SentencePiece text with `sentencepiece`.\n";
    out += "- `preprocessing.json`: everything that turns raw files into the inputs above.\n";
    for (const auto &in : pre["inputs"])
        if (in.contains("tokenizer") && in["tokenizer"].contains("file"))
            out += "- `" + in["tokenizer"]["file"].get<std::string>() + "`: the tokenizer of `" + in["name"].get<std::string>() + "`.\n";
    for (const auto &[format, why] : skipped)
        out += "\nNot exported as " + format + ": " + why.str() + "\n";
    return out;
}

// One format: what it writes into the export folder (a model the format cannot express
// throws Error naming the block, and "all" then skips the format, saying why).
struct ExportTarget {
    const fs::path &dir;
    const FusionModel &model;
    const TensorCache &cache;
    const Experiment &experiment;
    const RunRecord &record;
    const fs::path &out;
    std::vector<std::string> inputNames;
    ExportResult &result;
    std::string openCvObstacle = "ONNX"; // until model.onnx is written
};

void writeWeights(ExportTarget &t)
{
    if (fs::exists(t.dir / "model.safetensors"))
        return;
    writeSafetensors((t.dir / "model.safetensors").string(), t.model->inferenceState(),
                     {{"format", "pt"},
                      {"producer", "FuseLab " + versionString()},
                      {"torch_version", TORCH_VERSION},
                      {"classes", nlohmann::json(t.cache.classes()).dump()},
                      {"inputs", nlohmann::json(t.inputNames).dump()},
                      {"task", taskOf(t.cache)}});
    // Its relative paths (dataset, vocabulary, module files) rebased to the export folder.
    Experiment copy = t.experiment;
    rebasePaths(copy, t.record.experimentDir, t.out.string(), builtinBlocks());
    copy.save((t.dir / "experiment.fuselab.json").string());
    t.result.files.push_back("model.safetensors");
    t.result.files.push_back("experiment.fuselab.json");
}

void writeTorchScript(ExportTarget &t)
{
    saveTorchScript(t.model, t.cache.classes(), t.inputNames, (t.dir / "model.pt").string());
    t.result.files.push_back("model.pt");
}

void writeOnnx(ExportTarget &t)
{
    std::vector<torch::Tensor> example; // a batch of two: each input's shape and type
    for (const CacheColumn &c : t.cache.columns()) {
        std::vector<std::int64_t> shape = {2};
        shape.insert(shape.end(), c.shape.begin(), c.shape.end());
        example.push_back(torch::zeros(shape, c.kind == Modality::Text ? torch::kLong : torch::kFloat));
    }
    const OnnxWritten w = saveOnnx(t.model, t.cache.classes(), t.inputNames, example, (t.dir / "model.onnx").string(), "FuseLab " + versionString());
    t.openCvObstacle = w.openCvObstacle;
    t.result.files.push_back("model.onnx");
    if (!w.decoderStep.empty())
        t.result.files.push_back(fs::path(w.decoderStep).filename().string());
}

void writePython(ExportTarget &t)
{
    const std::string source = pythonModelSource(t.model, t.cache.classes(), t.inputNames); // before any file: a refusal leaves none
    writeWeights(t); // model.py loads model.safetensors
    writeFileAtomically((t.dir / "model.py").string(), source);
    writeFileAtomically((t.dir / "train.py").string(), kTrainPy);
    t.result.files.push_back("model.py");
    t.result.files.push_back("train.py");
}

struct ExportFormat {
    const char *name;
    void (*write)(ExportTarget &);
};
// The formats, in the order "all" writes them.
constexpr ExportFormat kFormats[] = {{"safetensors", writeWeights}, {"torchscript", writeTorchScript}, {"onnx", writeOnnx}, {"pytorch", writePython}};

} // namespace

std::vector<std::string> exportFormats()
{
    std::vector<std::string> names;
    for (const ExportFormat &f : kFormats)
        names.push_back(f.name);
    return names;
}
std::vector<std::string> plannedExportFormats() { return {}; }

nlohmann::json preprocessingJson(const TensorCache &cache, const Experiment &e, const std::vector<std::string> &tokenizerFiles)
{
    const PreprocessSettings settings = cache.settings();
    const nlohmann::json s = settings.toJson();
    nlohmann::json inputs = nlohmann::json::array();
    for (std::size_t m = 0; m < cache.columns().size(); ++m) {
        const CacheColumn &c = cache.columns()[m];
        nlohmann::json in = {{"index", static_cast<int>(m)}, {"name", c.name}, {"kind", modalityName(c.kind)}, {"shape", c.shape}};
        if (c.kind == Modality::Image) {
            in["dtype"] = "float32";
            in["image"] = s["image"];
            in["image"]["scale"] = "pixel values / 255, channels first (C, H, W); grey images have 1 channel, colour ones RGB";
            in["image"]["mean"] = c.mean;
            in["image"]["std"] = c.std;
            in["image"]["normalise"] = "(x - mean[c]) / std[c] per channel, after the scaling";
        } else if (c.kind == Modality::Audio) {
            in["dtype"] = "float32";
            in["audio"] = s["audio"];
            in["audio"]["mean"] = c.mean;
            in["audio"]["std"] = c.std;
            in["audio"]["spectrogram"] = "torchaudio.transforms.MelSpectrogram(sample_rate, n_fft, win_length, hop_length, f_min, f_max, "
                                         "n_mels) with its defaults: periodic Hann window, centred reflect-padded frames, power 2, HTK mel "
                                         "scale, no filter normalisation; then the natural log of (mel + log_eps) when log is true";
            in["audio"]["normalise"] = "(x - mean) / std over the log-mel spectrogram [n_mels, frames]; mono (channels averaged), "
                                       "resampled to sample_rate, cropped or zero-padded to duration_s";
        } else {
            in["dtype"] = "int64";
            in["text"] = s["text"];
            in["tokenizer"] = {{"kind", c.tokenizer}, {"vocab_size", c.vocabSize}, {"padding_id", 0}, {"unknown_id", 1}};
            if (m < tokenizerFiles.size() && !tokenizerFiles[m].empty())
                in["tokenizer"]["file"] = tokenizerFiles[m];
            in["text"]["ids"] = "token ids, cut to max_length and padded with padding_id";
            if (c.tokenizer == "wordpiece") { // a pretrained vocabulary: its own special tokens and framing
                const nlohmann::json t = nlohmann::json::parse(cache.tokenizerData(m), nullptr, false);
                if (t.is_object() && t.contains("vocab") && t["vocab"].is_array()) {
                    const auto idOf = [&](const char *key) -> std::int64_t {
                        const std::string token = t.value(key, std::string());
                        for (std::size_t i = 0; i < t["vocab"].size(); ++i)
                            if (t["vocab"][i].is_string() && t["vocab"][i].get<std::string>() == token)
                                return static_cast<std::int64_t>(i);
                        return -1;
                    };
                    in["tokenizer"]["unknown_id"] = idOf("unk");
                    in["tokenizer"]["padding_id"] = idOf("pad");
                    in["tokenizer"]["cls_id"] = idOf("cls");
                    in["tokenizer"]["sep_id"] = idOf("sep");
                    in["tokenizer"]["lowercase"] = t.value("lowercase", true);
                    in["tokenizer"]["strip_accents"] = t.value("strip_accents", -1) < 0 ? t.value("lowercase", true) : t.value("strip_accents", -1) == 1;
                    in["text"]["ids"] = "BERT's basic tokenizer and WordPiece: [CLS] pieces [SEP], the pieces cut so that [SEP] stays within "
                                        "max_length, then padded with padding_id; the file holds the vocabulary in id order";
                }
            }
        }
        inputs.push_back(std::move(in));
    }
    const bool multi = cache.multiLabel();
    nlohmann::json pre = {
        {"format", "fuselab-preprocessing"},
        {"version", 1},
        {"experiment", e.name},
        {"classes", cache.classes()},
        {"task", taskOf(cache)},
        {"inputs", inputs},
        {"present", "float32 [batch, inputs]: 1 where the sample has that input, 0 where it is missing; a missing input's tensor is all zeros"},
        {"output", cache.sequence()     ? "a text: token ids, classes being the target vocabulary (see decoding)"
                   : cache.regression() ? "logits [batch, 1]: the predicted number, on the target's own scale (classes holds its name)"
                   : multi              ? "logits [batch, classes]; a class is predicted when its sigmoid is above 0.5"
                                        : "logits [batch, classes]; softmax gives each class's probability"},
        {"settings", s}};
    if (cache.sequence()) {
        const bool chars = e.preprocessing.target.chars();
        pre["decoding"] = {
            {"tokens", chars ? "char" : "word"},
            {"pad_id", 0},
            {"unknown_id", 1},
            {"bos_id", 2},
            {"eos_id", 3},
            {"text", chars ? "the tokens of the ids joined without a separator, the specials left out"
                           : "the tokens of the ids joined by single spaces (no space before closing punctuation), the specials left out"},
            {"torchscript", "model.generate(x0, ..., present, beam=1, length_penalty=0.0) gives each sample's token ids; forward() greedy "
                            "decoding's logits [batch, steps, vocabulary]"},
            {"onnx", std::string("model.onnx") + (findSequenceHeadIsCtc(e) ? " gives logits [batch, frames, vocabulary]: take each frame's argmax, merge repeats, drop id 0 (CTC's blank) and the other specials"
                                                                          : " encodes (memory, slots, state0...); model-decoder-step.onnx takes one step: start with token 2, "
                                                                            "feed back each step's argmax and the state outputs until token 3 or max_length steps")},
            {"max_length", e.preprocessing.target.maxLength + 1}};
    }
    return pre;
}

ExportResult exportRun(const ExportRequest &request, ProgressObserver *observer)
{
    // Which formats: "all" is every format this build writes; a planned one is refused by name.
    const std::vector<std::string> available = exportFormats(), planned = plannedExportFormats();
    std::vector<std::string> formats;
    bool all = false; // "all" skips a format the model cannot be expressed in (saying why); naming it refuses
    for (const std::string &f : request.formats) {
        if (f == "all") {
            all = true;
            for (const std::string &a : available)
                if (std::find(formats.begin(), formats.end(), a) == formats.end())
                    formats.push_back(a);
            continue;
        }
        if (std::find(available.begin(), available.end(), f) != available.end()) {
            if (std::find(formats.begin(), formats.end(), f) == formats.end())
                formats.push_back(f);
        } else if (std::find(planned.begin(), planned.end(), f) != planned.end()) {
            throw Error(Message(FL_TR("Export", "%1 export is not available in this version of FuseLab yet (it writes: safetensors, torchscript, onnx, pytorch)"), f));
        } else {
            throw Error(Message(FL_TR("Export", "unknown export format \"%1\" (formats: safetensors, torchscript, onnx, pytorch, all)"), f));
        }
    }
    if (formats.empty())
        throw Error(Message(FL_TR("Export", "name a format to export (safetensors, torchscript, onnx, pytorch, or all)")));
    if (request.outDir.empty())
        throw Error(Message(FL_TR("Export", "name the folder to export into")));

    const RunFolder run(request.runDir);
    const Experiment e = run.readExperiment();
    const RunRecord record = run.readRecord();
    const std::string checkpoint = run.bestCheckpoint();
    if (!fs::exists(checkpoint))
        throw Error(Message(FL_TR("Export", "%1 has no best checkpoint yet: train it for at least one epoch first"), request.runDir));
    const std::string cacheDir = request.cacheDir.empty() ? record.cache : request.cacheDir;
    if (!fs::exists(fs::path(cacheDir) / "meta.json"))
        throw Error(Message(FL_TR("Export", "the run's tensor cache %1 is gone; it holds the normalisation and tokenizers the export needs "
                                            "(fuselab-cli cache EXPERIMENT rebuilds it)"),
                            cacheDir));
    const TensorCache cache = TensorCache::open(cacheDir);

    fs::path out = fs::absolute(request.outDir).lexically_normal();
    if (!out.has_filename() && out.has_parent_path() && out != out.root_path())
        out = out.parent_path(); // "dir/" names dir
    if (out == out.root_path() || out.filename() == "." || out.filename() == "..")
        throw Error(Message(FL_TR("Export", "%1 cannot be an export folder: name a folder of its own"), request.outDir));
    std::error_code ec;
    if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec))) {
        if (!request.overwrite)
            throw Error(Message(FL_TR("Export", "%1 already exists and is not empty; choose another folder or allow overwriting"), out.string()));
        // Overwriting replaces a previous export, never some other folder the user keeps.
        const auto previous = readJsonObject((out / "preprocessing.json").string());
        if (!previous || previous->value("format", "") != "fuselab-preprocessing")
            throw Error(Message(FL_TR("Export", "%1 is not a FuseLab export (it has no FuseLab preprocessing.json): FuseLab replaces only "
                                                "its own exports; choose an empty or new folder"),
                                out.string()));
    }
    if (observer)
        observer->onProgress("exporting", 0, static_cast<std::int64_t>(formats.size()));

    FusionModel model(e.graph, inferContext(e, record.experimentDir));
    loadCheckpoint(*model, checkpoint, torch::kCPU);
    model->eval();

    // Everything goes into a temporary folder beside the target, renamed into place at the end.
    // A folder of its own beside the target (several exports at once never share one).
    static std::atomic<int> exportCount{0};
    const std::string unique = std::to_string(::getpid()) + "-" + std::to_string(++exportCount) + "-" +
                               std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    const fs::path tmp = out.parent_path() / ("." + out.filename().string() + ".partial-" + unique);
    fs::create_directories(out.parent_path());
    // Left-overs of an export into the same folder that died (its process is gone).
    for (const char *kind : {".partial-", ".old-"}) {
        const std::string prefix = "." + out.filename().string() + kind;
        for (const auto &entry : fs::directory_iterator(out.parent_path(), ec)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind(prefix, 0) != 0)
                continue;
            const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
            if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
                fs::remove_all(entry.path(), ec);
        }
    }
    fs::create_directories(tmp);
    ExportResult result;
    result.outDir = out.string();
    try {
        std::vector<std::string> tokenizerFiles(cache.columns().size());
        for (std::size_t m = 0; m < cache.columns().size(); ++m)
            if (cache.columns()[m].kind == Modality::Text) {
                // FuseLab's own serialisation (not a Hugging Face tokenizer.json); SentencePiece's model proto as it is.
                const std::string ext = cache.columns()[m].tokenizer == "sentencepiece" ? ".model" : ".fuselab.json";
                tokenizerFiles[m] = "tokenizer-" + std::to_string(m) + ext;
                writeFileAtomically((tmp / tokenizerFiles[m]).string(), cache.tokenizerData(m));
                result.files.push_back(tokenizerFiles[m]);
            }
        const nlohmann::json pre = preprocessingJson(cache, e, tokenizerFiles);
        writeFileAtomically((tmp / "preprocessing.json").string(), pre.dump(2) + "\n");
        result.files.push_back("preprocessing.json");
        std::int64_t done = 0;
        std::vector<std::string> inputNames;
        for (const CacheColumn &c : cache.columns())
            inputNames.push_back(c.name);
        std::vector<std::string> written;
        ExportTarget target{tmp, model, cache, e, record, out, inputNames, result};
        for (const std::string &f : formats) {
            fuselab::checkpoint(observer);
            const auto *format = std::find_if(std::begin(kFormats), std::end(kFormats), [&](const ExportFormat &x) { return f == x.name; });
            try {
                format->write(target);
                written.push_back(f);
            } catch (const Error &x) {
                if (!all)
                    throw;
                result.skipped.emplace_back(f, messageOf(x));
            }
            if (observer)
                observer->onProgress("exporting", ++done, static_cast<std::int64_t>(formats.size()));
        }
        fuselab::checkpoint(observer);
        writeFileAtomically((tmp / "README.md").string(), readme(pre, written, result.skipped, target.openCvObstacle));
        result.files.push_back("README.md");
        // Into place: an old export is moved aside first and removed once the new one is in.
        const fs::path old = out.parent_path() / ("." + out.filename().string() + ".old-" + unique);
        bool movedAside = false;
        if (fs::exists(out, ec)) {
            fs::rename(out, old);
            movedAside = true;
        }
        try {
            fs::rename(tmp, out);
        } catch (...) {
            if (movedAside && !fs::exists(out, ec))
                fs::rename(old, out, ec); // the previous export back in place
            throw;
        }
        fs::remove_all(old, ec);
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    return result;
}

} // namespace fuselab
