// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/TensorCache.h"

#include <cmath>

#include "core/cache/PreprocessSettings.h"
#include "core/util/Error.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace fuselab {

const char *cacheDTypeName(CacheDType t)
{
    switch (t) {
    case CacheDType::U8: return "u8";
    case CacheDType::U16: return "u16";
    case CacheDType::F32: return "f32";
    case CacheDType::I32: return "i32";
    }
    return "?";
}

std::size_t cacheDTypeSize(CacheDType t)
{
    switch (t) {
    case CacheDType::U8: return 1;
    case CacheDType::U16: return 2;
    case CacheDType::F32: return 4;
    case CacheDType::I32: return 4;
    }
    return 0;
}

std::int64_t CacheColumn::recordBytes() const
{
    std::int64_t n = static_cast<std::int64_t>(cacheDTypeSize(dtype));
    for (auto d : shape)
        n *= d;
    return n;
}

namespace {
CacheDType dtypeFromName(const std::string &n, const std::string &where)
{
    if (n == "u8") return CacheDType::U8;
    if (n == "u16") return CacheDType::U16;
    if (n == "f32") return CacheDType::F32;
    if (n == "i32") return CacheDType::I32;
    throw Error(Message(FL_TR("Cache", "%1: unknown dtype \"%2\""), where, n));
}

std::shared_ptr<MappedFile> mapChecked(const fs::path &path, std::int64_t expected)
{
    auto f = std::make_shared<MappedFile>(MappedFile::openReadOnly(path.string()));
    if (static_cast<std::int64_t>(f->size()) != expected)
        throw Error(Message(FL_TR("Cache", "%1: %2 bytes, expected %3 (incomplete or corrupt cache; delete the folder to rebuild it)"),
                            path.string(), std::to_string(f->size()), std::to_string(expected)));
    return f;
}
} // namespace

