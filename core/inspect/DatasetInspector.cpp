// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/inspect/DatasetInspector.h"
#include "core/data/TargetVocabulary.h"

#include "core/media/AudioDecoder.h"
#include "core/media/ImageDecoder.h"
#include "core/media/Text.h"
#include "core/util/FileIO.h"
#include "core/util/Hash.h"
#include "core/util/MessageJson.h"
#include "core/util/ParallelFor.h"
#include "core/util/Utf8.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace fuselab {

namespace {

struct FieldResult {
    bool ok = false;
    Message error;
    Hash128 hash;
    bool hashed = false;
    // image
    std::int64_t width = 0, height = 0;
    int channels = 0, bitDepth = 0;
    // audio
    double duration = 0;
    int sampleRate = 0, audioChannels = 0;
    // text
    std::int64_t chars = 0, words = 0;
};

nlohmann::json distribution(std::vector<double> v, int decimals)
{
    if (v.empty())
        return nullptr;
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v) sum += x;
    const double scale = std::pow(10.0, decimals);
    auto r = [&](double x) { return std::round(x * scale) / scale; };
    const std::size_t n = v.size();
    const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return {{"min", r(v.front())}, {"median", r(median)}, {"mean", r(sum / n)}, {"max", r(v.back())}};
}

template <typename K>
nlohmann::json topCounts(const std::map<K, std::int64_t> &counts, const char *keyName, std::size_t limit,
                         const std::function<nlohmann::json(const K &)> &keyJson)
{
    std::vector<std::pair<K, std::int64_t>> v(counts.begin(), counts.end());
    std::stable_sort(v.begin(), v.end(), [](auto &a, auto &b) { return a.second > b.second; });
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < v.size() && i < limit; ++i)
        out.push_back({{keyName, keyJson(v[i].first)}, {"count", v[i].second}});
    return out;
}

} // namespace

