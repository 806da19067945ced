// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/cache/PreprocessSettings.h"
#include "core/cache/TensorCache.h"
#include "core/data/Dataset.h"

#include <memory>
#include <string>

namespace fuselab {

// Turns one raw field (an image file, an audio file, text) into the fixed-size record a
// tensor cache column stores. The cache builder runs it over a dataset; prediction runs it
// on new files, so both preprocess exactly alike. Thread-safe once built.
class FieldEncoder {
public:
    // `column` gives kind, dtype and shape; text columns need their fitted tokenizer.
    FieldEncoder(const PreprocessSettings &settings, const CacheColumn &column, std::shared_ptr<const Tokenizer> tokenizer = nullptr);

    // Writes column.recordBytes() bytes to `out`; false with `error` set when the field
    // cannot be decoded (out is then zeroed). `blob` resolves IDX images.
    bool encode(const Field &field, const ImageBlob *blob, std::uint8_t *out, Message *error) const;

    const CacheColumn &column() const { return m_column; }

private:
    PreprocessSettings m_settings;
    CacheColumn m_column;
    std::shared_ptr<const Tokenizer> m_tokenizer;
    std::shared_ptr<const MelSpectrogram> m_mel;
};

// Reads a text field (file or inline) as validated UTF-8; empty with `error` set on failure.
std::string readTextField(const Field &field, Message *error);

} // namespace fuselab
