// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace fuselab {

// Reads a whole file; throws fuselab::Error naming the file on failure or when it is
// larger than maxBytes.
std::string readFile(const std::string &path, std::uint64_t maxBytes = UINT64_C(1) << 34);

// Reads at most the first `maxBytes` of a file (for header sniffing). Throws Error.
std::string readFilePrefix(const std::string &path, std::size_t maxBytes);

// Writes `data` so that readers see either the old file or the complete new one:
// temporary file in the same folder, fsync, rename over the target.
void writeFileAtomically(const std::string &path, const std::string &data);

// A read-only (or read-write, for building) memory mapping of a whole file.
class MappedFile {
public:
    MappedFile() = default;
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;
    MappedFile(MappedFile &&other) noexcept;
    MappedFile &operator=(MappedFile &&other) noexcept;

    static MappedFile openReadOnly(const std::string &path);
    // Creates (or truncates) the file at `size` bytes and maps it writable.
    static MappedFile create(const std::string &path, std::size_t size);

    const std::uint8_t *data() const { return static_cast<const std::uint8_t *>(m_data); }
    std::uint8_t *mutableData() { return static_cast<std::uint8_t *>(m_data); }
    std::size_t size() const { return m_size; }
    void flush();

private:
    // Maps `size` bytes of `fd` and closes it; throws Error naming `path`.
    static MappedFile mapDescriptor(int fd, std::size_t size, bool writable, const std::string &path);

    void *m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace fuselab
