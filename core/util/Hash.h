// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fuselab {

// 128-bit content hash (XXH3): fast enough to fingerprint every file of a dataset for the
// cache key and for duplicate detection; not cryptographic.
struct Hash128 {
    std::uint64_t low = 0, high = 0;
    bool operator==(const Hash128 &o) const { return low == o.low && high == o.high; }
    bool operator!=(const Hash128 &o) const { return !(*this == o); }
    bool operator<(const Hash128 &o) const { return high != o.high ? high < o.high : low < o.low; }
    std::string hex() const;
};

Hash128 hashBytes(const void *data, std::size_t size);
inline Hash128 hashBytes(std::string_view s) { return hashBytes(s.data(), s.size()); }

// Incremental hashing of several pieces.
class Hasher {
public:
    Hasher();
    ~Hasher();
    Hasher(const Hasher &) = delete;
    Hasher &operator=(const Hasher &) = delete;
    void add(const void *data, std::size_t size);
    void add(std::string_view s);          // length-prefixed, so ("ab","c") != ("a","bc")
    void add(std::uint64_t v);
    void add(const Hash128 &h);
    Hash128 digest() const;

private:
    void *m_state;
};

} // namespace fuselab
