// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/Hash.h"

#include <cstdio>
#include <xxhash.h>

namespace fuselab {

std::string Hash128::hex() const
{
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(high),
                  static_cast<unsigned long long>(low));
    return buf;
}

Hash128 hashBytes(const void *data, std::size_t size)
{
    const XXH128_hash_t h = XXH3_128bits(data, size);
    return {h.low64, h.high64};
}

Hasher::Hasher() : m_state(XXH3_createState())
{
    XXH3_128bits_reset(static_cast<XXH3_state_t *>(m_state));
}

Hasher::~Hasher()
{
    XXH3_freeState(static_cast<XXH3_state_t *>(m_state));
}

void Hasher::add(const void *data, std::size_t size)
{
    XXH3_128bits_update(static_cast<XXH3_state_t *>(m_state), data, size);
}

void Hasher::add(std::string_view s)
{
    add(static_cast<std::uint64_t>(s.size()));
    add(s.data(), s.size());
}

void Hasher::add(std::uint64_t v)
{
    add(&v, sizeof v);
}

void Hasher::add(const Hash128 &h)
{
    add(h.low);
    add(h.high);
}

Hash128 Hasher::digest() const
{
    const XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t *>(m_state));
    return {h.low64, h.high64};
}

} // namespace fuselab
