// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <random>

namespace fuselab {

// Uniform integer in [0, n) by rejection sampling on mt19937_64, whose output the C++
// standard fixes: identical on every platform and standard library (unlike
// std::uniform_int_distribution), so seeded splits and batch orders are reproducible.
inline std::uint64_t uniformBelow(std::mt19937_64 &rng, std::uint64_t n)
{
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do
        x = rng();
    while (x >= limit);
    return x % n;
}

} // namespace fuselab