TensorCache TensorCache::open(const std::string &dir)
{
    const fs::path root(dir);
    const fs::path metaPath = root / "meta.json";
    std::string text;
    try {
        text = readFile(metaPath.string(), 1 << 28);
    } catch (const Error &) {
        throw Error(Message(FL_TR("Cache", "%1: not a FuseLab tensor cache (no readable meta.json)"), dir));
    }
    const nlohmann::json meta = nlohmann::json::parse(text, nullptr, false);
    if (meta.is_discarded() || !meta.is_object() || meta.value("format", "") != "fuselab-tensor-cache")
        throw Error(Message(FL_TR("Cache", "%1: not a FuseLab tensor cache description"), metaPath.string()));
    const int version = meta.value("version", -1);
    if (version != kTensorCacheVersion)
        throw Error(Message(FL_TR("Cache", "%1: cache format version %2, this FuseLab reads version %3; rebuild the cache"), metaPath.string(),
                            std::to_string(version), std::to_string(kTensorCacheVersion)));
    TensorCache c;
    c.m_dir = dir;
    try {
        c.m_key = meta.at("key").get<std::string>();
        c.m_count = meta.at("count").get<std::int64_t>();
        c.m_classes = meta.at("classes").get<std::vector<std::string>>();
        c.m_multiLabel = meta.value("multi_label", false);
        const std::string task = meta.value("task", std::string(c.m_multiLabel ? "multilabel" : "classification"));
        if (!taskFromName(task))
            throw Error(Message(FL_TR("Cache", "%1: a cache of the task \"%2\", which this version cannot train"), metaPath.string(), task));
        c.m_regression = task == "regression";
        c.m_sequence = task == "sequence";
        if (c.m_sequence) {
            const auto &t = meta.at("target");
            c.m_targetChars = t.value("tokens", "word") == "char";
            c.m_targetLowercase = t.value("lowercase", false);
            c.m_targetLength = t.at("length").get<std::int64_t>();
            if (c.m_targetLength < 3 || c.m_targetLength > 1026 || c.m_classes.size() < targetSpecials().size())
                throw Error(Message(FL_TR("Cache", "%1: a damaged sequence target description"), metaPath.string()));
        }
        for (const auto &jc : meta.at("columns")) {
            CacheColumn col;
            col.name = jc.at("name").get<std::string>();
            const auto kind = modalityFromName(jc.at("kind").get<std::string>());
            if (!kind)
                throw Error(Message(FL_TR("Cache", "%1: unknown modality in column %2"), metaPath.string(), col.name));
            col.kind = *kind;
            col.dtype = dtypeFromName(jc.at("dtype").get<std::string>(), metaPath.string());
            col.shape = jc.at("shape").get<std::vector<std::int64_t>>();
            col.file = jc.at("file").get<std::string>();
            col.mean = jc.value("mean", std::vector<double>{});
            col.std = jc.value("std", std::vector<double>{});
            col.tokenizer = jc.value("tokenizer", "");
            col.tokenizerFile = jc.value("tokenizer_file", "");
            col.vocabSize = jc.value("vocab_size", std::int64_t(0));
            // Normalisation: a mean and a positive standard deviation per image channel (one
            // for audio), or none (found by fuzz_cache_index: a mean without its std was read).
            const std::size_t stats = col.kind == Modality::Image && !col.shape.empty() && col.shape[0] > 0 ? static_cast<std::size_t>(col.shape[0]) : 1;
            bool statsOk = col.mean.size() == col.std.size() && (col.mean.empty() || col.mean.size() == stats);
            for (std::size_t k = 0; statsOk && k < col.std.size(); ++k)
                statsOk = std::isfinite(col.mean[k]) && std::isfinite(col.std[k]) && col.std[k] > 0;
            if (!statsOk)
                throw Error(Message(FL_TR("Cache", "%1: column %2 has a damaged normalisation (mean and std)"), metaPath.string(), col.name));
            c.m_columns.push_back(std::move(col));
        }
        c.m_settings = meta.value("settings", nlohmann::json::object());
    } catch (const nlohmann::json::exception &e) {
        throw Error(Message(FL_TR("Cache", "%1: malformed (%2)"), metaPath.string(), e.what()));
    }
    const std::int64_t n = c.m_count;
    c.m_labels = c.m_multiLabel ? mapChecked(root / "labels.u8", n * static_cast<std::int64_t>(c.m_classes.size()))
                 : c.m_sequence ? mapChecked(root / "targets.i32", n * c.m_targetLength * 4)
                                : mapChecked(root / (c.m_regression ? "targets.f64" : "labels.i64"), n * 8);
    if (c.m_sequence) {
        auto texts = std::make_shared<std::vector<std::string>>();
        const std::string data = readFile((root / "targets.jsonl").string(), 1u << 30);
        std::size_t at = 0;
        while (at < data.size()) {
            const std::size_t end = data.find('\n', at);
            const nlohmann::json line = nlohmann::json::parse(data.substr(at, end == std::string::npos ? std::string::npos : end - at), nullptr, false);
            if (!line.is_string())
                throw Error(Message(FL_TR("Cache", "%1: line %2 is not a JSON string (incomplete or corrupt cache; delete the folder to rebuild it)"),
                                    (root / "targets.jsonl").string(), std::to_string(texts->size() + 1)));
            texts->push_back(line.get<std::string>());
            if (end == std::string::npos)
                break;
            at = end + 1;
        }
        if (static_cast<std::int64_t>(texts->size()) != n)
            throw Error(Message(FL_TR("Cache", "%1: %2 target texts, expected %3 (incomplete or corrupt cache; delete the folder to rebuild it)"),
                                (root / "targets.jsonl").string(), std::to_string(texts->size()), std::to_string(n)));
        const std::int32_t *ids = reinterpret_cast<const std::int32_t *>(c.m_labels->data());
        const auto V = static_cast<std::int32_t>(c.m_classes.size());
        for (std::int64_t k = 0; k < n * c.m_targetLength; ++k)
            if (ids[k] < 0 || ids[k] >= V)
                throw Error(Message(FL_TR("Cache", "%1: a token id outside the vocabulary (corrupt cache; delete the folder to rebuild it)"),
                                    (root / "targets.i32").string()));
        c.m_targetTexts = std::move(texts);
    }
    c.m_splits = mapChecked(root / "splits.u8", n);
    c.m_present = mapChecked(root / "present.u8", n * static_cast<std::int64_t>(c.m_columns.size()));
    for (auto &col : c.m_columns)
        c.m_data.push_back(mapChecked(root / col.file, n * col.recordBytes()));
    return c;
}

std::vector<std::int64_t> TensorCache::rows(Split s) const
{
    std::vector<std::int64_t> out;
    const std::uint8_t *sp = m_splits->data();
    for (std::int64_t i = 0; i < m_count; ++i)
        if (sp[i] == static_cast<std::uint8_t>(s))
            out.push_back(i);
    return out;
}

