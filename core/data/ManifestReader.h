// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"

#include <string>
#include <string_view>

namespace fuselab {

// Reads a CSV or JSONL manifest: one sample per row, a label column, an optional split
// column, every other column a modality typed from its values (image path, audio path,
// inline text) unless ReaderOptions::columnTypes says otherwise.
class ManifestReader {
public:
    explicit ManifestReader(ReaderOptions options = {}) : m_options(std::move(options)) {}

    // Throws fuselab::Error naming the file when the manifest as a whole is unusable
    // (unreadable, no label column, malformed CSV); skips and records bad rows.
    Dataset read(const std::string &manifestPath) const;
    // Same, from text already in memory; `root` is the folder paths resolve against.
    Dataset parse(std::string_view text, bool jsonl, const std::string &displayName, const std::string &root) const;

private:
    ReaderOptions m_options;
};

} // namespace fuselab
