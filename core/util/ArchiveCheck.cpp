// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/ArchiveCheck.h"

#include "core/util/Error.h"
#include "core/util/FileIO.h"

#include <cstdint>
#include <optional>

namespace fuselab {

namespace {

// Little-endian reads that never leave the buffer.
class Bytes {
public:
    explicit Bytes(std::string_view b) : m_b(b) {}
    std::uint64_t size() const { return m_b.size(); }
    bool has(std::uint64_t at, std::uint64_t n) const { return at <= m_b.size() && n <= m_b.size() - at; }
    std::optional<std::uint64_t> le(std::uint64_t at, int n) const
    {
        if (!has(at, static_cast<std::uint64_t>(n)))
            return std::nullopt;
        std::uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i)
            v = (v << 8) | static_cast<std::uint8_t>(m_b[static_cast<std::size_t>(at) + static_cast<std::size_t>(i)]);
        return v;
    }
    std::string_view view(std::uint64_t at, std::uint64_t n) const { return m_b.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(n)); }

private:
    std::string_view m_b;
};

constexpr std::uint32_t kEnd = 0x06054b50, kEnd64 = 0x06064b50, kLocator64 = 0x07064b50, kCentral = 0x02014b50, kLocal = 0x04034b50;

bool endsWith(std::string_view s, std::string_view tail) { return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail; }

} // namespace

std::string archiveStructureProblem(std::string_view data)
{
    const Bytes b(data);
    if (b.size() < 22)
        return "it is " + std::to_string(b.size()) + " bytes long, too short for a checkpoint";
    // The end record: the last 22 bytes, or earlier when the archive has a comment.
    std::optional<std::uint64_t> end;
    const std::uint64_t lowest = b.size() >= 22 + 65535 ? b.size() - 22 - 65535 : 0;
    for (std::uint64_t at = b.size() - 22;; --at) {
        if (b.le(at, 4) == kEnd && b.le(at + 20, 2) && at + 22 + *b.le(at + 20, 2) == b.size()) {
            end = at;
            break;
        }
        if (at == lowest)
            break;
    }
    if (!end)
        return "it has no ZIP end record: the file is truncated or is not a checkpoint";
    std::uint64_t entries = *b.le(*end + 10, 2), directorySize = *b.le(*end + 12, 4), directory = *b.le(*end + 16, 4);
    std::uint64_t directoryEnd = *end;
    if (entries == 0xFFFF || directorySize == 0xFFFFFFFF || directory == 0xFFFFFFFF) { // ZIP64
        if (*end < 20 || b.le(*end - 20, 4) != kLocator64)
            return "its ZIP64 locator is missing";
        const std::uint64_t record = *b.le(*end - 20 + 8, 8);
        if (!b.has(record, 56) || record > *end - 20 || b.le(record, 4) != kEnd64)
            return "its ZIP64 end record lies outside the file or is damaged";
        entries = *b.le(record + 32, 8);
        directorySize = *b.le(record + 40, 8);
        directory = *b.le(record + 48, 8);
        directoryEnd = record;
    }
    if (directory > directoryEnd || directorySize > directoryEnd - directory)
        return "its central directory lies outside the file (the file is truncated)";
    if (entries == 0 || entries > directorySize / 46)
        return "its central directory claims " + std::to_string(entries) + " records in " + std::to_string(directorySize) + " bytes";
    bool pickle = false;
    std::uint64_t at = directory;
    for (std::uint64_t i = 0; i < entries; ++i) {
        if (!b.has(at, 46) || at + 46 > directory + directorySize || b.le(at, 4) != kCentral)
            return "central directory record " + std::to_string(i + 1) + " is damaged";
        const std::uint64_t method = *b.le(at + 10, 2);
        std::uint64_t compressed = *b.le(at + 20, 4), size = *b.le(at + 24, 4);
        const std::uint64_t nameLength = *b.le(at + 28, 2), extraLength = *b.le(at + 30, 2), commentLength = *b.le(at + 32, 2);
        std::uint64_t local = *b.le(at + 42, 4);
        const std::uint64_t next = at + 46 + nameLength + extraLength + commentLength;
        if (next > directory + directorySize)
            return "central directory record " + std::to_string(i + 1) + " runs past the directory";
        const std::string_view name = b.view(at + 46, nameLength);
        // ZIP64 sizes and offsets in the extra field, in this order, for those saturated above.
        for (std::uint64_t e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
            const std::uint64_t id = *b.le(e, 2), length = *b.le(e + 2, 2);
            if (e + 4 + length > at + 46 + nameLength + extraLength)
                return "the extra field of " + std::string(name) + " is damaged";
            if (id == 0x0001) {
                std::uint64_t p = e + 4;
                auto take = [&](std::uint64_t &v) {
                    if (v != 0xFFFFFFFF)
                        return true;
                    if (p + 8 > e + 4 + length)
                        return false;
                    v = *b.le(p, 8);
                    p += 8;
                    return true;
                };
                if (!take(size) || !take(compressed) || !take(local))
                    return "the ZIP64 field of " + std::string(name) + " is short";
            }
            e += 4 + length;
        }
        if (method != 0 && method != 8)
            return "record " + std::string(name) + " uses compression method " + std::to_string(method) + "; LibTorch writes stored or deflated records";
        if (method == 0 && compressed != size)
            return "record " + std::string(name) + " has two sizes";
        if (!b.has(local, 30) || b.le(local, 4) != kLocal)
            return "the local header of " + std::string(name) + " is missing or lies outside the file";
        const std::uint64_t start = local + 30 + *b.le(local + 26, 2) + *b.le(local + 28, 2);
        if (start > directory || compressed > directory - start)
            return "the data of " + std::string(name) + " runs past the end of the file's records (the file is truncated or edited)";
        pickle |= name == "data.pkl" || endsWith(name, "/data.pkl");
        at = next;
    }
    if (!pickle)
        return "it has no data.pkl record: it is a ZIP file, not a LibTorch checkpoint";
    return {};
}

std::string archiveFileProblem(const std::string &path)
{
    try {
        const MappedFile f = MappedFile::openReadOnly(path);
        return archiveStructureProblem(std::string_view(reinterpret_cast<const char *>(f.data()), f.size()));
    } catch (const Error &e) {
        return e.what();
    }
}

} // namespace fuselab
