// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/ManifestReader.h"

#include "core/data/CsvReader.h"
#include "core/data/PathGuard.h"
#include "core/util/FileIO.h"
#include "core/util/Utf8.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace fuselab {

namespace {

struct Table {
    std::vector<std::string> header;
    std::vector<CsvRecord> rows; // fields parallel to header ("" = empty)
    bool labelLists = false;     // JSONL: some label is a list (a multi-label dataset)
    std::set<long> emptyLabelLists; // JSONL lines whose label is [] (a sample of no class)
};

std::string trim(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

// The classes of a multi-label CSV cell ("cat; outdoor"): trimmed, empty and repeated
// names dropped.
std::vector<std::string> splitLabels(const std::string &cell)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= cell.size()) {
        std::size_t end = cell.find(kLabelSeparator, pos);
        if (end == std::string::npos)
            end = cell.size();
        std::string part = trim(cell.substr(pos, end - pos));
        if (!part.empty() && std::find(out.begin(), out.end(), part) == out.end())
            out.push_back(std::move(part));
        pos = end + 1;
    }
    return out;
}

// A label cell as a number ("3.5", "-2", "1e-3", "nan", "inf"), read the same in every locale.
std::optional<double> number(const std::string &cell)
{
    const char *b = cell.data(), *e = cell.data() + cell.size();
    if (b != e && *b == '+')
        ++b;
    double v = 0;
    const auto r = std::from_chars(b, e, v);
    if (b == e || r.ec != std::errc() || r.ptr != e)
        return std::nullopt;
    return v;
}

// What the label cells suggest when --task does not say: a set of classes per sample (';' in
// CSV, lists in JSONL), numbers that are not all whole (regression), many distinct texts of
// several words (a text to produce), or else one class per sample.
Task detectTask(const Table &t, int labelCol, bool lists, Message &reason)
{
    if (lists) {
        reason = Message(FL_TR("DataReading", "labels list several classes (\"%1\" in CSV, lists in JSONL)"), std::string(1, kLabelSeparator));
        return Task::MultiLabel;
    }
    std::size_t nonEmpty = 0, numbers = 0, fractional = 0, multiWord = 0;
    std::set<std::string> distinct;
    for (const auto &row : t.rows) {
        const std::string cell = trim(row.fields[static_cast<std::size_t>(labelCol)]);
        if (cell.empty())
            continue;
        ++nonEmpty;
        if (const auto v = number(cell)) {
            ++numbers;
            fractional += std::isfinite(*v) && *v != std::floor(*v);
        }
        multiWord += cell.find(' ') != std::string::npos;
        distinct.insert(cell);
    }
    // A stray "n/a" in a column of numbers is a bad row of a regression, not a class.
    if (fractional > 0 && nonEmpty - numbers <= std::max<std::size_t>(1, nonEmpty / 100)) {
        reason = Message(FL_TR("DataReading", "%1 of the %2 labels are numbers, %3 of them not whole numbers"), std::to_string(numbers),
                         std::to_string(nonEmpty), std::to_string(fractional));
        return Task::Regression;
    }
    // Texts of several words, so many distinct ones that most are rare: fewer than 4 samples
    // per text on average is too few to learn each as a class (a captioning or translation
    // set repeats some targets; a classifier's multi-word class names each have many).
    if (distinct.size() >= 20 && distinct.size() * 4 > nonEmpty && multiWord * 2 > nonEmpty) {
        reason = Message(FL_TR("DataReading", "%1 of the %2 labels are distinct and %3 have several words: texts to produce"),
                         std::to_string(distinct.size()), std::to_string(nonEmpty), std::to_string(multiWord));
        return Task::Sequence;
    }
    reason = Message(FL_TR("DataReading", "%1 distinct labels, each a class"), std::to_string(distinct.size()));
    return Task::Classification;
}

