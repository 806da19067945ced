// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/FileIO.h"

#include "core/util/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fuselab {

namespace {
std::string sysError(const std::string &what, const std::string &path)
{
    return what + " " + path + ": " + std::strerror(errno);
}
} // namespace

std::string readFile(const std::string &path, std::uint64_t maxBytes)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(sysError("cannot open", path));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw Error(sysError("cannot stat", path));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw Error("cannot read " + path + ": it is a folder");
    }
    if (static_cast<std::uint64_t>(st.st_size) > maxBytes) {
        ::close(fd);
        throw Error("refusing to read " + path + ": " + std::to_string(st.st_size) + " bytes is over the limit of "
                    + std::to_string(maxBytes));
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
            throw Error(sysError("cannot read", path));
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
        throw Error(sysError("cannot open", path));
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

void writeFileAtomically(const std::string &path, const std::string &data)
{
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(sysError("cannot create", tmp));
    std::size_t put = 0;
    while (put < data.size()) {
        const ssize_t n = ::write(fd, data.data() + put, data.size() - put);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string msg = sysError("cannot write", tmp);
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(msg);
        }
        put += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string msg = sysError("cannot flush", tmp);
        ::unlink(tmp.c_str());
        throw Error(msg);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string msg = sysError("cannot rename onto", path);
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
            const std::string msg = sysError("cannot map", path);
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
        throw Error(sysError("cannot open", path));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const std::string msg = sysError("cannot stat", path);
        ::close(fd);
        throw Error(msg);
    }
    return mapDescriptor(fd, static_cast<std::size_t>(st.st_size), false, path);
}

MappedFile MappedFile::create(const std::string &path, std::size_t size)
{
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(sysError("cannot create", path));
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
        const std::string msg = sysError("cannot size", path);
        ::close(fd);
        throw Error(msg);
    }
    return mapDescriptor(fd, size, true, path);
}

void MappedFile::flush()
{
    if (m_data && m_size && ::msync(m_data, m_size, MS_SYNC) != 0)
        throw Error(std::string("cannot flush mapped file: ") + std::strerror(errno));
}

} // namespace fuselab
