// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/document/RunFolder.h"

#include "core/util/FileIO.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <limits>
#include <cstdlib>
#include <cmath>
#include <signal.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fuselab {

const char *runStatusName(RunStatus s)
{
    switch (s) {
    case RunStatus::Running: return "running";
    case RunStatus::Finished: return "finished";
    case RunStatus::Stopped: return "stopped";
    case RunStatus::Failed: return "failed";
    case RunStatus::Interrupted: return "interrupted";
    }
    return "?";
}

std::string utcTimestamp()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
    return out;
}

namespace {

std::string hostName()
{
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0)
        return "";
    return buf;
}

bool processAlive(long pid)
{
    if (pid <= 0 || pid > 4194304) // Linux's largest pid; a larger number cast to pid_t could name a group
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}


// The last event name in events.jsonl ("" when none).
std::string lastEvent(const std::string &file)
{
    std::ifstream in(file);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty())
            last = line;
    const nlohmann::json j = nlohmann::json::parse(last, nullptr, false);
    return j.is_object() && j.contains("event") && j["event"].is_string() ? j["event"].get<std::string>() : "";
}

} // namespace

RunFolder::RunFolder(std::string dir) : m_dir(std::move(dir)) {}

std::string RunFolder::experimentFile() const { return (fs::path(m_dir) / "experiment.fuselab.json").string(); }
std::string RunFolder::recordFile() const { return (fs::path(m_dir) / "run.json").string(); }
std::string RunFolder::lockFile() const { return (fs::path(m_dir) / "run.lock").string(); }
std::string RunFolder::metricsFile() const { return (fs::path(m_dir) / "metrics.csv").string(); }
std::string RunFolder::eventsFile() const { return (fs::path(m_dir) / "events.jsonl").string(); }
std::string RunFolder::checkpointDir() const { return (fs::path(m_dir) / "checkpoints").string(); }
std::string RunFolder::lastCheckpoint() const { return (fs::path(m_dir) / "checkpoints" / "last.pt").string(); }
std::string RunFolder::bestCheckpoint() const { return (fs::path(m_dir) / "checkpoints" / "best.pt").string(); }
std::string RunFolder::reportFile() const { return (fs::path(m_dir) / "report.json").string(); }
std::string RunFolder::predictionsFile(const std::string &split) const
{
    return (fs::path(m_dir) / ("predictions-" + split + ".jsonl")).string();
}

bool RunFolder::hasBestCheckpoint() const
{
    std::error_code ec;
    return std::filesystem::is_regular_file(bestCheckpoint(), ec);
}

bool RunFolder::hasLastCheckpoint() const
{
    std::error_code ec;
    return std::filesystem::is_regular_file(lastCheckpoint(), ec);
}

bool RunFolder::isRun() const
{
    std::error_code ec;
    return fs::exists(recordFile(), ec);
}

RunRecord RunFolder::readRecord() const
{
    if (!isRun())
        throw Error(Message(FL_TR("RunFolder", "%1 is not a run folder (it has no run.json)"), m_dir));
    const auto j = readJsonObject(recordFile());
    if (!j)
        throw Error(Message(FL_TR("RunFolder", "%1 is damaged (not a JSON object)"), recordFile()));
    RunRecord r;
    try { // a field of the wrong type (edited by hand) is damage too, said as such
        r.cache = j->value("cache", "");
        r.experimentDir = j->value("experiment_dir", "");
        r.created = j->value("created", "");
    } catch (const nlohmann::json::exception &) {
        throw Error(Message(FL_TR("RunFolder", "%1 is damaged (a field has the wrong type)"), recordFile()));
    }
    if (j->contains("overrides") && (*j)["overrides"].is_object())
        r.overrides = (*j)["overrides"];
    return r;
}

void RunFolder::writeRecord(const RunRecord &r) const
{
    fs::create_directories(m_dir);
    const nlohmann::json j = {{"cache", r.cache}, {"experiment_dir", r.experimentDir}, {"created", r.created}, {"overrides", r.overrides}};
    writeFileAtomically(recordFile(), j.dump(2) + "\n");
}