nlohmann::json inspectDataset(const Dataset &d, const InspectOptions &options, ProgressObserver *observer)
{
    useSingleThreadedOpenCv();
    const std::size_t M = d.columns.size();
    const auto N = static_cast<std::int64_t>(d.samples.size());
    std::vector<FieldResult> results(static_cast<std::size_t>(N) * M);
    const std::int64_t pixels = d.blob ? d.blob->rows * d.blob->cols : 0;

    parallelFor(N, options.threads, [&](std::int64_t i) {
        const Sample &s = d.samples[static_cast<std::size_t>(i)];
        for (std::size_t m = 0; m < M; ++m) {
            const Field &f = s.fields[m];
            FieldResult &r = results[static_cast<std::size_t>(i) * M + m];
            if (!f.present)
                continue;
            const Modality kind = d.columns[m].kind;
            try {
                if (f.blobIndex >= 0) {
                    r.hash = hashBytes(d.blob->image(f.blobIndex), static_cast<std::size_t>(pixels));
                    r.hashed = true;
                    r.ok = true;
                    r.width = d.blob->cols;
                    r.height = d.blob->rows;
                    r.channels = 1;
                    r.bitDepth = 8;
                    continue;
                }
                if (kind == Modality::Text && !f.isPath) {
                    std::string text;
                    r.ok = normaliseText(f.value, &text, &r.error);
                    if (r.ok) {
                        r.chars = static_cast<std::int64_t>(utf8::decode(text).size());
                        r.words = static_cast<std::int64_t>(splitWords(text, false).size());
                    }
                    continue;
                }
                const std::string bytes = readFile(f.value, UINT64_C(1) << 32);
                r.hash = hashBytes(bytes);
                r.hashed = true;
                if (kind == Modality::Image) {
                    ImageHeader h;
                    r.ok = validateImage(bytes, options.maxPixels, &h, &r.error);
                    r.width = h.width;
                    r.height = h.height;
                    r.channels = h.channels;
                    r.bitDepth = h.bitDepth;
                } else if (kind == Modality::Audio) {
                    AudioInfo info;
                    r.ok = decodeAudioMono(f.value, 0, nullptr, &info, &r.error);
                    r.duration = info.durationSeconds();
                    r.sampleRate = info.sampleRate;
                    r.audioChannels = info.channels;
                } else {
                    std::string text;
                    r.ok = normaliseText(bytes, &text, &r.error);
                    if (r.ok) {
                        r.chars = static_cast<std::int64_t>(utf8::decode(text).size());
                        r.words = static_cast<std::int64_t>(splitWords(text, false).size());
                    }
                }
            } catch (const std::exception &e) {
                r.ok = false;
                r.error = messageOf(e);
            }
        }
    }, observer, "checking files");

    nlohmann::json report;
    report["fuselab_inspect_version"] = 1;
    report["dataset"] = {{"path", d.source}, {"root", d.root}, {"format", d.format},
                         {"task", d.task == Task::Regression ? "regression"
                                  : d.task == Task::Sequence ? "sequence"
                                  : d.multiLabel             ? "multi-label"
                                                             : "single-label"},
                         {"task_reason", d.taskReason.str()},
                         {"task_reason_message", messageToJson(d.taskReason)}};

    // Problems: reader issues first (with line numbers), then decode failures.
    nlohmann::json problems = nlohmann::json::array();
    std::int64_t problemCount = 0, warningCount = 0;
    auto addProblem = [&](const std::string &file, long line, const Message &reason, bool warning) {
        (warning ? warningCount : problemCount)++;
        if (problems.size() < options.maxListed) {
            nlohmann::json p = {{"file", file}, {"reason", reason.str()}, {"message", messageToJson(reason)},
                                {"severity", warning ? "warning" : "error"}};
            if (line > 0)
                p["line"] = line;
            problems.push_back(p);
        }
    };
    for (const DataIssue &i : d.issues)
        addProblem(i.file, i.line, i.reason, i.severity == DataIssue::Severity::Warning);

    std::vector<std::int64_t> classTotal(d.classes.size()), classSplit(d.classes.size() * 3);
    std::vector<std::int64_t> present(M), missing(M), corrupt(M);
    std::int64_t usable = 0, withMissing = 0;
    std::int64_t splitCount[3] = {0, 0, 0};
    std::map<Hash128, std::vector<std::string>> byHash;
    std::vector<double> targets, targetWords; // regression targets; sequence targets' word counts
    std::set<double> distinctNumbers;
    std::set<std::string> distinctTexts;
    std::vector<double> widths, heights, durations, charsV, wordsV;
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> sizes;
    std::map<int, std::int64_t> imageChannels, sampleRates, audioChannels;
    nlohmann::json missingList = nlohmann::json::array();

    for (std::int64_t i = 0; i < N; ++i) {
        const Sample &s = d.samples[static_cast<std::size_t>(i)];
        bool any = false;
        std::vector<std::string> missingHere;
        for (std::size_t m = 0; m < M; ++m) {
            const Field &f = s.fields[m];
            const FieldResult &r = results[static_cast<std::size_t>(i) * M + m];
            if (!f.present) {
                ++missing[m];
                missingHere.push_back(d.columns[m].name);
                continue;
            }
            if (r.hashed && d.columns[m].kind != Modality::Text)
                byHash[r.hash].push_back(d.displayName(f));
            if (!r.ok) {
                ++corrupt[m];
                addProblem(d.displayName(f), 0, r.error.empty() ? Message(FL_TR("Inspector", "unreadable")) : r.error, false);
                continue;
            }
            ++present[m];
            any = true;
            switch (d.columns[m].kind) {
            case Modality::Image:
                widths.push_back(double(r.width));
                heights.push_back(double(r.height));
                ++sizes[{r.width, r.height}];
                ++imageChannels[r.channels];
                break;
            case Modality::Audio:
                durations.push_back(r.duration);
                ++sampleRates[r.sampleRate];
                ++audioChannels[r.audioChannels];
                break;
            case Modality::Text:
                charsV.push_back(double(r.chars));
                wordsV.push_back(double(r.words));
                break;
            }
        }
        if (!any) {
            addProblem(s.id, 0, Message(FL_TR("Inspector", "sample has no readable modality; skipped")), false);
            continue;
        }
        ++usable;
        if (!missingHere.empty()) {
            ++withMissing;
            if (missingList.size() < options.maxListed)
                missingList.push_back({{"sample", s.id}, {"missing", missingHere}});
        }
        forEachClass(d, s, [&](int c) {
            ++classTotal[static_cast<std::size_t>(c)];
            if (s.split != Split::None)
                ++classSplit[static_cast<std::size_t>(c) * 3 + static_cast<std::size_t>(s.split)];
        });
        if (s.split != Split::None)
            ++splitCount[static_cast<std::size_t>(s.split)];
        if (d.task == Task::Regression) {
            targets.push_back(s.target);
            distinctNumbers.insert(s.target);
        } else if (d.task == Task::Sequence) {
            targetWords.push_back(double(splitWords(s.targetText, false).size()));
            distinctTexts.insert(s.targetText);
        }
    }
    if (!targets.empty())
        report["targets"] = {{"count", targets.size()}, {"distinct", distinctNumbers.size()}, {"value", distribution(targets, 4)}};
    if (!targetWords.empty()) {
        report["targets"] = {{"count", targetWords.size()}, {"distinct", distinctTexts.size()}, {"words", distribution(targetWords, 1)}};
        // The vocabulary as training would build it (word tokens, the default length): how
        // many val/test tokens it does not know, and how many targets it would truncate.
        const TargetSettings ts;
        const TargetVocabulary vocab = fitTargetVocabulary(d, ts);
        nlohmann::json vj = {{"tokens", "word"}, {"size", vocab.size()}, {"max_length", ts.maxLength}};
        for (Split sp : {Split::Train, Split::Val, Split::Test}) {
            const TargetStatistics st = targetStatistics(d, vocab, ts.maxLength, sp);
            vj[splitName(sp)] = {{"targets", st.targets}, {"tokens", st.tokens}, {"unknown_tokens", st.unknown},
                                 {"over_max_length", st.overLong}, {"longest", st.longest}};
        }
        report["targets"]["vocabulary"] = vj;
    }

    report["samples"] = {{"total", N}, {"usable", usable}, {"skipped", N - usable}, {"with_missing_modality", withMissing}};
    report["splits"] = {{"source", d.splitGiven ? "dataset" : "generated"},
                        {"train", splitCount[0]}, {"val", splitCount[1]}, {"test", splitCount[2]}};
    nlohmann::json classes = nlohmann::json::array();
    std::int64_t maxClass = 0, minClass = -1, classesWithSamples = 0;
    for (std::size_t c = 0; c < d.classes.size(); ++c) {
        classes.push_back({{"name", d.classes[c]}, {"count", classTotal[c]}, {"train", classSplit[c * 3]},
                           {"val", classSplit[c * 3 + 1]}, {"test", classSplit[c * 3 + 2]}});
        if (classTotal[c] > 0) {
            ++classesWithSamples;
            maxClass = std::max(maxClass, classTotal[c]);
            minClass = minClass < 0 ? classTotal[c] : std::min(minClass, classTotal[c]);
        }
    }
    report["classes"] = classes;
    report["imbalance_ratio"] = minClass > 0 ? nlohmann::json(std::round(double(maxClass) / double(minClass) * 100) / 100)
                                             : nlohmann::json(nullptr);
    nlohmann::json modalities = nlohmann::json::array();
    for (std::size_t m = 0; m < M; ++m)
        modalities.push_back({{"column", d.columns[m].name}, {"kind", modalityName(d.columns[m].kind)},
                              {"present", present[m]}, {"missing", missing[m]}, {"corrupt", corrupt[m]}});
    report["modalities"] = modalities;
    report["missing_modalities"] = missingList;

    auto intKey = [](const int &k) { return nlohmann::json(k); };
    if (!widths.empty())
        report["images"] = {{"count", widths.size()},
                            {"width", distribution(widths, 1)},
                            {"height", distribution(heights, 1)},
                            {"sizes", topCounts<std::pair<std::int64_t, std::int64_t>>(
                                          sizes, "size", 10, [](const auto &k) { return nlohmann::json::array({k.first, k.second}); })},
                            {"distinct_sizes", sizes.size()},
                            {"channels", topCounts<int>(imageChannels, "channels", 10, intKey)}};
    if (!durations.empty())
        report["audio"] = {{"count", durations.size()},
                           {"duration_s", distribution(durations, 3)},
                           {"sample_rates", topCounts<int>(sampleRates, "rate", 10, intKey)},
                           {"channels", topCounts<int>(audioChannels, "channels", 10, intKey)}};
    if (!charsV.empty())
        report["text"] = {{"count", charsV.size()}, {"characters", distribution(charsV, 1)}, {"words", distribution(wordsV, 1)}};

    nlohmann::json dups = nlohmann::json::array();
    std::int64_t dupGroups = 0, dupFiles = 0;
    for (auto &[hash, files] : byHash) {
        if (files.size() < 2)
            continue;
        ++dupGroups;
        dupFiles += static_cast<std::int64_t>(files.size());
        if (dups.size() < options.maxListed)
            dups.push_back({{"hash", hash.hex()}, {"files", files}});
    }
    report["duplicates"] = {{"groups", dupGroups}, {"files", dupFiles}, {"listed", dups}};
    report["problems"] = {{"errors", problemCount}, {"warnings", warningCount}, {"listed", problems}};

    Message verdict;
    bool ok = true;
    if (usable == 0) {
        ok = false;
        verdict = N == 0 ? Message(FL_TR("Inspector", "no samples found")) : Message(FL_TR("Inspector", "no sample could be read"));
    } else if (d.task == Task::Sequence) {
        ok = distinctTexts.size() >= 2;
        verdict = ok ? Message(FL_TR("Inspector", "usable")) : Message(FL_TR("Inspector", "every target is the same text: nothing to learn"));
    } else if (d.task == Task::Regression) {
        ok = distinctNumbers.size() >= 2;
        verdict = ok ? Message(FL_TR("Inspector", "usable")) : Message(FL_TR("Inspector", "every target is the same number: nothing to learn"));
    } else if (classesWithSamples < 2) {
        ok = false;
        verdict = Message(FL_TR("Inspector", "only one class has readable samples; a classifier needs at least two"));
    } else {
        verdict = Message(FL_TR("Inspector", "usable"));
    }
    report["usable"] = ok;
    report["verdict"] = verdict.str();
    report["verdict_message"] = messageToJson(verdict);
    return report;
}

