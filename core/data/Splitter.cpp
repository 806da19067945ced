// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/Splitter.h"

#include "core/util/Random.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace fuselab {

namespace {

void shuffle(std::vector<std::size_t> &v, std::mt19937_64 &rng)
{
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[uniformBelow(rng, i)]);
}

} // namespace

void assignSplits(Dataset &d, const SplitOptions &o)
{
    const double sum = o.train + o.val + o.test;
    if (!(o.train > 0) || o.val < 0 || o.test < 0 || !(sum > 0))
        throw Error(Message(FL_TR("DataReading", "split fractions must be positive (train > 0, val >= 0, test >= 0)")));

    const bool carveVal = d.splitGiven;
    bool hasVal = false;
    for (auto &s : d.samples)
        hasVal = hasVal || s.split == Split::Val;
    if (carveVal && (hasVal || o.val == 0))
        return;

    // Strata: the class; in a multi-label dataset the sample's rarest class (so rare classes
    // reach every split), with samples of no class as a stratum of their own.
    // In a regression dataset: tenths of the targets' range of ranks, so that every split
    // holds small and large values alike; a sequence dataset is one stratum.
    const bool regression = d.task == Task::Regression, sequence = d.task == Task::Sequence;
    std::vector<std::size_t> targetStratum(d.samples.size(), 0);
    if (regression) {
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < d.samples.size(); ++i)
            if (!carveVal || d.samples[i].split == Split::Train)
                order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d.samples[a].target < d.samples[b].target; });
        for (std::size_t r = 0; r < order.size(); ++r)
            targetStratum[order[r]] = r * 10 / order.size();
    }
    std::vector<std::vector<std::size_t>> byClass(regression ? 10 : sequence ? 1 : d.classes.size() + (d.multiLabel ? 1 : 0));
    std::vector<std::size_t> frequency(d.classes.size(), 0);
    if (d.multiLabel)
        for (auto &s : d.samples)
            for (int c : s.labels)
                ++frequency[static_cast<std::size_t>(c)];
    for (std::size_t i = 0; i < d.samples.size(); ++i) {
        const Sample &s = d.samples[i];
        if (carveVal && s.split != Split::Train)
            continue;
        std::size_t stratum = d.classes.size();
        if (regression || sequence) {
            stratum = targetStratum[i];
        } else if (!d.multiLabel) {
            stratum = static_cast<std::size_t>(s.label);
        } else {
            for (int c : s.labels)
                if (stratum == d.classes.size() || frequency[static_cast<std::size_t>(c)] < frequency[stratum])
                    stratum = static_cast<std::size_t>(c);
        }
        byClass[stratum].push_back(i);
    }

    std::mt19937_64 rng(o.seed);
    for (auto &members : byClass) {
        shuffle(members, rng);
        const double n = static_cast<double>(members.size());
        std::size_t nVal, nTest;
        if (carveVal) {
            nVal = static_cast<std::size_t>(std::llround(n * o.val / (o.train + o.val)));
            nTest = 0;
        } else {
            nVal = static_cast<std::size_t>(std::llround(n * o.val / sum));
            nTest = static_cast<std::size_t>(std::llround(n * o.test / sum));
        }
        // Keep at least one training sample per class whenever the class has any.
        while (nVal + nTest >= members.size() && nVal + nTest > 0) {
            if (nTest >= nVal && nTest > 0)
                --nTest;
            else
                --nVal;
        }
        for (std::size_t k = 0; k < members.size(); ++k) {
            Split s = k < nTest ? Split::Test : k < nTest + nVal ? Split::Val : Split::Train;
            d.samples[members[k]].split = s;
        }
    }
}

} // namespace fuselab