Experiment RunFolder::readExperiment() const { return Experiment::load(experimentFile()); }

std::optional<nlohmann::json> RunFolder::readReport() const { return readJsonObject(reportFile()); }

void RunFolder::writePredictions(const std::string &split, const std::vector<SamplePrediction> &predictions) const
{
    const std::string file = predictionsFile(split);
    if (predictions.empty()) {
        std::error_code ec;
        fs::remove(file, ec);
        return;
    }
    std::string out;
    out.reserve(predictions.size() * 96);
    for (const SamplePrediction &p : predictions) {
        nlohmann::json top = nlohmann::json::array();
        for (std::size_t k = 0; k < p.top.size(); ++k)
            if (p.top[k] >= 0)
                top.push_back({p.top[k], p.topProbability[k]});
        out += nlohmann::json{{"row", p.row}, {"label", p.label}, {"predicted", p.predicted}, {"top", top}}.dump();
        out += '\n';
    }
    writeFileAtomically(file, out);
}

std::string RunFolder::textsFile(const std::string &split) const { return (fs::path(m_dir) / ("texts-" + split + ".jsonl")).string(); }

void RunFolder::writeTexts(const std::string &split, const std::vector<SampleText> &texts) const
{
    const std::string file = textsFile(split);
    if (texts.empty()) {
        std::error_code ec;
        fs::remove(file, ec);
        return;
    }
    std::string out;
    for (const SampleText &t : texts)
        out += nlohmann::json{{"row", t.row}, {"reference", t.reference}, {"hypothesis", t.hypothesis}}.dump(-1, ' ', false,
                                                                                                              nlohmann::json::error_handler_t::replace) +
               "\n";
    writeFileAtomically(file, out);
}

std::optional<std::vector<SampleText>> RunFolder::readTexts(const std::string &split) const
{
    const std::string file = textsFile(split);
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::nullopt;
    std::istringstream in(readFile(file, 1u << 30));
    std::vector<SampleText> out;
    for (std::string line; std::getline(in, line);) {
        const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object() || !j.contains("row") || !j["row"].is_number_integer() || !j.contains("reference") || !j["reference"].is_string() ||
            !j.contains("hypothesis") || !j["hypothesis"].is_string())
            continue; // edited by hand or cut off: that line is left out
        out.push_back({j["row"].get<std::int64_t>(), j["reference"].get<std::string>(), j["hypothesis"].get<std::string>()});
    }
    return out;
}

std::optional<std::vector<SamplePrediction>> RunFolder::readPredictions(const std::string &split) const
{
    const std::string file = predictionsFile(split);
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::nullopt;
    const std::string text = readFile(file, 1u << 30);
    std::vector<SamplePrediction> out;
    std::size_t start = 0;
    int line = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        ++line;
        const std::string_view one(text.data() + start, end - start);
        start = end + 1;
        if (one.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        const nlohmann::json j = nlohmann::json::parse(one, nullptr, false);
        SamplePrediction p;
        bool ok = j.is_object() && j.contains("row") && j["row"].is_number_integer() && j.contains("label") &&
                  j["label"].is_number_integer() && j.contains("predicted") && j["predicted"].is_number_integer();
        if (ok) {
            p.row = j["row"].get<std::int64_t>();
            p.label = j["label"].get<int>();
            p.predicted = j["predicted"].get<int>();
            if (j.contains("top") && j["top"].is_array())
                for (std::size_t k = 0; k < j["top"].size() && k < p.top.size(); ++k) {
                    const auto &t = j["top"][k];
                    if (!t.is_array() || t.size() != 2 || !t[0].is_number_integer() || !(t[1].is_number() || t[1].is_null())) { // null: NaN
                        ok = false;
                        break;
                    }
                    p.top[k] = t[0].get<int>();
                    p.topProbability[k] = t[1].is_null() ? std::numeric_limits<float>::quiet_NaN() : t[1].get<float>();
                }
            p.confidence = p.top[0] == p.predicted ? p.topProbability[0] : 0.0f;
        }
        if (!ok)
            throw Error(Message(FL_TR("RunFolder", "%1, line %2: not a prediction (expected an object with row, label, predicted and top)"),
                                file, std::to_string(line)));
        out.push_back(p);
    }
    return out;
}

