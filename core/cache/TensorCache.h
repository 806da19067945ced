// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/cache/ImageAugment.h"
#include "core/cache/PreprocessSettings.h"
#include "core/data/Dataset.h"
#include "core/util/FileIO.h"

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fuselab {

// On-disk format version; a reader refuses any other (docs/formats.md).
constexpr int kTensorCacheVersion = 1;

enum class CacheDType { U8, U16, F32, I32 };
const char *cacheDTypeName(CacheDType t);
std::size_t cacheDTypeSize(CacheDType t);

struct CacheColumn {
    std::string name;
    Modality kind = Modality::Image;
    CacheDType dtype = CacheDType::U8;
    std::vector<std::int64_t> shape;   // per sample: [C,H,W], [n_mels, frames] or [max_length]
    std::string file;                  // relative to the cache folder
    std::vector<double> mean, std;     // normalisation from the train split (image: per channel; audio: one value)
    std::string tokenizer;             // text: "word", "char" or "sentencepiece"
    std::string tokenizerFile;         // text: serialised tokenizer, relative
    std::int64_t vocabSize = 0;        // text
    std::int64_t recordBytes() const;
};

// A batch drawn from the cache, on the CPU.
struct CacheBatch {
    std::vector<at::Tensor> inputs; // one per column: image [B,C,H,W] float normalised,
                                    // audio [B,n_mels,frames] float normalised, text [B,L] int64
    at::Tensor present;             // [B, columns] bool; absent inputs are all zeros
    at::Tensor labels;              // [B] int64, [B, classes] float 0/1 for multi-label caches,
                                    // [B] float (the targets) for regression caches,
                                    // [B, targetLength] int64 token ids for sequence caches
};

// Read side of the tensor cache: memory-maps the column files, so a dataset larger than
// RAM trains with only the current batches resident. Needs LibTorch and nlohmann-json only.
class TensorCache {
public:
    // Throws Error naming the folder and the reason (missing files, wrong version, sizes).
    static TensorCache open(const std::string &dir);

    const std::string &dir() const { return m_dir; }
    std::int64_t size() const { return m_count; }
    const std::vector<std::string> &classes() const { return m_classes; }
    bool multiLabel() const { return m_multiLabel; }
    bool regression() const { return m_regression; }
    // Sequence caches: classes() is the target vocabulary (core/data/TargetVocabulary.h);
    // each row's target is BOS, its tokens, EOS and padding, targetLength() ids in all.
    bool sequence() const { return m_sequence; }
    std::int64_t targetLength() const { return m_targetLength; }
    TargetVocabulary targetVocabulary() const;
    const std::string &targetText(std::int64_t row) const; // the text as the dataset gave it
    const std::vector<CacheColumn> &columns() const { return m_columns; }
    const std::string &key() const { return m_key; }

    // Rows of a split, skipping rows whose every modality failed to decode.
    std::vector<std::int64_t> rows(Split split) const;
    Split split(std::int64_t row) const;
    std::int64_t label(std::int64_t row) const;              // single-label caches
    double target(std::int64_t row) const;                   // regression caches
    bool hasClass(std::int64_t row, std::int64_t c) const;    // either kind
    bool present(std::int64_t row, std::size_t column) const;

    // Gathers `rows` into tensors. Images get `augment` (when non-null) before normalisation,
    // spectrograms after it (masks then hold the mean), seeded by `seed`. Safe to call from several threads at once.
    CacheBatch batch(const std::vector<std::int64_t> &rows, const AugmentSettings *augment = nullptr,
                     std::uint64_t seed = 0) const;

    // The serialised tokenizer of a text column (for predicting on new text).
    std::string tokenizerData(std::size_t column) const;
    // The preprocessing settings the cache was built with.
    PreprocessSettings settings() const;
    // A batch from records encoded elsewhere (FieldEncoder), normalised as batch() does:
    // records[m] holds B records of column m; present is [B, columns].
    CacheBatch encodeRecords(const std::vector<std::vector<std::uint8_t>> &records, const at::Tensor &present) const;

private:
    at::Tensor rawTensor(std::size_t column, std::int64_t batch) const;
    CacheBatch normalise(const std::vector<at::Tensor> &raw, const at::Tensor &present, const AugmentSettings *augment,
                         std::uint64_t seed) const;

    std::string m_dir, m_key;
    nlohmann::json m_settings;
    std::int64_t m_count = 0;
    std::vector<std::string> m_classes;
    bool m_multiLabel = false, m_regression = false, m_sequence = false;
    bool m_targetChars = false, m_targetLowercase = false;
    std::int64_t m_targetLength = 0;
    std::shared_ptr<const std::vector<std::string>> m_targetTexts;
    std::vector<CacheColumn> m_columns;
    std::shared_ptr<MappedFile> m_labels, m_splits, m_present;
    std::vector<std::shared_ptr<MappedFile>> m_data;
};

} // namespace fuselab
