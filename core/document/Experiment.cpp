// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/document/Experiment.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "core/graph/BlockRegistry.h"
#include "core/util/JsonFields.h"
#include "core/util/FileIO.h"
#ifdef FUSELAB_WITH_INGEST
#include "core/media/WordPiece.h"
#endif

#include <nlohmann/json.hpp>

namespace fuselab {

nlohmann::json Experiment::toJson() const
{
    nlohmann::json modalities = nlohmann::json::array();
    for (auto &m : dataset.modalities)
        modalities.push_back({{"column", m.name}, {"kind", modalityName(m.kind)}});
    nlohmann::json j;
    j["fuselab_experiment"] = kExperimentVersion;
    j["name"] = name;
    if (!description.empty())
        j["description"] = description;
    if (!notes.empty()) {
        j["notes"] = nlohmann::json::array();
        for (auto &n : notes)
            j["notes"].push_back({{"text", n.text}, {"position", {n.x, n.y}}});
    }
    j["dataset"] = {{"path", dataset.path},
                    {"label_column", dataset.labelColumn},
                    {"column_types", dataset.columnTypes},
                    {"split", {dataset.split[0], dataset.split[1], dataset.split[2]}},
                    {"split_seed", dataset.splitSeed},
                    {"classes", dataset.classes},
                    {"multi_label", dataset.multiLabel},
                    {"task", taskName(dataset.effectiveTask())},
                    {"modalities", modalities}};
    if (!dataset.rareClass.empty())
        j["dataset"]["imbalance"] = {{"class", dataset.rareClass}, {"ratio", dataset.rareRatio}};
    j["preprocessing"] = preprocessing.toJson();
    j["augmentation"] = augmentation.toJson();
    j["graph"] = graph.toJson();
    j["training"] = training.toJson();
    return j;
}

Experiment Experiment::fromJson(const nlohmann::json &j)
{
    using namespace json_fields;
    requireObject(j, "experiment");
    if (!j.contains("fuselab_experiment"))
        throw Error("fuselab_experiment: missing (is this a FuseLab experiment file?)");
    if (!j["fuselab_experiment"].is_number_integer() || j["fuselab_experiment"].get<int>() < 1
        || j["fuselab_experiment"].get<int>() > kExperimentVersion)
        throw Error(Message(FL_TR("Experiment", "fuselab_experiment: version %1 is not one this FuseLab reads (it reads 1 to %2)"),
                            j["fuselab_experiment"].dump(), std::to_string(kExperimentVersion)));
    // Version 1 differs only in what Graph::fromJson and the defaults fill in (names = ids).
    Experiment e;
    optional(j, "name", "experiment", e.name);
    optional(j, "description", "experiment", e.description);
    if (j.contains("notes")) {
        if (!j["notes"].is_array())
            throw Error("notes: must be an array of {text, position}");
        for (std::size_t i = 0; i < j["notes"].size(); ++i) {
            const auto &n = j["notes"][i];
            const std::string p = "notes[" + std::to_string(i) + "]";
            requireObject(n, p);
            CanvasNote note;
            note.text = requireString(n, "text", p);
            if (n.contains("position")) {
                const auto &pos = n["position"];
                if (!pos.is_array() || pos.size() != 2 || !pos[0].is_number() || !pos[1].is_number())
                    throw Error(p + ".position: must be [x, y]");
                note.x = pos[0].get<double>();
                note.y = pos[1].get<double>();
            }
            e.notes.push_back(note);
        }
    }

    const auto &d = require(j, "dataset", "experiment");
    requireObject(d, "dataset");
    e.dataset.path = requireString(d, "path", "dataset");
    optional(d, "label_column", "dataset", e.dataset.labelColumn);
    if (d.contains("column_types")) {
        if (!d["column_types"].is_object())
            throw Error("dataset.column_types: must be an object of column: image|audio|text|ignore");
        for (auto it = d["column_types"].begin(); it != d["column_types"].end(); ++it) {
            const std::string v = it->is_string() ? it->get<std::string>() : "";
            if (!columnTypeFromName(v))
                throw Error("dataset.column_types." + it.key() + ": must be image, audio, text or ignore");
            e.dataset.columnTypes[it.key()] = v;
        }
    }
    if (d.contains("split")) {
        const auto &s = d["split"];
        if (!s.is_array() || s.size() != 3 || !s[0].is_number() || !s[1].is_number() || !s[2].is_number()
            || s[0].get<double>() <= 0 || s[1].get<double>() < 0 || s[2].get<double>() < 0)
            throw Error("dataset.split: must be three fractions [train, val, test], train > 0");
        for (int k = 0; k < 3; ++k)
            e.dataset.split[k] = s[k].get<double>();
    }
    optional(d, "split_seed", "dataset", e.dataset.splitSeed);
    if (d.contains("imbalance")) {
        const auto &im = d["imbalance"];
        if (!im.is_object() || !im.contains("class") || !im["class"].is_string() || !im.contains("ratio") || !im["ratio"].is_number()
            || !(im["ratio"].get<double>() > 0 && im["ratio"].get<double>() < 1))
            throw Error("dataset.imbalance: must be {\"class\": NAME, \"ratio\": a fraction between 0 and 1}");
        e.dataset.rareClass = im["class"].get<std::string>();
        e.dataset.rareRatio = im["ratio"].get<double>();
    }
    if (d.contains("classes")) {
        if (!d["classes"].is_array())
            throw Error("dataset.classes: must be an array of class names");
        for (auto &c : d["classes"]) {
            if (!c.is_string())
                throw Error("dataset.classes: must be an array of class names");
            e.dataset.classes.push_back(c.get<std::string>());
        }
    }
    optional(d, "multi_label", "dataset", e.dataset.multiLabel);
    e.dataset.task = e.dataset.multiLabel ? Task::MultiLabel : Task::Classification; // files before "task"
    if (d.contains("task")) {
        const std::optional<Task> task = d["task"].is_string() ? taskFromName(d["task"].get<std::string>()) : std::nullopt;
        if (!task)
            throw Error("dataset.task: must be classification, multilabel, regression or sequence");
        if ((*task == Task::MultiLabel) != e.dataset.multiLabel)
            throw Error("dataset.task: says " + std::string(taskName(*task)) + " but dataset.multi_label says " + (e.dataset.multiLabel ? "true" : "false"));
        e.dataset.task = *task;
    }
    if (d.contains("modalities")) {
        if (!d["modalities"].is_array())
            throw Error("dataset.modalities: must be an array");
        for (std::size_t i = 0; i < d["modalities"].size(); ++i) {
            const auto &m = d["modalities"][i];
            const std::string p = "dataset.modalities[" + std::to_string(i) + "]";
            requireObject(m, p);
            ModalityColumn c;
            c.name = requireString(m, "column", p);
            const auto kind = modalityFromName(requireString(m, "kind", p));
            if (!kind)
                throw Error(p + ".kind: must be image, audio or text");
            c.kind = *kind;
            e.dataset.modalities.push_back(c);
        }
    }
    try {
        e.preprocessing = PreprocessSettings::fromJson(j.value("preprocessing", nlohmann::json::object()));
        e.augmentation = AugmentSettings::fromJson(j.value("augmentation", nlohmann::json::object()));
    } catch (const Error &err) {
        throw Error(messageOf(err));
    }
    e.graph = Graph::fromJson(require(j, "graph", "experiment"), "graph");
    e.training = TrainingSettings::fromJson(j.value("training", nlohmann::json::object()), "training");
    return e;
}

namespace {
#ifdef FUSELAB_WITH_INGEST
// A vocabulary's size, read once per file version: the graph is analysed after every edit,
// and a tokenizer.json can be megabytes.
std::int64_t wordPieceVocabSize(const std::string &path)
{
    static std::mutex mutex;
    static std::map<std::string, std::tuple<std::filesystem::file_time_type, std::uintmax_t, std::int64_t>> known;
    std::error_code ec;
    const auto time = std::filesystem::last_write_time(path, ec);
    const auto size = ec ? std::uintmax_t(0) : std::filesystem::file_size(path, ec);
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = known.find(path);
        if (!ec && it != known.end() && std::get<0>(it->second) == time && std::get<1>(it->second) == size)
            return std::get<2>(it->second);
    }
    const std::int64_t n = WordPieceTokenizer::fromFile(path).vocabSize(); // Error naming the file
    if (!ec) {
        const std::lock_guard<std::mutex> lock(mutex);
        known[path] = {time, size, n};
    }
    return n;
}
#endif
} // namespace

