// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/IdxReader.h"

#include "core/data/PathGuard.h"
#include "core/util/FileIO.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <zlib.h>

namespace fs = std::filesystem;

namespace fuselab {

namespace {

struct Pair {
    std::string images, labels;
};

std::map<std::string, Pair> findPairs(const std::string &folder)
{
    std::map<std::string, Pair> pairs;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        std::string base = name;
        if (base.size() > 3 && base.compare(base.size() - 3, 3, ".gz") == 0)
            base.resize(base.size() - 3);
        const auto take = [&](const std::string &suffix, bool images) {
            if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0) {
                std::string prefix = base.substr(0, base.size() - suffix.size());
                std::string &slot = images ? pairs[prefix].images : pairs[prefix].labels;
                // Prefer the uncompressed file when both exist.
                if (slot.empty() || name == base)
                    slot = it->path().string();
            }
        };
        take("-images-idx3-ubyte", true);
        take("-images.idx3-ubyte", true);
        take("-labels-idx1-ubyte", false);
        take("-labels.idx1-ubyte", false);
    }
    for (auto it = pairs.begin(); it != pairs.end();)
        it = (it->second.images.empty() || it->second.labels.empty()) ? pairs.erase(it) : std::next(it);
    return pairs;
}

const char *const kFashionNames[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

} // namespace

bool IdxReader::looksLikeIdx(const std::string &folder)
{
    return !findPairs(folder).empty();
}

IdxReader::IdxArray IdxReader::readArray(const std::string &path)
{
    gzFile gz = gzopen(path.c_str(), "rb"); // reads plain files transparently too
    if (!gz)
        throw Error(Message(FL_TR("DataReading", "cannot open %1"), path));
    std::string raw;
    char buf[1 << 16];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0) {
        raw.append(buf, static_cast<std::size_t>(n));
        if (raw.size() > (UINT64_C(1) << 33)) {
            gzclose(gz);
            throw Error(Message(FL_TR("DataReading", "%1: decompresses to more than 8 GiB; refused"), path));
        }
    }
    int err = 0;
    const char *msg = gzerror(gz, &err);
    const bool failed = n < 0 || (err != Z_OK && err != Z_STREAM_END);
    const std::string why = failed ? std::string(msg) : std::string();
    gzclose(gz);
    if (failed)
        throw Error(Message(FL_TR("DataReading", "%1: corrupt gzip data (%2)"), path, why));
    if (raw.size() < 4)
        throw Error(Message(FL_TR("DataReading", "%1: too short to be an IDX file"), path));
    const auto *u = reinterpret_cast<const unsigned char *>(raw.data());
    if (u[0] != 0 || u[1] != 0)
        throw Error(Message(FL_TR("DataReading", "%1: not an IDX file (bad magic number)"), path));
    if (u[2] != 0x08) {
        char type[3];
        std::snprintf(type, sizeof type, "%02x", u[2]);
        throw Error(Message(FL_TR("DataReading", "%1: IDX element type 0x%2 is not supported (only unsigned bytes)"), path, type));
    }
    const int ndim = u[3];
    if (ndim < 1 || ndim > 4 || raw.size() < 4u + 4u * ndim)
        throw Error(Message(FL_TR("DataReading", "%1: IDX header is truncated or has %2 dimensions"), path, std::to_string(ndim)));
    IdxArray a;
    std::uint64_t total = 1;
    for (int i = 0; i < ndim; ++i) {
        const std::uint32_t d = (std::uint32_t(u[4 + 4 * i]) << 24) | (std::uint32_t(u[5 + 4 * i]) << 16)
                              | (std::uint32_t(u[6 + 4 * i]) << 8) | std::uint32_t(u[7 + 4 * i]);
        a.dims.push_back(d);
        total *= d;
    }
    const std::size_t offset = 4 + 4 * ndim;
    if (raw.size() - offset != total)
        throw Error(Message(FL_TR("DataReading", "%1: header promises %2 bytes of data but the file holds %3 (truncated or corrupt)"), path,
                            std::to_string(total), std::to_string(raw.size() - offset)));
    a.data.assign(raw.begin() + static_cast<std::ptrdiff_t>(offset), raw.end());
    return a;
}

