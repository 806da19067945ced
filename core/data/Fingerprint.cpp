// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/Fingerprint.h"

#include "core/util/FileIO.h"
#include "core/util/ParallelFor.h"

namespace fuselab {

std::vector<Hash128> hashFields(const Dataset &d, int threads, ProgressObserver *observer)
{
    const std::size_t M = d.columns.size();
    std::vector<Hash128> out(d.samples.size() * M);
    const std::int64_t pixels = d.blob ? d.blob->rows * d.blob->cols : 0;
    parallelFor(static_cast<std::int64_t>(d.samples.size()), threads, [&](std::int64_t i) {
        const Sample &s = d.samples[static_cast<std::size_t>(i)];
        for (std::size_t m = 0; m < M; ++m) {
            const Field &f = s.fields[m];
            Hash128 &h = out[static_cast<std::size_t>(i) * M + m];
            if (!f.present)
                continue;
            if (f.blobIndex >= 0) {
                h = hashBytes(d.blob->image(f.blobIndex), static_cast<std::size_t>(pixels));
            } else if (d.columns[m].kind == Modality::Text && !f.isPath) {
                h = hashBytes(f.value);
            } else {
                try {
                    h = hashBytes(readFile(f.value, UINT64_C(1) << 32));
                } catch (const Error &e) {
                    h = hashBytes(std::string("unreadable\n") + f.value + '\n' + e.what());
                }
            }
        }
    }, observer, "hashing files");
    return out;
}

Hash128 datasetFingerprint(const Dataset &d, const std::vector<Hash128> &fieldHashes)
{
    Hasher h;
    h.add(std::string_view("fuselab-dataset-v1"));
    h.add(static_cast<std::uint64_t>(d.classes.size()));
    for (auto &c : d.classes)
        h.add(c);
    h.add(static_cast<std::uint64_t>(d.columns.size()));
    for (auto &c : d.columns) {
        h.add(c.name);
        h.add(static_cast<std::uint64_t>(c.kind));
    }
    if (d.multiLabel)
        h.add(std::string_view("multi-label"));
    if (d.task == Task::Regression || d.task == Task::Sequence)
        h.add(std::string_view(taskName(d.task)));
    h.add(static_cast<std::uint64_t>(d.samples.size()));
    for (auto &s : d.samples) {
        h.add(static_cast<std::uint64_t>(s.label));
        if (d.multiLabel) {
            h.add(static_cast<std::uint64_t>(s.labels.size()));
            for (int c : s.labels)
                h.add(static_cast<std::uint64_t>(c));
        }
        if (d.task == Task::Regression)
            h.add(std::string_view(reinterpret_cast<const char *>(&s.target), sizeof s.target));
        if (d.task == Task::Sequence)
            h.add(s.targetText);
        h.add(static_cast<std::uint64_t>(s.split));
    }
    h.add(fieldHashes.data(), fieldHashes.size() * sizeof(Hash128));
    return h.digest();
}

} // namespace fuselab