InputShapes inputShapes(const PreprocessSettings &p, const std::string &experimentDir)
{
    InputShapes s;
    s.known = true;
    if (p.image.channels == 1 || p.image.channels == 3)
        s.image.shape = TensorShape::image(p.image.channels, p.image.height, p.image.width);
    else
        s.image.problem = Message(FL_TR("Blocks", "preprocessing.image.channels is 0 (decided from the data); set it to 1 or 3 so the "
                                                  "graph can be checked before reading data (a new experiment does this from the data)"));
    std::int64_t vocab = p.text.tokenizer == TokenizerKind::SentencePiece ? p.text.spmVocab : p.text.maxVocab;
    bool textKnown = true;
#ifdef FUSELAB_WITH_INGEST
    if (p.text.tokenizer == TokenizerKind::WordPiece) { // the pretrained vocabulary's size
        std::filesystem::path file(p.text.vocabFile);
        if (file.is_relative() && !experimentDir.empty())
            file = std::filesystem::path(experimentDir) / file;
        try {
            vocab = wordPieceVocabSize(file.string());
        } catch (const std::exception &err) {
            s.text.problem = messageOf(err);
            textKnown = false;
        }
    }
#else
    (void)experimentDir;
#endif
    if (textKnown)
        s.text.shape = TensorShape::tokens(p.text.maxLength, vocab);
    s.audio.shape = TensorShape::image(1, p.audio.mel.nMels, p.audio.mel.frames(p.audio.samples()));
    return s;
}

