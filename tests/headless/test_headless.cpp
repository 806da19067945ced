// The headless engine's own test (no Qt: a GPU server's build has no Qt Test). It uses
// fuselab-cli as a user of such a server does: a tensor cache and an experiment made on a
// workstation (tests/data/headless, made by make_fixture.py with a full build) are trained,
// evaluated, exported and resumed, and bad input is refused. Every expected value is read
// from the cache's raw files by this program (docs/formats.md), not through FuseLab.
//
//   test_headless CLI FIXTURE_DIR WORK_DIR --ingest on|off
//
// Prints one line per check and a closing count; exits 1 when a check failed.
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

int g_checks = 0, g_failed = 0;
std::string g_section;

void check(bool ok, const std::string &what, const std::string &detail = {})
{
    ++g_checks;
    if (!ok)
        ++g_failed;
    const bool show = !ok && !detail.empty();
    std::printf("%s %s: %s%s%s\n", ok ? "PASS" : "FAIL", g_section.c_str(), what.c_str(), show ? "\n       " : "",
                show ? detail.c_str() : "");
    std::fflush(stdout);
}

struct Result {
    int rc = -1;
    std::string out; // stdout and stderr together
};

std::string quote(const std::string &s)
{
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string g_cli;

Result cli(const std::vector<std::string> &args, const std::string &env = {})
{
    std::string cmd = env.empty() ? quote(g_cli) : "env " + env + " " + quote(g_cli);
    for (const auto &a : args)
        cmd += " " + quote(a);
    cmd += " 2>&1";
    Result r;
    FILE *p = popen(cmd.c_str(), "r");
    if (!p)
        return r;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.out.append(buf.data(), n);
    const int status = pclose(p);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return r;
}

std::string readFile(const fs::path &p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

std::string tail(const std::string &s) { return s.size() > 1500 ? "..." + s.substr(s.size() - 1500) : s; }

// The cache's labels and splits, read as the format says: little-endian int64 and bytes.
struct CacheTruth {
    std::vector<int64_t> labels;
    std::vector<uint8_t> splits;
};

CacheTruth readCache(const fs::path &cache)
{
    CacheTruth t;
    const std::string l = readFile(cache / "labels.i64"), s = readFile(cache / "splits.u8");
    for (std::size_t i = 0; i + 8 <= l.size(); i += 8) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; --b)
            v = (v << 8) | static_cast<unsigned char>(l[i + b]);
        t.labels.push_back(static_cast<int64_t>(v));
    }
    t.splits.assign(s.begin(), s.end());
    return t;
}

