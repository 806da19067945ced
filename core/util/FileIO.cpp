// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/FileIO.h"

#include "core/util/Error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fuselab {

namespace {
// "cannot open PATH: REASON", REASON being the system's own words for errno.
Message sysError(MessageText what, const std::string &path)
{
    return Message(what, path, std::strerror(errno));
}
} // namespace

std::string readFile(const std::string &path, std::uint64_t maxBytes)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(sysError(FL_TR("Files", "cannot open %1: %2"), path));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw Error(sysError(FL_TR("Files", "cannot stat %1: %2"), path));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw Error(Message(FL_TR("Files", "cannot read %1: it is a folder"), path));
    }
    if (static_cast<std::uint64_t>(st.st_size) > maxBytes) {
        ::close(fd);
        throw Error(Message(FL_TR("Files", "refusing to read %1: %2 bytes is over the limit of %3"), path, std::to_string(st.st_size),
                            std::to_string(maxBytes)));
    }
    std::string data;
    data.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < data.size()) {
        const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ::close(fd);
            throw Error(sysError(FL_TR("Files", "cannot read %1: %2"), path));
        }
        if (n == 0)
            break; // file shrank while reading
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    ::close(fd);
    return data;
}

std::string readFilePrefix(const std::string &path, std::size_t maxBytes)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(sysError(FL_TR("Files", "cannot open %1: %2"), path));
    std::string data(maxBytes, '\0');
    std::size_t got = 0;
    while (got < maxBytes) {
        const ssize_t n = ::read(fd, data.data() + got, maxBytes - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    data.resize(got);
    return data;
}

namespace {

// Fault injection for the reliability tests (docs/reliability.md): FUSELAB_FAIL_WRITE=TEXT:N
// makes the Nth atomic write to a path containing TEXT fail as a full disk does (ENOSPC),
// after its temporary file was created and partly written.
bool injectedWriteFailure(const std::string &path)
{
    static const char *spec = std::getenv("FUSELAB_FAIL_WRITE");
    if (!spec || !*spec)
        return false;
    static std::atomic<int> seen{0};
    const std::string s(spec);
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || path.find(s.substr(0, colon)) == std::string::npos)
        return false;
    return ++seen == std::atoi(s.c_str() + colon + 1);
}

} // namespace

void writeFileAtomically(const std::string &path, const std::string &data)
{
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const bool failing = injectedWriteFailure(path);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(sysError(FL_TR("Files", "cannot create %1: %2"), tmp));
    std::size_t put = 0;
    while (put < data.size()) {
        ssize_t n = ::write(fd, data.data() + put, failing ? std::min<std::size_t>(data.size() - put, data.size() / 2 + 1) : data.size() - put);
        if (failing && put > 0) {
            n = -1;
            errno = ENOSPC;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const Message msg = sysError(FL_TR("Files", "cannot write %1: %2"), tmp);
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(msg);
        }
        put += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    const int syncErrno = errno;
    const bool closed = ::close(fd) == 0; // closed either way
    if (!synced || !closed) {
        if (!synced)
            errno = syncErrno;
        const Message msg = sysError(FL_TR("Files", "cannot flush %1: %2"), tmp);
        ::unlink(tmp.c_str());
        throw Error(msg);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const Message msg = sysError(FL_TR("Files", "cannot rename onto %1: %2"), path);
        ::unlink(tmp.c_str());
        throw Error(msg);
    }
}

MappedFile::~MappedFile()
{
    if (m_data && m_size)
        ::munmap(m_data, m_size);
}

MappedFile::MappedFile(MappedFile &&other) noexcept : m_data(other.m_data), m_size(other.m_size)
{
    other.m_data = nullptr;
    other.m_size = 0;
}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept
{
    if (this != &other) {
        if (m_data && m_size)
            ::munmap(m_data, m_size);
        m_data = other.m_data;
        m_size = other.m_size;
        other.m_data = nullptr;
        other.m_size = 0;
    }
    return *this;
}

MappedFile MappedFile::mapDescriptor(int fd, std::size_t size, bool writable, const std::string &path)
{
    MappedFile f;
    if (size > 0) {
        void *p = ::mmap(nullptr, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            const Message msg = sysError(FL_TR("Files", "cannot map %1: %2"), path);
            ::close(fd);
            throw Error(msg);
        }
        f.m_data = p;
        f.m_size = size;
    }
    ::close(fd); // the mapping stays valid without the descriptor
    return f;
}

MappedFile MappedFile::openReadOnly(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(sysError(FL_TR("Files", "cannot open %1: %2"), path));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const Message msg = sysError(FL_TR("Files", "cannot stat %1: %2"), path);
        ::close(fd);
        throw Error(msg);
    }
    return mapDescriptor(fd, static_cast<std::size_t>(st.st_size), false, path);
}

MappedFile MappedFile::create(const std::string &path, std::size_t size)
{
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(sysError(FL_TR("Files", "cannot create %1: %2"), path));
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        const Message msg = sysError(FL_TR("Files", "cannot size %1: %2"), path);
        ::close(fd);
        throw Error(msg);
    }
    return mapDescriptor(fd, size, true, path);
}

void MappedFile::flush()
{
    if (m_data && m_size && ::msync(m_data, m_size, MS_SYNC) != 0)
        throw Error(Message(FL_TR("Files", "cannot flush mapped file: %1"), std::strerror(errno)));
}

} // namespace fuselab
