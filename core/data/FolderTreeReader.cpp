// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/FolderTreeReader.h"

#include "core/data/PathGuard.h"
#include "core/util/Progress.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace fuselab {

namespace {

// One sentence per modality: a translation needs the whole sentence, not a word put in.
MessageText sameNameText(Modality kind)
{
    switch (kind) {
    case Modality::Image: return FL_TR("DataReading", "another image file with the same name (%1) is already this sample's; skipped");
    case Modality::Audio: return FL_TR("DataReading", "another audio file with the same name (%1) is already this sample's; skipped");
    case Modality::Text: break;
    }
    return FL_TR("DataReading", "another text file with the same name (%1) is already this sample's; skipped");
}

struct Walker {
    const PathGuard &guard;
    std::vector<DataIssue> &issues;
    std::set<std::pair<dev_t, ino_t>> visited;
    ProgressObserver *observer = nullptr;
    std::int64_t seen = 0; // files and folders looked at, for progress

    // Lists regular files below `dir` (relative stems keyed), following symlinks but not loops.
    void walk(const fs::path &dir, std::vector<fs::path> &files, int depth)
    {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0) {
            issues.push_back({guard.relative(dir.string()), 0, Message(FL_TR("DataReading", "cannot open folder; skipped"))});
            return;
        }
        if (!visited.insert({st.st_dev, st.st_ino}).second) {
            issues.push_back({guard.relative(dir.string()), 0, Message(FL_TR("DataReading", "symbolic link loop (folder already visited); skipped"))});
            return;
        }
        if (depth > 32) {
            issues.push_back({guard.relative(dir.string()), 0, Message(FL_TR("DataReading", "folders nested more than 32 deep; skipped"))});
            return;
        }
        std::error_code ec;
        std::vector<fs::path> entries;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            entries.push_back(it->path());
        if (ec)
            issues.push_back({guard.relative(dir.string()), 0, Message(FL_TR("DataReading", "cannot list folder: %1"), ec.message())});
        std::sort(entries.begin(), entries.end());
        for (const fs::path &p : entries) {
            if (observer && ++seen % 512 == 0) {
                observer->onProgress("scanning", seen, 0);
                observer->checkpoint();
            }
            const std::string name = p.filename().string();
            if (!name.empty() && name[0] == '.')
                continue; // hidden files, .DS_Store, our own cache
            std::error_code sec;
            const fs::file_status status = fs::status(p, sec); // follows links
            if (sec) {
                issues.push_back({guard.relative(p.string()), 0, Message(FL_TR("DataReading", "broken link or unreadable entry; skipped"))});
                continue;
            }
            if (fs::is_directory(status))
                walk(p, files, depth + 1);
            else if (fs::is_regular_file(status))
                files.push_back(p);
        }
    }
};

} // namespace