int csvDataRows(const fs::path &p)
{
    std::ifstream in(p);
    std::string line;
    int rows = -1; // the header
    while (std::getline(in, line))
        if (!line.empty())
            ++rows;
    return rows;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 6 || std::string(argv[4]) != "--ingest") {
        std::fprintf(stderr, "usage: test_headless CLI FIXTURE_DIR WORK_DIR --ingest on|off\n");
        return 2;
    }
    g_cli = argv[1];
    const fs::path fixture = argv[2], work = argv[3];
    const bool ingest = std::string(argv[5]) == "on";
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::create_directories(work);
    // A copy: nothing here may change the fixture, and the damaged caches below are made from it.
    const fs::path cache = work / "cache", experiment = work / "bright-dark.fuselab.json";
    fs::copy(fixture / "cache", cache, fs::copy_options::recursive);
    fs::copy_file(fixture / "bright-dark.fuselab.json", experiment);
    const CacheTruth truth = readCache(cache);

    g_section = "fixture";
    check(truth.labels.size() == 160 && truth.splits.size() == 160, "the cache's raw files hold 160 samples");
    std::map<int, int> perSplit;
    for (uint8_t s : truth.splits)
        ++perSplit[s];
    const int testCount = perSplit[2];
    check(testCount > 0 && perSplit[0] > 0, "the cache has train and test rows");

    // Training: a dark/bright image and a caption word that says which in 70% of samples; the
    // images alone separate the classes, so a model that learns gets every test sample right.
    g_section = "train";
    const fs::path run = work / "run";
    Result r = cli({"train", experiment.string(), "--cache", cache.string(), "--out", run.string(), "--epochs", "6", "--seed", "3",
                    "--threads", "1", "--quiet"});
    check(r.rc == 0, "trains from a copied tensor cache", tail(r.out));
    check(csvDataRows(run / "metrics.csv") == 6, "metrics.csv has one row per epoch (6)", readFile(run / "metrics.csv"));
    check(fs::exists(run / "checkpoints" / "best.pt") && fs::exists(run / "checkpoints" / "last.pt"), "best.pt and last.pt written");
    json report;
    try {
        report = json::parse(readFile(run / "report.json"));
    } catch (const std::exception &e) {
        check(false, "report.json is JSON", e.what());
    }

    // predictions-test.jsonl against the cache's own labels and splits.
    int predicted = 0, correct = 0;
    std::set<int64_t> rows;
    bool rowsAreTest = true, labelsMatch = true;
    {
        std::ifstream in(run / "predictions-test.jsonl");
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty())
                continue;
            const json p = json::parse(line, nullptr, false);
            if (p.is_discarded() || !p.contains("row")) {
                rowsAreTest = false;
                continue;
            }
            const int64_t row = p["row"].get<int64_t>();
            rows.insert(row);
            ++predicted;
            if (row < 0 || row >= 160 || truth.splits[row] != 2) {
                rowsAreTest = false;
                continue;
            }
            if (p["label"].get<int64_t>() != truth.labels[row])
                labelsMatch = false;
            if (p["predicted"].get<int64_t>() == truth.labels[row])
                ++correct;
        }
    }
    check(predicted == testCount && static_cast<int>(rows.size()) == testCount && rowsAreTest,
          "one prediction for each test row of splits.u8 (" + std::to_string(testCount) + ")",
          std::to_string(predicted) + " predictions, " + std::to_string(rows.size()) + " distinct rows");
    check(labelsMatch, "each prediction's label is labels.i64's");
    check(correct == testCount, "every test sample right (a learnable task)", std::to_string(correct) + " of " + std::to_string(testCount));
    const double reported = report.value("/test/accuracy"_json_pointer, -1.0);
    check(std::abs(reported - double(correct) / testCount) < 1e-9, "report.json's test accuracy is the count of right predictions",
          "report.json " + std::to_string(reported));

    g_section = "eval";
    r = cli({"eval", run.string(), "--split", "test", "--json"});
    check(r.rc == 0, "eval --json runs", tail(r.out));
    {
        const auto brace = r.out.find('{');
        const json e = brace == std::string::npos ? json() : json::parse(r.out.substr(brace), nullptr, false);
        const bool ok = e.is_object() && e.contains("accuracy") && std::abs(e["accuracy"].get<double>() - double(correct) / testCount) < 1e-9;
        check(ok, "eval's accuracy is the count of right predictions", tail(r.out));
        if (ok && e.contains("confusion")) {
            int64_t total = 0;
            for (const auto &row : e["confusion"])
                for (const auto &v : row)
                    total += v.get<int64_t>();
            check(total == testCount, "eval's confusion matrix counts every test row once");
        }
    }

    // safetensors: an 8-byte little-endian header length, a JSON header, then the tensors'
    // bytes back to back in the order of their offsets, ending at the end of the file.
    g_section = "export";
    // The export is a folder: the weights beside the experiment, preprocessing and tokenizers.
    const fs::path st = work / "export" / "model.safetensors";
    r = cli({"export", run.string(), "--format", "safetensors", "--output", (work / "export").string()});
    check(r.rc == 0 && fs::exists(st), "exports safetensors", tail(r.out));
    if (fs::exists(st)) {
        const std::string bytes = readFile(st);
        uint64_t n = 0;
        for (int b = 7; b >= 0 && bytes.size() >= 8; --b)
            n = (n << 8) | static_cast<unsigned char>(bytes[b]);
        const json h = n + 8 <= bytes.size() ? json::parse(bytes.substr(8, n), nullptr, false) : json();
        std::vector<std::pair<uint64_t, uint64_t>> spans;
        bool shapesMatch = true;
        int tensors = 0;
        std::string odd;
        if (h.is_object())
            for (auto it = h.begin(); it != h.end(); ++it) {
                if (it.key() == "__metadata__")
                    continue;
                ++tensors;
                uint64_t elements = 1;
                for (const auto &d : it.value()["shape"])
                    elements *= d.get<uint64_t>();
                const auto a = it.value()["data_offsets"][0].get<uint64_t>(), b = it.value()["data_offsets"][1].get<uint64_t>();
                const std::string dtype = it.value()["dtype"].get<std::string>();
                const uint64_t width = dtype == "F32" || dtype == "I32" ? 4 : dtype == "I64" || dtype == "F64" ? 8 : 0;
                if (width == 0 || b - a != elements * width) {
                    shapesMatch = false;
                    odd += it.key() + " " + dtype + " ";
                }
                spans.emplace_back(a, b);
            }
        std::sort(spans.begin(), spans.end());
        bool contiguous = !spans.empty() && spans.front().first == 0;
        for (std::size_t i = 1; i < spans.size(); ++i)
            contiguous = contiguous && spans[i].first == spans[i - 1].second;
        check(tensors > 4 && shapesMatch, "every tensor has as many bytes as its shape and dtype say",
              std::to_string(tensors) + " tensors; " + odd);
        check(contiguous && 8 + n + spans.back().second == bytes.size(), "the tensors fill the file after the header, back to back");
    }

    // Resume: a run cut off by a full disk while writing its second last.pt (FuseLab's fault
    // injection, as in test_faults) keeps epoch 1's checkpoint; resumed, it ends with the same
    // losses, epoch by epoch, as the run that was never interrupted.
    g_section = "resume";
    const fs::path cut = work / "run-cut";
    r = cli({"train", experiment.string(), "--cache", cache.string(), "--out", cut.string(), "--epochs", "6", "--seed", "3",
             "--threads", "1", "--quiet"},
            "FUSELAB_FAIL_WRITE=last.pt:2");
    check(r.rc == 1 && contains(r.out, "last.pt") && contains(r.out, "No space left"), "a full disk stops the run, naming the file",
          tail(r.out));
    check(csvDataRows(cut / "metrics.csv") >= 1 && csvDataRows(cut / "metrics.csv") < 6, "the cut-off run logged fewer than 6 epochs",
          readFile(cut / "metrics.csv"));
    r = cli({"train", "--resume", cut.string(), "--threads", "1", "--quiet"});
    check(r.rc == 0, "the cut-off run resumes", tail(r.out));
    auto losses = [](const fs::path &csv) {
        // epoch, train_loss, val_loss: the columns that must not depend on an interruption.
        std::ifstream in(csv);
        std::string line, all;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::stringstream cells(line);
            std::string a, b, c;
            std::getline(cells, a, ',');
            std::getline(cells, b, ',');
            std::getline(cells, c, ',');
            all += a + "," + b + "," + c + "\n";
        }
        return all;
    };
    check(csvDataRows(cut / "metrics.csv") == 6 && losses(cut / "metrics.csv") == losses(run / "metrics.csv"),
          "resumed, it has epochs 1-6 with the uninterrupted run's losses", losses(cut / "metrics.csv") + "vs\n" + losses(run / "metrics.csv"));
    {
        // Damage: a truncated last.pt is refused with the file named and nothing changed.
        const fs::path last = cut / "checkpoints" / "last.pt";
        const std::string whole = readFile(last), metrics = readFile(cut / "metrics.csv");
        std::ofstream(last, std::ios::binary | std::ios::trunc) << whole.substr(0, whole.size() / 2);
        r = cli({"eval", cut.string(), "--split", "test"});
        check(r.rc == 0, "eval reads best.pt, not the damaged last.pt", tail(r.out));
        std::ofstream(cut / "checkpoints" / "best.pt", std::ios::binary | std::ios::trunc) << whole.substr(0, 100);
        r = cli({"eval", cut.string(), "--split", "test"});
        check(r.rc != 0 && r.rc < 128 && contains(r.out, "best.pt") && contains(r.out, "not a usable checkpoint"),
              "a truncated best.pt is refused, naming it", tail(r.out));
        check(readFile(cut / "metrics.csv") == metrics, "the refused eval changed nothing");
    }

    // Bad caches: each refused with the file and the reason, never a crash.
    g_section = "bad input";
    {
        const fs::path bad = work / "cache-short";
        fs::copy(cache, bad, fs::copy_options::recursive);
        const std::string col = readFile(bad / "col0.bin");
        std::ofstream(bad / "col0.bin", std::ios::binary | std::ios::trunc) << col.substr(0, col.size() - 64);
        r = cli({"train", experiment.string(), "--cache", bad.string(), "--out", (work / "run-short").string(), "--epochs", "1",
                 "--quiet"});
        check(r.rc != 0 && r.rc < 128 && contains(r.out, "col0.bin"), "a column file one record short is refused, naming it", tail(r.out));
    }
    {
        const fs::path bad = work / "cache-meta";
        fs::copy(cache, bad, fs::copy_options::recursive);
        std::ofstream(bad / "meta.json", std::ios::trunc) << "{\"format\": \"fuselab-tensor-cache\", \"version\": 1, \"count\": ";
        r = cli({"train", experiment.string(), "--cache", bad.string(), "--out", (work / "run-meta").string(), "--epochs", "1",
                 "--quiet"});
        check(r.rc != 0 && r.rc < 128 && contains(r.out, "meta.json"), "a cut-off meta.json is refused, naming it", tail(r.out));
    }
    r = cli({"train", experiment.string(), "--cache", (work / "nowhere").string(), "--out", (work / "run-none").string(), "--quiet"});
    check(r.rc == 2 && contains(r.out, "nowhere") && contains(r.out, "not a tensor cache"), "a missing cache folder is a usage error",
          tail(r.out));
    r = cli({"train", experiment.string(), "--cache", cache.string(), "--out", run.string(), "--epochs", "1", "--quiet"});
    check(r.rc != 0 && r.rc < 128 && fs::exists(run / "report.json"), "an existing run folder is not overwritten", tail(r.out));

    // What the headless build cannot do it says so; the full build does it.
    g_section = ingest ? "full build" : "headless build";
    for (const std::vector<std::string> &cmd : {std::vector<std::string>{"inspect", (work / "missing.csv").string()},
                                                 std::vector<std::string>{"cache", (work / "missing.csv").string()}}) {
        r = cli(cmd);
        if (ingest)
            check(r.rc != 0 && r.rc < 128 && contains(r.out, "missing.csv"), cmd[0] + " names the missing dataset", tail(r.out));
        else
            check(r.rc == 2 && contains(r.out, "no data ingestion"), cmd[0] + " says this build has no data ingestion", tail(r.out));
    }
    r = cli({"blocks", "--json"});
    const json blocks = json::parse(r.out, nullptr, false);
    check(r.rc == 0 && blocks.is_array() && blocks.size() >= 20, "blocks --json lists the built-in blocks", tail(r.out));
    r = cli({"check", experiment.string()});
    check(r.rc == 0, "check accepts the experiment", tail(r.out));

    std::printf("%d checks, %d failed\n", g_checks, g_failed);
    if (g_failed == 0)
        fs::remove_all(work, ec);
    return g_failed == 0 ? 0 : 1;
}
