// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace fuselab {

// Class frequencies of the training split, and what follows from them: class weights for
// the loss and the class-balanced sampler's draws. `classesOf[i]` lists the classes of
// training sample i (one for single-label data; any number, including none, for multi-label).
class ClassBalance {
public:
    ClassBalance(std::vector<std::vector<int>> classesOf, int classes, bool multiLabel);

    const std::vector<std::int64_t> &counts() const { return m_counts; }
    // Single-label: inverse frequency n / count_c, normalised to mean 1 over the classes
    // (0 for a class with no training sample). Multi-label: pos_weight = negatives /
    // positives per label (1 for a label with no positive).
    std::vector<float> classWeights() const;
    // A sample's sampler weight: 1 / (count of its class); multi-label: of its rarest class,
    // and 1 / (samples of no class) for those.
    double samplerWeight(std::size_t sample) const;
    // One epoch's draws with replacement (as many as samples), proportional to samplerWeight:
    // indices into classesOf.
    std::vector<std::size_t> draw(std::mt19937_64 &rng) const;

private:
    std::vector<std::vector<int>> m_classesOf;
    int m_classes;
    bool m_multiLabel;
    std::vector<std::int64_t> m_counts;
    std::int64_t m_unlabelled = 0;
    std::vector<double> m_cumulative;
};

// The imbalance lesson's training split: every row of the other classes, and as many of
// `rare`'s rows (labels[i] is row i's class) as make that class `ratio` of the result —
// round(ratio × others / (1 − ratio)), at least 1, at most all of them — chosen by a
// shuffle seeded with `seed`; the rows keep their order.
std::vector<std::int64_t> rareClassRows(const std::vector<std::int64_t> &rows, const std::vector<int> &labels, int rare, double ratio,
                                        std::uint64_t seed);

} // namespace fuselab