Dataset FolderTreeReader::read(const std::string &rootArg, ProgressObserver *observer) const
{
    Dataset d;
    d.format = "folder";
    d.source = rootArg;
    const PathGuard guard(rootArg);
    d.root = guard.root();
    const fs::path root(d.root);
    Walker walker{guard, d.issues, {}, observer};

    // Which top-level folders are splits?
    std::vector<std::pair<fs::path, Split>> classParents;
    std::error_code ec;
    std::vector<fs::path> top;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        top.push_back(it->path());
    if (ec)
        throw Error(Message(FL_TR("DataReading", "%1: cannot list folder: %2"), rootArg, ec.message()));
    std::sort(top.begin(), top.end());
    bool splitLayout = false;
    for (auto &p : top)
        if (fs::is_directory(p) && splitFromName(p.filename().string()))
            splitLayout = true;
    if (splitLayout) {
        d.splitGiven = true;
        for (auto &p : top) {
            if (!fs::is_directory(p) || p.filename().string()[0] == '.')
                continue;
            if (auto sp = splitFromName(p.filename().string()))
                classParents.emplace_back(p, *sp);
            else
                d.issues.push_back({guard.relative(p.string()), 0,
                                    Message(FL_TR("DataReading", "folder beside train/val/test is not a split; ignored")),
                                    DataIssue::Severity::Warning});
        }
    } else {
        classParents.emplace_back(root, Split::None);
    }

    struct Group {
        std::string label;
        Split split;
        std::map<Modality, std::string> files;
    };
    std::map<std::string, Group> groups; // key: split/label/relative stem
    std::set<std::string> labelSet;
    std::set<std::string> labelsWithFiles;

    for (auto &[parent, split] : classParents) {
        std::vector<fs::path> classDirs;
        for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
            const fs::path p = it->path();
            if (p.filename().string()[0] == '.')
                continue;
            std::error_code sec;
            if (fs::is_directory(fs::status(p, sec)))
                classDirs.push_back(p);
            else if (!(split == Split::None && parent == root && (p.filename() == "classes.txt" || p.filename() == "README.md")))
                d.issues.push_back({guard.relative(p.string()), 0, Message(FL_TR("DataReading", "file is not inside a class folder; ignored")),
                                    DataIssue::Severity::Warning});
        }
        std::sort(classDirs.begin(), classDirs.end());
        for (const fs::path &classDir : classDirs) {
            const std::string label = classDir.filename().string();
            labelSet.insert(label);
            std::vector<fs::path> files;
            walker.walk(classDir, files, 0);
            for (const fs::path &file : files) {
                const std::string path = file.string();
                Modality kind;
                if (hasImageExtension(path))
                    kind = Modality::Image;
                else if (hasAudioExtension(path))
                    kind = Modality::Audio;
                else if (hasTextExtension(path))
                    kind = Modality::Text;
                else {
                    d.issues.push_back({guard.relative(path), 0,
                                        Message(FL_TR("DataReading", "unknown extension \"%1\" (not an image, audio or .txt file); skipped"),
                                                extensionArg(path))});
                    continue;
                }
                Message why;
                if (!guard.resolve(path, &why)) {
                    d.issues.push_back({guard.relative(path), 0, Message(FL_TR("DataReading", "refused: %1"), why)});
                    continue;
                }
                const std::string stem = (file.parent_path() / file.stem()).lexically_relative(classDir).string();
                const std::string key = std::string(splitName(split)) + '\n' + label + '\n' + stem;
                Group &g = groups[key];
                g.label = label;
                g.split = split;
                auto [it, inserted] = g.files.emplace(kind, path);
                if (!inserted)
                    d.issues.push_back({guard.relative(path), 0, Message(sameNameText(kind), guard.relative(it->second))});
                else
                    labelsWithFiles.insert(label);
            }
        }
    }

    for (const std::string &label : labelSet)
        if (!labelsWithFiles.count(label))
            d.issues.push_back({label, 0, Message(FL_TR("DataReading", "class folder \"%1\" holds no usable files"), label),
                                DataIssue::Severity::Warning});

    std::vector<std::string> labels(labelsWithFiles.begin(), labelsWithFiles.end());
    sortClassNames(labels);
    d.classes = labels;
    std::map<std::string, int> classIndex;
    for (std::size_t i = 0; i < labels.size(); ++i)
        classIndex[labels[i]] = static_cast<int>(i);

    bool has[3] = {false, false, false};
    for (auto &[key, g] : groups)
        for (auto &[kind, path] : g.files)
            has[static_cast<int>(kind)] = true;
    for (Modality m : {Modality::Image, Modality::Audio, Modality::Text})
        if (has[static_cast<int>(m)])
            d.columns.push_back({modalityName(m), m});

    for (auto &[key, g] : groups) {
        Sample s;
        s.id = key.substr(key.find('\n') + 1);
        std::replace(s.id.begin(), s.id.end(), '\n', '/');
        s.label = classIndex[g.label];
        s.split = g.split;
        for (auto &col : d.columns) {
            Field f;
            if (auto it = g.files.find(col.kind); it != g.files.end()) {
                f.present = true;
                f.value = it->second;
                f.isPath = true;
            }
            s.fields.push_back(std::move(f));
        }
        d.samples.push_back(std::move(s));
    }
    return d;
}

} // namespace fuselab