Dataset IdxReader::read(const std::string &folder) const
{
    Dataset d;
    d.format = "idx";
    d.source = folder;
    const PathGuard guard(folder);
    d.root = guard.root();
    const auto pairs = findPairs(d.root);
    if (pairs.empty())
        throw Error(Message(FL_TR("DataReading", "%1: no IDX images/labels pair (e.g. train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz)"),
                            folder));

    auto blob = std::make_shared<ImageBlob>();
    int maxLabel = -1;
    bool anySplit = false;
    struct Part {
        Split split;
        std::vector<std::uint8_t> labels;
        std::int64_t first;
    };
    std::vector<Part> parts;
    for (auto &[prefix, pair] : pairs) {
        IdxArray images, labels;
        try {
            images = readArray(pair.images);
            labels = readArray(pair.labels);
        } catch (const Error &e) {
            d.issues.push_back({guard.relative(pair.images), 0, Message(FL_TR("DataReading", "%1; pair skipped"), messageOf(e))});
            continue;
        }
        if (images.dims.size() != 3 || labels.dims.size() != 1) {
            d.issues.push_back({guard.relative(pair.images), 0, Message(FL_TR("DataReading", "expected 3-D images and 1-D labels; pair skipped"))});
            continue;
        }
        if (images.dims[0] != labels.dims[0]) {
            d.issues.push_back({guard.relative(pair.labels), 0,
                                Message(FL_TR("DataReading", "%1 labels for %2 images; pair skipped"), std::to_string(labels.dims[0]),
                                        std::to_string(images.dims[0]))});
            continue;
        }
        if (blob->count == 0) {
            blob->rows = images.dims[1];
            blob->cols = images.dims[2];
            blob->sourceFile = pair.images;
        } else if (blob->rows != images.dims[1] || blob->cols != images.dims[2]) {
            d.issues.push_back({guard.relative(pair.images), 0, Message(FL_TR("DataReading", "image size differs from the other IDX files; pair skipped"))});
            continue;
        }
        Part part;
        std::string lower = prefix;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        part.split = lower.find("train") != std::string::npos ? Split::Train
                   : (lower.find("t10k") != std::string::npos || lower.find("test") != std::string::npos) ? Split::Test
                                                                                                           : Split::None;
        anySplit = anySplit || part.split != Split::None;
        part.first = blob->count;
        blob->pixels.insert(blob->pixels.end(), images.data.begin(), images.data.end());
        blob->count += images.dims[0];
        for (auto l : labels.data)
            maxLabel = std::max<int>(maxLabel, l);
        part.labels = std::move(labels.data);
        parts.push_back(std::move(part));
    }
    if (parts.empty())
        throw Error(Message(FL_TR("DataReading", "%1: no readable IDX images/labels pair"), folder));

    // Class names: classes.txt beside the files, the known Fashion-MNIST names, or digits.
    std::vector<std::string> names;
    if (std::ifstream in(fs::path(d.root) / "classes.txt"); in) {
        for (std::string line; std::getline(in, line);)
            if (!line.empty())
                names.push_back(line);
    } else if (fs::path(d.root).filename().string().find("fashion") != std::string::npos && maxLabel < 10) {
        names.assign(std::begin(kFashionNames), std::end(kFashionNames));
    }
    if (static_cast<int>(names.size()) <= maxLabel) {
        names.clear();
        for (int i = 0; i <= maxLabel; ++i)
            names.push_back(std::to_string(i));
    }
    d.classes = names;
    d.columns.push_back({"image", Modality::Image});
    d.blob = blob;
    d.splitGiven = anySplit;
    for (auto &part : parts) {
        for (std::size_t i = 0; i < part.labels.size(); ++i) {
            Sample s;
            const std::int64_t index = part.first + static_cast<std::int64_t>(i);
            s.id = "#" + std::to_string(index);
            s.label = part.labels[i];
            s.split = anySplit && part.split == Split::None ? Split::Train : part.split;
            Field f;
            f.present = true;
            f.blobIndex = index;
            s.fields.push_back(f);
            d.samples.push_back(std::move(s));
        }
    }
    return d;
}

} // namespace fuselab