RunStatus RunFolder::status() const
{
    if (const auto lock = readJsonObject(lockFile())) {
        const bool sameHost = lock->contains("host") && (*lock)["host"].is_string() && (*lock)["host"].get<std::string>() == hostName();
        const long pid = lock->contains("pid") && (*lock)["pid"].is_number_integer() ? (*lock)["pid"].get<long>() : 0L;
        if (!sameHost || processAlive(pid))
            return RunStatus::Running; // another machine's process cannot be checked from here
        return RunStatus::Interrupted;
    }
    if (const auto report = readReport())
        return report->contains("stopped") && (*report)["stopped"] == true ? RunStatus::Stopped : RunStatus::Finished;
    if (lastEvent(eventsFile()) == "failed")
        return RunStatus::Failed;
    return RunStatus::Interrupted;
}

RunSummary RunFolder::summary() const
{
    RunSummary s;
    s.dir = m_dir;
    s.status = status();
    try {
        s.created = readRecord().created;
    } catch (const Error &) {
    }
    try {
        const Experiment e = readExperiment();
        s.experimentName = e.name;
        s.epochs = e.training.epochs;
    } catch (const Error &) {
    }
    // Epochs done so far: metrics.csv has one row per validated epoch.
    std::ifstream csv(metricsFile());
    std::string line;
    while (std::getline(csv, line))
        if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0])))
            ++s.epochsCompleted;
    // The device of its latest (re)start.
    std::ifstream events(eventsFile());
    while (std::getline(events, line))
        if (line.find("\"run_started\"") != std::string::npos) {
            const auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.contains("device") && j["device"].is_string())
                s.device = j["device"].get<std::string>();
        }
    if (const auto r = readReport()) try { // fields of the wrong type (edited by hand) are left out
        s.bestEpoch = r->value("best_epoch", 0);
        // The headline figure of the split's metrics, by the task they say they are of.
        const auto headline = [&s](const nlohmann::json &m) -> std::optional<double> {
            const std::string task = m.contains("task") && m["task"].is_string() ? m["task"].get<std::string>() : std::string();
            s.score = task == "sequence" ? "bleu" : task == "regression" ? "r2" : "accuracy";
            const char *key = task == "sequence" ? "bleu" : task == "regression" ? "r2" : m.contains("accuracy") ? "accuracy" : "subset_accuracy";
            if (!m.contains(key) || !m[key].is_number())
                return std::nullopt;
            return m[key].get<double>();
        };
        if (r->contains("val") && (*r)["val"].is_object())
            s.bestValScore = headline((*r)["val"]);
        if (r->contains("test") && (*r)["test"].is_object())
            s.testScore = headline((*r)["test"]);
        if (r->contains("test") && (*r)["test"].is_object() && (*r)["test"].contains("macro") && (*r)["test"]["macro"].is_object())
            s.testMacroF1 = (*r)["test"]["macro"].value("f1", 0.0);
        if (r->contains("seconds") && (*r)["seconds"].is_number())
            s.seconds = (*r)["seconds"].get<double>();
    } catch (const nlohmann::json::exception &) {
    }
    return s;
}

