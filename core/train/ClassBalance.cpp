// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/ClassBalance.h"

#include <algorithm>
#include <cmath>

#include <algorithm>

namespace fuselab {

ClassBalance::ClassBalance(std::vector<std::vector<int>> classesOf, int classes, bool multiLabel)
    : m_classesOf(std::move(classesOf)), m_classes(classes), m_multiLabel(multiLabel), m_counts(static_cast<std::size_t>(classes), 0)
{
    for (auto &cs : m_classesOf) {
        for (int c : cs)
            ++m_counts[static_cast<std::size_t>(c)];
        m_unlabelled += cs.empty();
    }
    double total = 0;
    m_cumulative.reserve(m_classesOf.size());
    for (std::size_t i = 0; i < m_classesOf.size(); ++i)
        m_cumulative.push_back(total += samplerWeight(i));
}

std::vector<float> ClassBalance::classWeights() const
{
    const double n = double(m_classesOf.size());
    std::vector<float> w(static_cast<std::size_t>(m_classes));
    double sum = 0;
    for (std::size_t c = 0; c < w.size(); ++c) {
        const double k = double(m_counts[c]);
        w[c] = m_multiLabel ? (k > 0 ? float((n - k) / k) : 1.f) : (k > 0 ? float(n / k) : 0.f);
        sum += w[c];
    }
    if (!m_multiLabel && sum > 0)
        for (auto &x : w)
            x = float(x * m_classes / sum);
    return w;
}

double ClassBalance::samplerWeight(std::size_t i) const
{
    double w = 0;
    for (int c : m_classesOf[i])
        w = std::max(w, 1.0 / double(m_counts[static_cast<std::size_t>(c)]));
    return w > 0 ? w : 1.0 / double(std::max<std::int64_t>(1, m_unlabelled));
}

std::vector<std::size_t> ClassBalance::draw(std::mt19937_64 &rng) const
{
    std::vector<std::size_t> out(m_classesOf.size());
    if (m_cumulative.empty())
        return out;
    const double total = m_cumulative.back();
    for (auto &r : out) {
        const double u = double(rng() >> 11) * 0x1.0p-53 * total;
        r = std::min(m_cumulative.size() - 1,
                     static_cast<std::size_t>(std::upper_bound(m_cumulative.begin(), m_cumulative.end(), u) - m_cumulative.begin()));
    }
    return out;
}

std::vector<std::int64_t> rareClassRows(const std::vector<std::int64_t> &rows, const std::vector<int> &labels, int rare, double ratio,
                                        std::uint64_t seed)
{
    std::vector<std::size_t> rareAt;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (labels[i] == rare)
            rareAt.push_back(i);
    const double others = static_cast<double>(rows.size() - rareAt.size());
    const auto want = static_cast<std::size_t>(std::llround(ratio * others / (1.0 - ratio)));
    const std::size_t keep = std::min(rareAt.size(), std::max<std::size_t>(1, want));
    std::mt19937_64 rng(seed);
    for (std::size_t i = rareAt.size(); i > 1; --i)
        std::swap(rareAt[i - 1], rareAt[static_cast<std::size_t>(rng() % i)]);
    std::vector<char> kept(rows.size(), 1);
    for (std::size_t k = keep; k < rareAt.size(); ++k)
        kept[rareAt[k]] = 0;
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (kept[i])
            out.push_back(rows[i]);
    return out;
}

} // namespace fuselab