Table tableFromCsv(std::string_view text, const std::string &name, std::vector<DataIssue> &issues)
{
    CsvParseResult csv = parseCsv(text);
    if (!csv.error.empty())
        throw Error(Message(FL_TR("DataReading", "%1:%2: %3"), name, std::to_string(csv.errorLine), csv.error));
    if (csv.records.empty())
        throw Error(Message(FL_TR("DataReading", "%1: the manifest is empty (no header row)"), name));
    Table t;
    for (auto &h : csv.records[0].fields)
        t.header.push_back(trim(h));
    for (std::size_t r = 1; r < csv.records.size(); ++r) {
        CsvRecord &rec = csv.records[r];
        if (rec.fields.size() != t.header.size()) {
            issues.push_back({name, rec.line,
                              Message(FL_TR("DataReading", "row has %1 fields but the header has %2; row skipped"),
                                      std::to_string(rec.fields.size()), std::to_string(t.header.size()))});
            continue;
        }
        t.rows.push_back(std::move(rec));
    }
    return t;
}

Table tableFromJsonl(std::string_view text, const std::string &name, const std::string &labelColumn, std::vector<DataIssue> &issues)
{
    text = utf8::stripBom(text);
    Table t;
    std::map<std::string, std::size_t> columnOf;
    std::vector<std::pair<long, nlohmann::json>> objects;
    long line = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view l = text.substr(pos, end - pos);
        ++line;
        pos = end + 1;
        if (!l.empty() && l.back() == '\r')
            l.remove_suffix(1);
        if (l.find_first_not_of(" \t") == std::string_view::npos) {
            if (end == text.size())
                break;
            continue;
        }
        nlohmann::json j = nlohmann::json::parse(l, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            issues.push_back({name, line, j.is_discarded() ? Message(FL_TR("DataReading", "not valid JSON; row skipped"))
                                                           : Message(FL_TR("DataReading", "not a JSON object; row skipped"))});
            continue;
        }
        for (auto it = j.begin(); it != j.end(); ++it)
            if (columnOf.emplace(it.key(), t.header.size()).second)
                t.header.push_back(it.key());
        objects.emplace_back(line, std::move(j));
    }
    for (auto &[l, j] : objects) {
        CsvRecord rec;
        rec.line = l;
        rec.fields.assign(t.header.size(), std::string());
        bool ok = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            std::string &cell = rec.fields[columnOf[it.key()]];
            if (it->is_string())
                cell = it->get<std::string>();
            else if (it->is_number_integer() || it->is_number_unsigned())
                cell = it->dump();
            else if (it->is_number_float() || it->is_boolean())
                cell = it->dump();
            else if (it->is_array() && it.key() == labelColumn) {
                // A multi-label sample: a list of class names.
                t.labelLists = true;
                for (auto &v : *it) {
                    std::string c = v.is_string() ? v.get<std::string>() : v.is_number_integer() ? v.dump() : std::string();
                    if (c.empty() || c.find(kLabelSeparator) != std::string::npos) {
                        issues.push_back({name, l,
                                          Message(FL_TR("DataReading", "label list holds %1 (class names must be non-empty strings or "
                                                                       "integers without \";\"); row skipped"),
                                                  v.dump())});
                        ok = false;
                        break;
                    }
                    cell += (cell.empty() ? "" : std::string(1, kLabelSeparator)) + c;
                }
                if (!ok)
                    break;
                if (it->empty())
                    t.emptyLabelLists.insert(l);
            } else if (!it->is_null()) {
                issues.push_back({name, l, Message(FL_TR("DataReading", "field \"%1\" is not a string, number or null; row skipped"), it.key())});
                ok = false;
                break;
            }
        }
        if (ok)
            t.rows.push_back(std::move(rec));
    }
    return t;
}

} // namespace

Dataset ManifestReader::read(const std::string &manifestPath) const
{
    const std::string text = readFile(manifestPath, UINT64_C(1) << 31);
    const bool jsonl = lowerExtension(manifestPath) == ".jsonl" || lowerExtension(manifestPath) == ".ndjson";
    const std::string root = fs::absolute(manifestPath).parent_path().string();
    Dataset d = parse(text, jsonl, manifestPath, root);
    d.source = manifestPath;
    return d;
}