Split TensorCache::split(std::int64_t row) const { return static_cast<Split>(m_splits->data()[row]); }

TargetVocabulary TensorCache::targetVocabulary() const
{
    if (!m_sequence)
        throw Error(m_dir + ": only a sequence cache has a target vocabulary");
    return TargetVocabulary::fromTokens(m_classes, m_targetChars, m_targetLowercase);
}

const std::string &TensorCache::targetText(std::int64_t row) const
{
    if (!m_sequence)
        throw Error(m_dir + ": only a sequence cache has target texts");
    return m_targetTexts->at(static_cast<std::size_t>(row));
}

bool TensorCache::hasClass(std::int64_t row, std::int64_t c) const
{
    if (m_regression || m_sequence)
        return false;
    if (m_multiLabel)
        return m_labels->data()[row * static_cast<std::int64_t>(m_classes.size()) + c] != 0;
    return label(row) == c;
}

double TensorCache::target(std::int64_t row) const
{
    if (!m_regression)
        throw Error(m_dir + ": only a regression cache has a target per sample");
    double v;
    std::memcpy(&v, m_labels->data() + row * 8, 8);
    return v;
}

std::int64_t TensorCache::label(std::int64_t row) const
{
    if (m_multiLabel || m_regression || m_sequence)
        throw Error(m_dir + ": a multi-label, regression or sequence cache has no class label per sample");
    std::int64_t v;
    std::memcpy(&v, m_labels->data() + row * 8, 8);
    return v;
}

bool TensorCache::present(std::int64_t row, std::size_t column) const
{
    return m_present->data()[row * static_cast<std::int64_t>(m_columns.size()) + static_cast<std::int64_t>(column)] != 0;
}

std::string TensorCache::tokenizerData(std::size_t column) const
{
    const CacheColumn &col = m_columns.at(column);
    if (col.tokenizerFile.empty())
        throw Error(m_dir + ": column " + col.name + " has no tokenizer");
    return readFile((fs::path(m_dir) / col.tokenizerFile).string());
}

CacheBatch TensorCache::batch(const std::vector<std::int64_t> &rows, const AugmentSettings *augment, std::uint64_t seed) const
{
    const auto B = static_cast<std::int64_t>(rows.size());
    const auto M = static_cast<std::int64_t>(m_columns.size());
    const auto C = static_cast<std::int64_t>(m_classes.size());
    at::Tensor labels = m_multiLabel ? at::empty({B, C}, at::kFloat)
                      : m_sequence   ? at::empty({B, m_targetLength}, at::kLong)
                      : m_regression ? at::empty({B}, at::kFloat)
                                     : at::empty({B}, at::kLong);
    at::Tensor presentMask = at::empty({B, M}, at::kBool);
    auto *pres = presentMask.data_ptr<bool>();
    for (std::int64_t b = 0; b < B; ++b) {
        const std::int64_t r = rows[static_cast<std::size_t>(b)];
        if (r < 0 || r >= m_count)
            throw Error("tensor cache row " + std::to_string(r) + " out of range");
        if (m_multiLabel) {
            float *hot = labels.data_ptr<float>() + b * C;
            const std::uint8_t *src = m_labels->data() + r * C;
            for (std::int64_t c = 0; c < C; ++c)
                hot[c] = src[c] ? 1.f : 0.f;
        } else if (m_sequence) {
            const std::int32_t *src = reinterpret_cast<const std::int32_t *>(m_labels->data()) + r * m_targetLength;
            std::int64_t *dst = labels.data_ptr<std::int64_t>() + b * m_targetLength;
            for (std::int64_t k = 0; k < m_targetLength; ++k)
                dst[k] = src[k];
        } else if (m_regression) {
            labels.data_ptr<float>()[b] = static_cast<float>(target(r));
        } else {
            labels.data_ptr<std::int64_t>()[b] = label(r);
        }
        for (std::int64_t m = 0; m < M; ++m)
            pres[b * M + m] = present(r, static_cast<std::size_t>(m));
    }
    std::vector<at::Tensor> raw;
    for (std::size_t m = 0; m < m_columns.size(); ++m) {
        const std::int64_t bytes = m_columns[m].recordBytes();
        at::Tensor t = rawTensor(m, B);
        auto *dst = static_cast<std::uint8_t *>(t.data_ptr());
        const std::uint8_t *src = m_data[m]->data();
        for (std::int64_t b = 0; b < B; ++b)
            std::memcpy(dst + b * bytes, src + rows[static_cast<std::size_t>(b)] * bytes, static_cast<std::size_t>(bytes));
        raw.push_back(t);
    }
    CacheBatch out = normalise(raw, presentMask, augment, seed);
    out.labels = labels;
    return out;
}

