// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/Dataset.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace fuselab {

const char *modalityName(Modality m)
{
    switch (m) {
    case Modality::Image: return "image";
    case Modality::Audio: return "audio";
    case Modality::Text: return "text";
    }
    return "?";
}

std::optional<Modality> modalityFromName(const std::string &name)
{
    if (name == "image") return Modality::Image;
    if (name == "audio") return Modality::Audio;
    if (name == "text") return Modality::Text;
    return std::nullopt;
}

const char *splitName(Split s)
{
    switch (s) {
    case Split::Train: return "train";
    case Split::Val: return "val";
    case Split::Test: return "test";
    case Split::None: break;
    }
    return "none";
}

const char *taskName(Task t)
{
    switch (t) {
    case Task::Classification: return "classification";
    case Task::MultiLabel: return "multilabel";
    case Task::Regression: return "regression";
    case Task::Sequence: return "sequence";
    }
    return "classification";
}

std::optional<Task> taskFromName(const std::string &raw)
{
    std::string name;
    for (char c : raw)
        if (!std::isspace(static_cast<unsigned char>(c)))
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "classification" || name == "single-label" || name == "singlelabel") return Task::Classification;
    if (name == "multilabel" || name == "multi-label") return Task::MultiLabel;
    if (name == "regression") return Task::Regression;
    if (name == "sequence") return Task::Sequence;
    return std::nullopt;
}

std::optional<Split> splitFromName(const std::string &raw)
{
    std::string name;
    for (char c : raw)
        if (!std::isspace(static_cast<unsigned char>(c)))
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "train" || name == "training") return Split::Train;
    if (name == "val" || name == "valid" || name == "validation" || name == "dev") return Split::Val;
    if (name == "test" || name == "testing") return Split::Test;
    return std::nullopt;
}

std::optional<ColumnType> columnTypeFromName(const std::string &name)
{
    if (name == "image") return ColumnType::Image;
    if (name == "audio") return ColumnType::Audio;
    if (name == "text") return ColumnType::Text;
    if (name == "ignore") return ColumnType::Ignore;
    return std::nullopt;
}

const char *columnTypeName(ColumnType t)
{
    switch (t) {
    case ColumnType::Image: return "image";
    case ColumnType::Audio: return "audio";
    case ColumnType::Text: return "text";
    case ColumnType::Ignore: return "ignore";
    case ColumnType::Auto: break;
    }
    return "auto";
}

int Dataset::columnIndex(Modality m) const
{
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].kind == m)
            return static_cast<int>(i);
    return -1;
}

std::string Dataset::displayName(const Field &f) const
{
    if (f.blobIndex >= 0 && blob)
        return blob->sourceFile + " #" + std::to_string(f.blobIndex);
    if (!f.isPath)
        return "(inline text)";
    if (f.value.size() > root.size() + 1 && f.value.compare(0, root.size(), root) == 0 && f.value[root.size()] == '/')
        return f.value.substr(root.size() + 1);
    return f.value;
}

std::string lowerExtension(const std::string &path)
{
    const auto slash = path.find_last_of('/');
    const auto dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string ext = path.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

namespace {
template <std::size_t N>
bool inList(const std::string &path, const std::array<const char *, N> &list)
{
    const std::string ext = lowerExtension(path);
    return std::any_of(list.begin(), list.end(), [&](const char *e) { return ext == e; });
}
} // namespace

bool hasImageExtension(const std::string &path)
{
    static const std::array<const char *, 8> exts{".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm"};
    return inList(path, exts);
}

bool hasAudioExtension(const std::string &path)
{
    static const std::array<const char *, 5> exts{".wav", ".flac", ".ogg", ".oga", ".aiff"};
    return inList(path, exts);
}

bool hasTextExtension(const std::string &path)
{
    static const std::array<const char *, 2> exts{".txt", ".text"};
    return inList(path, exts);
}

MessageArg extensionArg(const std::string &path)
{
    const std::string ext = lowerExtension(path);
    if (ext.empty())
        return Message(FL_TR("DataReading", "(none)"));
    return ext;
}

void sortClassNames(std::vector<std::string> &names)
{
    const bool numeric = !names.empty() && std::all_of(names.begin(), names.end(), [](const std::string &n) {
        return !n.empty() && n.size() < 18
            && std::all_of(n.begin() + (n[0] == '-' ? 1 : 0), n.end(), [](unsigned char c) { return std::isdigit(c); })
            && n != "-";
    });
    if (numeric)
        std::sort(names.begin(), names.end(), [](const std::string &a, const std::string &b) { return std::stoll(a) < std::stoll(b); });
    else
        std::sort(names.begin(), names.end());
}

} // namespace fuselab
