// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/DatasetLoader.h"

#include "core/data/FolderTreeReader.h"
#include "core/data/IdxReader.h"
#include "core/data/ManifestReader.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace fuselab {

Dataset loadDataset(const std::string &path, const LoadOptions &options, ProgressObserver *observer)
{
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
        throw Error(Message(FL_TR("DataReading", "%1: no such file or folder"), path));

    Dataset d;
    if (fs::is_regular_file(st)) {
        const std::string ext = lowerExtension(path);
        if (ext != ".csv" && ext != ".jsonl" && ext != ".ndjson")
            throw Error(Message(FL_TR("DataReading", "%1: not a dataset; point at a folder, or at a .csv or .jsonl manifest"), path));
        d = ManifestReader(options.reader).read(path);
    } else if (fs::is_directory(st)) {
        const fs::path dir(path);
        if (fs::exists(dir / "manifest.csv"))
            d = ManifestReader(options.reader).read((dir / "manifest.csv").string());
        else if (fs::exists(dir / "manifest.jsonl"))
            d = ManifestReader(options.reader).read((dir / "manifest.jsonl").string());
        else if (IdxReader::looksLikeIdx(path))
            d = IdxReader().read(path);
        else
            d = FolderTreeReader().read(path, observer);
        d.source = path;
    } else {
        throw Error(Message(FL_TR("DataReading", "%1: not a regular file or folder"), path));
    }

    assignSplits(d, options.split);

    if (options.reader.task && d.task != *options.reader.task)
        throw Error(Message(FL_TR("DataReading", "%1: --task %2 needs a manifest (CSV or JSONL); a %3 dataset is always classification"), path,
                            taskName(*options.reader.task), d.format));
    if (d.classes.size() == 1 && (d.task == Task::Classification || d.task == Task::MultiLabel))
        d.issues.push_back({d.source, 0, Message(FL_TR("DataReading", "only one class (\"%1\"): a classifier needs at least two"), d.classes[0]),
                            DataIssue::Severity::Error});
    std::vector<int> trainCount(d.classes.size(), 0);
    for (auto &s : d.samples)
        if (s.split == Split::Train)
            forEachClass(d, s, [&](int c) { ++trainCount[static_cast<std::size_t>(c)]; });
    for (std::size_t c = 0; c < d.classes.size(); ++c)
        if (trainCount[c] == 0)
            d.issues.push_back({d.source, 0,
                                Message(FL_TR("DataReading", "class \"%1\" has no training samples (it appears only in val/test): "
                                                             "the model cannot learn it"),
                                        d.classes[c]),
                                DataIssue::Severity::Warning});
    return d;
}

} // namespace fuselab
