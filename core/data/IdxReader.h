// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"

#include <string>
#include <vector>

namespace fuselab {

// The MNIST family's IDX files (optionally gzipped): pairs of
// <prefix>-images-idx3-ubyte[.gz] and <prefix>-labels-idx1-ubyte[.gz] in one folder.
// "train" files become the train split, "t10k"/"test" files the test split.
class IdxReader {
public:
    // True when `folder` holds at least one images/labels pair.
    static bool looksLikeIdx(const std::string &folder);
    Dataset read(const std::string &folder) const;

    // Decompresses (when gzipped) and parses one IDX file. Throws Error naming the file.
    struct IdxArray {
        std::vector<std::int64_t> dims;
        std::vector<std::uint8_t> data;
    };
    static IdxArray readArray(const std::string &path);
};

} // namespace fuselab