InferContext inferContext(const Experiment &e, const std::string &experimentDir)
{
    InferContext c;
    c.inputs = inputShapes(e.preprocessing, experimentDir);
    c.numClasses = static_cast<std::int64_t>(e.dataset.classes.size());
    c.multiLabel = e.dataset.multiLabel;
    c.task = e.dataset.effectiveTask();
    c.modalities = e.dataset.modalities;
    c.experimentDir = experimentDir;
    return c;
}

Experiment Experiment::load(const std::string &path)
{
    std::string text;
    text = readFile(path, 64u << 20);
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded())
        throw Error(Message(FL_TR("Experiment", "%1: not valid JSON"), path));
    try {
        return fromJson(j);
    } catch (const Error &e) {
        throw Error(Message(FL_TR("Experiment", "%1: %2"), path, messageOf(e)));
    }
}

void Experiment::save(const std::string &path) const
{
    writeFileAtomically(path, toJson().dump(2) + "\n");
}

namespace {
std::string rebased(const std::string &path, const std::filesystem::path &from, const std::filesystem::path &to)
{
    namespace fs = std::filesystem;
    if (path.empty() || fs::path(path).is_absolute())
        return path;
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(fs::absolute(from / path, ec), ec);
    if (ec)
        return (fs::absolute(from) / path).lexically_normal().string();
    const fs::path toDir = fs::weakly_canonical(fs::absolute(to, ec), ec);
    fs::path rel = ec ? fs::path() : target.lexically_relative(toDir);
    // Relative when both sit under one top folder (/home/user/...), absolute otherwise.
    const auto top = [](const fs::path &p) { return p.has_relative_path() ? *p.relative_path().begin() : fs::path(); };
    if (rel.empty() || top(target) != top(toDir))
        return target.string();
    return rel.string();
}
} // namespace

void rebasePaths(Experiment &e, const std::string &fromDir, const std::string &toDir, const BlockRegistry &registry)
{
    namespace fs = std::filesystem;
    const fs::path from = fromDir.empty() ? fs::current_path() : fs::path(fromDir);
    const fs::path to = toDir.empty() ? fs::current_path() : fs::path(toDir);
    std::error_code ec;
    if (fs::equivalent(from, to, ec))
        return;
    e.dataset.path = rebased(e.dataset.path, from, to);
    e.preprocessing.text.vocabFile = rebased(e.preprocessing.text.vocabFile, from, to);
    for (GraphNode &n : e.graph.nodes) {
        const BlockType *type = registry.find(n.type);
        if (!type)
            continue;
        for (const OptionSpec &o : type->options())
            if (o.isPath && n.params.contains(o.name) && n.params[o.name].is_string())
                n.params[o.name] = rebased(n.params[o.name].get<std::string>(), from, to);
    }
}

namespace {
std::string shortJson(const nlohmann::json &v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Leaf-by-leaf differences of two JSON objects, named "prefix.key.subkey".
void diffJson(const std::string &prefix, const nlohmann::json &a, const nlohmann::json &b, std::vector<std::string> &out)
{
    if (a.is_object() && b.is_object()) {
        std::set<std::string> keys;
        for (auto it = a.begin(); it != a.end(); ++it)
            keys.insert(it.key());
        for (auto it = b.begin(); it != b.end(); ++it)
            keys.insert(it.key());
        for (const std::string &k : keys)
            diffJson(prefix.empty() ? k : prefix + "." + k, a.value(k, nlohmann::json()), b.value(k, nlohmann::json()), out);
        return;
    }
    if (a != b)
        out.push_back(prefix + " " + (a.is_null() ? "-" : shortJson(a)) + " \u2192 " + (b.is_null() ? "-" : shortJson(b)));
}
} // namespace

std::vector<std::string> settingDifferences(const Experiment &before, const Experiment &after)
{
    std::vector<std::string> out;
    diffJson("training", before.training.toJson(), after.training.toJson(), out);
    diffJson("preprocessing", before.preprocessing.toJson(), after.preprocessing.toJson(), out);
    diffJson("augmentation", before.augmentation.toJson(), after.augmentation.toJson(), out);
    for (const GraphNode &n : after.graph.nodes) {
        const GraphNode *old = before.graph.node(n.id);
        if (!old) {
            out.push_back("+ " + n.id + " (" + n.type + ")");
            continue;
        }
        if (old->type != n.type)
            out.push_back(n.id + " " + old->type + " \u2192 " + n.type);
        else
            diffJson(n.id, old->params, n.params, out);
    }
    for (const GraphNode &n : before.graph.nodes)
        if (!after.graph.node(n.id))
            out.push_back("- " + n.id + " (" + n.type + ")");
    if (before.graph.edges.size() != after.graph.edges.size())
        out.push_back("edges " + std::to_string(before.graph.edges.size()) + " \u2192 " + std::to_string(after.graph.edges.size()));
    return out;
}

} // namespace fuselab