std::vector<EpochRow> RunFolder::readMetrics() const
{
    std::vector<EpochRow> rows;
    std::ifstream csv(metricsFile());
    std::string line;
    if (!std::getline(csv, line))
        return rows;
    std::vector<std::string> header;
    for (std::size_t start = 0; start <= line.size();) {
        const std::size_t comma = std::min(line.find(',', start), line.size());
        header.push_back(line.substr(start, comma - start));
        start = comma + 1;
    }
    auto column = [&](const char *name) {
        const auto it = std::find(header.begin(), header.end(), name);
        return it == header.end() ? -1 : static_cast<int>(it - header.begin());
    };
    const int epoch = column("epoch"), trainLoss = column("train_loss"), valLoss = column("val_loss"), valAcc = column("val_accuracy"),
              valF1 = column("val_macro_f1"), lr = column("learning_rate"), secs = column("seconds"),
              rate = column("samples_per_second"), rmse = column("val_rmse"), r2 = column("val_r2"), pearson = column("val_pearson"),
              bleu = column("val_bleu"), chrf = column("val_chrf"), exact = column("val_exact_match"), wer = column("val_wer"),
              cer = column("val_cer");
    if (epoch < 0)
        return rows;
    while (std::getline(csv, line)) {
        std::vector<double> v;
        for (std::size_t start = 0; start <= line.size();) {
            const std::size_t comma = std::min(line.find(',', start), line.size());
            const std::string cell = line.substr(start, comma - start);
            char *end = nullptr;
            const double x = std::strtod(cell.c_str(), &end);
            v.push_back(end && end != cell.c_str() ? x : std::nan(""));
            start = comma + 1;
        }
        auto at = [&](int k) { return k >= 0 && k < static_cast<int>(v.size()) ? v[static_cast<std::size_t>(k)] : std::nan(""); };
        // An epoch is a whole number a run can reach (found by fuzz_run_folder: "inf" cast to int).
        if (!(at(epoch) >= 0 && at(epoch) <= 1e7) || at(epoch) != std::floor(at(epoch)))
            continue;
        rows.push_back({static_cast<int>(at(epoch)), at(trainLoss), at(valLoss), at(valAcc), at(valF1), at(lr), at(secs), at(rate), at(rmse), at(r2),
                        at(pearson), at(bleu), at(chrf), at(exact), at(wer), at(cer)});
    }
    return rows;
}

std::vector<RunSummary> RunFolder::list(const std::string &root)
{
    std::vector<RunSummary> out;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const RunFolder run(it->path().string());
        if (it->is_directory(ec) && run.isRun())
            out.push_back(run.summary());
    }
    std::stable_sort(out.begin(), out.end(), [](const RunSummary &a, const RunSummary &b) {
        return a.created != b.created ? a.created > b.created : a.dir > b.dir;
    });
    return out;
}

RunFolder::Lock &RunFolder::Lock::operator=(Lock &&o) noexcept
{
    if (this != &o) {
        release();
        m_file = std::move(o.m_file);
        o.m_file.clear();
    }
    return *this;
}

void RunFolder::Lock::release()
{
    if (m_file.empty())
        return;
    std::error_code ec;
    fs::remove(m_file, ec);
    m_file.clear();
}

RunFolder::Lock RunFolder::lock() const
{
    if (status() == RunStatus::Running)
        throw Error(Message(FL_TR("RunFolder", "%1 is being trained by another process (see run.lock); wait for it or stop it first"),
                            m_dir));
    fs::create_directories(m_dir);
    writeFileAtomically(lockFile(), nlohmann::json({{"pid", static_cast<long>(::getpid())}, {"host", hostName()},
                                                    {"started", utcTimestamp()}}).dump() + "\n");
    Lock held(lockFile());
    // Temporary files of a writer that was killed mid-write (their final names are intact):
    // only the lock's holder writes here, so any left now are stale.
    for (const fs::path &dir : {fs::path(m_dir), fs::path(m_dir) / "checkpoints"}) {
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->path().filename().string().find(".tmp-") != std::string::npos)
                fs::remove(it->path(), ec);
    }
    return held;
}

std::optional<nlohmann::json> readJsonObject(const std::string &file)
{
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::nullopt;
    try {
        nlohmann::json j = nlohmann::json::parse(readFile(file, 64u << 20), nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return std::nullopt;
        return j;
    } catch (const Error &) {
        return std::nullopt;
    }
}

} // namespace fuselab