Dataset ManifestReader::parse(std::string_view text, bool jsonl, const std::string &name, const std::string &root) const
{
    Dataset d;
    d.format = jsonl ? "jsonl" : "csv";
    d.source = name;
    const PathGuard guard(root);
    d.root = guard.root();

    if (const std::size_t bad = utf8::findInvalid(utf8::stripBom(text)); bad != std::string_view::npos)
        throw Error(Message(FL_TR("DataReading", "%1: not valid UTF-8 (byte %2); save the manifest as UTF-8"), name, std::to_string(bad)));

    Table t = jsonl ? tableFromJsonl(text, name, m_options.labelColumn, d.issues) : tableFromCsv(text, name, d.issues);

    const auto find = [&](const std::string &col) -> int {
        for (std::size_t i = 0; i < t.header.size(); ++i)
            if (t.header[i] == col)
                return static_cast<int>(i);
        return -1;
    };
    const int labelCol = find(m_options.labelColumn);
    if (labelCol < 0 && m_options.labelRequired) {
        std::string cols;
        for (auto &h : t.header)
            cols += (cols.empty() ? "" : ", ") + h;
        throw Error(Message(FL_TR("DataReading", "%1: no \"%2\" column (columns are: %3); say which column holds the labels"), name,
                            m_options.labelColumn, cols));
    }
    // The task: --task, or what the labels suggest (JSONL label lists or CSV labels joined by
    // ';' make a multi-label dataset).
    bool lists = labelCol >= 0 && t.labelLists;
    if (labelCol >= 0 && !jsonl)
        for (auto &row : t.rows)
            lists = lists || row.fields[static_cast<std::size_t>(labelCol)].find(kLabelSeparator) != std::string::npos;
    if (m_options.task) {
        d.task = *m_options.task;
        d.taskReason = Message(FL_TR("DataReading", "given with --task"));
    } else if (labelCol >= 0) {
        d.task = detectTask(t, labelCol, lists, d.taskReason);
    }
    d.multiLabel = d.task == Task::MultiLabel;

    const int splitCol = find(m_options.splitColumn);
    for (auto &[col, type] : m_options.columnTypes) {
        (void)type;
        if (find(col) < 0)
            throw Error(Message(FL_TR("DataReading", "%1: a type is given for the column \"%2\", but there is no column of that name"),
                                name, col));
    }

    // Type each remaining column.
    std::vector<int> modalityCols;
    for (std::size_t c = 0; c < t.header.size(); ++c) {
        if (static_cast<int>(c) == labelCol || static_cast<int>(c) == splitCol)
            continue;
        ColumnType type = ColumnType::Auto;
        if (auto it = m_options.columnTypes.find(t.header[c]); it != m_options.columnTypes.end())
            type = it->second;
        if (type == ColumnType::Ignore)
            continue;
        if (type == ColumnType::Auto) {
            std::size_t images = 0, audios = 0, nonEmpty = 0;
            for (auto &row : t.rows) {
                const std::string v = trim(row.fields[c]);
                if (v.empty())
                    continue;
                ++nonEmpty;
                images += hasImageExtension(v);
                audios += hasAudioExtension(v);
            }
            // A column is a file column when most of its values name such files; the odd
            // value with another extension is then reported, not silently read as text.
            if (nonEmpty > 0 && images * 2 > nonEmpty)
                type = ColumnType::Image;
            else if (nonEmpty > 0 && audios * 2 > nonEmpty)
                type = ColumnType::Audio;
            else
                type = ColumnType::Text;
        }
        const Modality kind = type == ColumnType::Image ? Modality::Image
                            : type == ColumnType::Audio ? Modality::Audio
                                                        : Modality::Text;
        d.columns.push_back({t.header[c], kind});
        modalityCols.push_back(static_cast<int>(c));
    }
    if (d.columns.empty())
        throw Error(Message(FL_TR("DataReading", "%1: no modality columns besides \"%2\""), name, m_options.labelColumn));

    std::map<std::string, int> classIndex;
    std::vector<std::string> labels; // in order of first appearance, sorted below
    bool anySplit = false;
    struct Pending {
        Sample s;
        std::vector<std::string> labels; // the class names (exactly one unless multi-label)
    };
    std::vector<Pending> pending;
    for (auto &row : t.rows) {
        Pending p;
        p.s.id = "line " + std::to_string(row.line);
        const std::string cell = labelCol >= 0 ? trim(row.fields[labelCol]) : std::string("?");
        if (d.task == Task::Regression && labelCol >= 0) {
            const std::optional<double> v = number(cell);
            if (cell.empty() || !v || !std::isfinite(*v)) {
                d.issues.push_back({name, row.line, cell.empty() ? Message(FL_TR("DataReading", "empty label; row skipped"))
                                                                 : Message(FL_TR("DataReading", "label \"%1\" is not a finite number; row skipped"), cell)});
                continue;
            }
            p.s.target = *v;
        } else if (d.task == Task::Sequence) {
            if (cell.empty()) {
                d.issues.push_back({name, row.line, Message(FL_TR("DataReading", "empty target text; row skipped"))});
                continue;
            }
            p.s.targetText = cell;
        } else if (d.multiLabel) {
            p.labels = splitLabels(cell);
        } else if (!cell.empty()) {
            p.labels = {cell};
        }
        if (p.labels.empty() && d.task != Task::Regression && d.task != Task::Sequence && !(d.multiLabel && t.emptyLabelLists.count(row.line))) {
            d.issues.push_back({name, row.line, Message(FL_TR("DataReading", "empty label; row skipped"))});
            continue;
        }
        if (splitCol >= 0) {
            const std::string sv = trim(row.fields[splitCol]);
            if (!sv.empty()) {
                auto sp = splitFromName(sv);
                if (!sp) {
                    d.issues.push_back({name, row.line, Message(FL_TR("DataReading", "unknown split \"%1\" (use train, val or test); row skipped"), sv)});
                    continue;
                }
                p.s.split = *sp;
                anySplit = true;
            }
        }
        bool any = false;
        for (std::size_t k = 0; k < modalityCols.size(); ++k) {
            Field f;
            std::string v = row.fields[modalityCols[k]];
            const Modality kind = d.columns[k].kind;
            if (kind != Modality::Text)
                v = trim(v);
            if (!v.empty()) {
                if (kind == Modality::Text) {
                    f.present = true;
                    f.value = std::move(v);
                } else {
                    Message why;
                    const bool extOk = kind == Modality::Image ? hasImageExtension(v) : hasAudioExtension(v);
                    if (!extOk) {
                        const MessageText text = kind == Modality::Image
                                                   ? FL_TR("DataReading", "unknown image extension \"%1\" in column \"%2\"; treated as missing")
                                                   : FL_TR("DataReading", "unknown audio extension \"%1\" in column \"%2\"; treated as missing");
                        d.issues.push_back({v, row.line, Message(text, extensionArg(v), d.columns[k].name)});
                    } else if (auto resolved = guard.resolve(v, &why)) {
                        f.present = true;
                        f.value = *resolved;
                        f.isPath = true;
                    } else {
                        d.issues.push_back({v, row.line, Message(FL_TR("DataReading", "refused: %1; treated as missing"), why)});
                    }
                }
            }
            any = any || f.present;
            p.s.fields.push_back(std::move(f));
        }
        if (!any) {
            d.issues.push_back({name, row.line, Message(FL_TR("DataReading", "row has no usable modality; row skipped"))});
            continue;
        }
        for (auto &l : p.labels)
            if (classIndex.emplace(l, 0).second)
                labels.push_back(l);
        pending.push_back(std::move(p));
    }
    sortClassNames(labels);
    for (std::size_t i = 0; i < labels.size(); ++i)
        classIndex[labels[i]] = static_cast<int>(i);
    d.classes = labels;
    if (d.task == Task::Regression && labelCol >= 0)
        d.classes = {m_options.labelColumn}; // the one output: the label column's name
    for (auto &p : pending) {
        for (auto &l : p.labels)
            p.s.labels.push_back(classIndex[l]);
        std::sort(p.s.labels.begin(), p.s.labels.end());
        if (d.task == Task::Regression || d.task == Task::Sequence) {
            p.s.label = -1;
        } else if (!d.multiLabel) {
            p.s.label = p.s.labels[0];
            p.s.labels.clear();
        }
        d.samples.push_back(std::move(p.s));
    }
    if (anySplit) {
        d.splitGiven = true;
        std::size_t unassigned = 0;
        for (auto &s : d.samples)
            if (s.split == Split::None) {
                s.split = Split::Train;
                ++unassigned;
            }
        if (unassigned)
            d.issues.push_back({name, 0, Message(FL_TR("DataReading", "%1 rows have no split; they were put in train"), std::to_string(unassigned)),
                                DataIssue::Severity::Warning});
    }
    return d;
}

} // namespace fuselab