at::Tensor TensorCache::rawTensor(std::size_t column, std::int64_t batch) const
{
    const CacheColumn &col = m_columns.at(column);
    std::vector<std::int64_t> shape{batch};
    shape.insert(shape.end(), col.shape.begin(), col.shape.end());
    const at::ScalarType st = col.dtype == CacheDType::U8 ? at::kByte
                            : col.dtype == CacheDType::U16 ? at::kShort
                            : col.dtype == CacheDType::F32 ? at::kFloat
                                                           : at::kInt;
    return at::empty(shape, st);
}

CacheBatch TensorCache::normalise(const std::vector<at::Tensor> &raw, const at::Tensor &present, const AugmentSettings *augment,
                                  std::uint64_t seed) const
{
    CacheBatch out;
    out.present = present;
    const std::int64_t B = present.size(0);
    for (std::size_t m = 0; m < m_columns.size(); ++m) {
        const CacheColumn &col = m_columns[m];
        const at::Tensor mask = present.select(1, static_cast<std::int64_t>(m));
        at::Tensor x;
        if (col.kind == Modality::Image) {
            // u16 is stored as raw bits in an int16 tensor: reinterpret to unsigned via int32.
            x = col.dtype == CacheDType::U16 ? raw[m].to(at::kInt).bitwise_and(0xFFFF).to(at::kFloat) / 65535.0
                                             : raw[m].to(at::kFloat) / 255.0;
            if (augment && augment->anyImage())
                x = augmentImages(x, *augment, seed);
            if (col.mean.size() == static_cast<std::size_t>(col.shape[0])) {
                std::vector<float> mean(col.mean.begin(), col.mean.end()), stdv(col.std.begin(), col.std.end());
                const at::Tensor mt = at::from_blob(mean.data(), {1, col.shape[0], 1, 1}, at::kFloat).clone();
                const at::Tensor sd = at::from_blob(stdv.data(), {1, col.shape[0], 1, 1}, at::kFloat).clone();
                x = (x - mt) / sd;
            }
            x = x * mask.view({B, 1, 1, 1}).to(at::kFloat);
        } else if (col.kind == Modality::Audio) {
            x = raw[m];
            if (col.mean.size() == 1 && col.std.size() == 1)
                x = (x - col.mean[0]) / col.std[0];
            x = x * mask.view({B, 1, 1}).to(at::kFloat);
            if (augment && augment->audio.any())
                x = augmentSpectrograms(x, mask, augment->audio, seed ^ (0x9E3779B97F4A7C15ull * (m + 1)));
        } else {
            x = raw[m].to(at::kLong) * mask.view({B, 1}).to(at::kLong);
        }
        out.inputs.push_back(x.contiguous());
    }
    return out;
}

CacheBatch TensorCache::encodeRecords(const std::vector<std::vector<std::uint8_t>> &records, const at::Tensor &present) const
{
    const std::int64_t B = present.size(0);
    std::vector<at::Tensor> raw;
    for (std::size_t m = 0; m < m_columns.size(); ++m) {
        at::Tensor t = rawTensor(m, B);
        if (records.at(m).size() != static_cast<std::size_t>(B * m_columns[m].recordBytes()))
            throw Error("encodeRecords: column " + m_columns[m].name + " has the wrong number of bytes");
        std::memcpy(t.data_ptr(), records[m].data(), records[m].size());
        raw.push_back(t);
    }
    CacheBatch out = normalise(raw, present.to(at::kBool), nullptr, 0);
    out.labels = m_multiLabel ? at::zeros({B, static_cast<std::int64_t>(m_classes.size())}, at::kFloat)
                 : m_sequence   ? at::zeros({B, m_targetLength}, at::kLong)
                 : m_regression ? at::zeros({B}, at::kFloat)
                                : at::zeros({B}, at::kLong);
    return out;
}

PreprocessSettings TensorCache::settings() const
{
    return PreprocessSettings::fromJson(m_settings);
}

} // namespace fuselab