namespace {

std::string pad(const std::string &s, std::size_t w, bool right = false)
{
    // Display width: count code points (CJK class names are close enough).
    const std::size_t len = utf8::decode(s).size();
    if (len >= w)
        return s;
    return right ? std::string(w - len, ' ') + s : s + std::string(w - len, ' ');
}

std::string num(const nlohmann::json &v)
{
    if (v.is_null())
        return "-";
    if (v.is_number_integer() || v.is_number_unsigned())
        return std::to_string(v.get<std::int64_t>());
    std::ostringstream o;
    o << v.get<double>();
    return o.str();
}

std::string dist(const nlohmann::json &d, const std::string &unit)
{
    if (d.is_null())
        return "-";
    return "min " + num(d["min"]) + unit + ", median " + num(d["median"]) + unit + ", mean " + num(d["mean"]) + unit
         + ", max " + num(d["max"]) + unit;
}

} // namespace

std::string formatInspectReport(const nlohmann::json &r)
{
    std::ostringstream o;
    const auto &ds = r["dataset"];
    o << "Dataset   " << ds["path"].get<std::string>() << "  (" << ds["format"].get<std::string>() << ")\n";
    const std::string task = ds.value("task", "");
    const std::string reason = ds.value("task_reason", "");
    if (task == "multi-label")
        o << "Task      multi-label: a sample may belong to several classes (counts below are per class)";
    else if (task == "regression")
        o << "Task      regression: a number per sample";
    else if (task == "sequence")
        o << "Task      sequence: a text to produce per sample";
    else
        o << "Task      classification: one class per sample";
    o << (reason.empty() ? "" : "  (" + reason + ")") << "\n";
    const auto &s = r["samples"];
    o << "Samples   " << num(s["usable"]) << " usable of " << num(s["total"]);
    if (s["skipped"].get<std::int64_t>() > 0)
        o << " (" << num(s["skipped"]) << " skipped)";
    if (s["with_missing_modality"].get<std::int64_t>() > 0)
        o << ", " << num(s["with_missing_modality"]) << " missing a modality";
    o << "\n";
    const auto &sp = r["splits"];
    o << "Splits    train " << num(sp["train"]) << ", val " << num(sp["val"]) << ", test " << num(sp["test"])
      << (sp["source"] == "dataset" ? "  (from the dataset)" : "  (stratified, seeded)") << "\n\n";

    if (r.contains("targets") && r["targets"].contains("value"))
        o << "Targets   " << num(r["targets"]["count"]) << " numbers, " << num(r["targets"]["distinct"]) << " distinct: "
          << dist(r["targets"]["value"], "") << "\n\n";
    if (r.contains("targets") && r["targets"].contains("words"))
        o << "Targets   " << num(r["targets"]["count"]) << " texts, " << num(r["targets"]["distinct"]) << " distinct; words "
          << dist(r["targets"]["words"], "") << "\n\n";
    if (task != "regression" && task != "sequence") {
        std::size_t w = 5;
        for (auto &c : r["classes"])
            w = std::max(w, utf8::decode(c["name"].get<std::string>()).size());
        o << pad("Class", w + 2) << pad("Samples", 9, true) << pad("Train", 8, true) << pad("Val", 7, true) << pad("Test", 7, true) << "\n";
        for (auto &c : r["classes"])
            o << pad(c["name"].get<std::string>(), w + 2) << pad(num(c["count"]), 9, true) << pad(num(c["train"]), 8, true)
              << pad(num(c["val"]), 7, true) << pad(num(c["test"]), 7, true) << "\n";
        o << "Imbalance ratio (largest / smallest class): " << num(r["imbalance_ratio"]) << "\n\n";
    }

    std::size_t cw = 6;
    for (auto &m : r["modalities"])
        cw = std::max(cw, m["column"].get<std::string>().size());
    o << pad("Modality", 10) << pad("Column", cw + 2) << pad("Present", 9, true) << pad("Missing", 9, true) << pad("Corrupt", 9, true) << "\n";
    for (auto &m : r["modalities"])
        o << pad(m["kind"].get<std::string>(), 10) << pad(m["column"].get<std::string>(), cw + 2) << pad(num(m["present"]), 9, true)
          << pad(num(m["missing"]), 9, true) << pad(num(m["corrupt"]), 9, true) << "\n";
    o << "\n";

    if (r.contains("images")) {
        const auto &im = r["images"];
        o << "Images    " << num(im["count"]) << " decoded, " << num(im["distinct_sizes"]) << " distinct sizes\n";
        o << "  width   " << dist(im["width"], " px") << "\n  height  " << dist(im["height"], " px") << "\n  sizes   ";
        bool first = true;
        for (auto &e : im["sizes"]) {
            o << (first ? "" : ", ") << num(e["size"][0]) << "x" << num(e["size"][1]) << " (" << num(e["count"]) << ")";
            first = false;
        }
        o << "\n  channels ";
        first = true;
        for (auto &e : im["channels"]) {
            o << (first ? "" : ", ") << num(e["channels"]) << " (" << num(e["count"]) << ")";
            first = false;
        }
        o << "\n";
    }
    if (r.contains("audio")) {
        const auto &a = r["audio"];
        o << "Audio     " << num(a["count"]) << " decoded\n  duration " << dist(a["duration_s"], " s") << "\n  rates   ";
        bool first = true;
        for (auto &e : a["sample_rates"]) {
            o << (first ? "" : ", ") << num(e["rate"]) << " Hz (" << num(e["count"]) << ")";
            first = false;
        }
        o << "\n";
    }
    if (r.contains("text")) {
        const auto &t = r["text"];
        o << "Text      " << num(t["count"]) << " read\n  characters " << dist(t["characters"], "")
          << "\n  words      " << dist(t["words"], "") << "\n";
    }
    const auto &dup = r["duplicates"];
    o << "\nDuplicates: " << num(dup["groups"]) << " groups of identical files (" << num(dup["files"]) << " files)\n";
    std::size_t shown = 0;
    for (auto &g : dup["listed"]) {
        if (++shown > 10) {
            o << "  ... (--json lists up to 200 groups)\n";
            break;
        }
        o << " ";
        for (auto &f : g["files"])
            o << " " << f.get<std::string>();
        o << "\n";
    }
    const auto &p = r["problems"];
    o << "\nProblems: " << num(p["errors"]) << " errors, " << num(p["warnings"]) << " warnings\n";
    shown = 0;
    for (auto &e : p["listed"]) {
        if (++shown > 50) {
            o << "  ... (--json lists up to 200)\n";
            break;
        }
        o << "  " << (e["severity"] == "warning" ? "warning: " : "error:   ") << e["file"].get<std::string>();
        if (e.contains("line"))
            o << ":" << num(e["line"]);
        o << ": " << e["reason"].get<std::string>() << "\n";
    }
    o << "\nVerdict: " << (r["usable"].get<bool>() ? "usable" : "NOT usable: " + r["verdict"].get<std::string>()) << "\n";
    return o.str();
}

} // namespace fuselab
