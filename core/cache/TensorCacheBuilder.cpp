// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/TensorCacheBuilder.h"

#include "core/cache/FieldEncoder.h"
#include "core/cache/TensorCache.h"
#include "core/data/Fingerprint.h"
#include "core/media/AudioDecoder.h"
#include "core/util/FileIO.h"
#include "core/util/MessageJson.h"
#include "core/util/ParallelFor.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fuselab {

std::string defaultCacheRoot()
{
    if (const char *d = std::getenv("FUSELAB_CACHE_DIR"); d && *d)
        return d;
    if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x)
        return (fs::path(x) / "fuselab").string();
    if (const char *h = std::getenv("HOME"); h && *h)
        return (fs::path(h) / ".cache" / "fuselab").string();
    return (fs::temp_directory_path() / "fuselab-cache").string();
}

ImageColumnLayout probeImageColumn(const Dataset &d, int column, int threads, std::size_t limit, ProgressObserver *observer)
{
    ImageColumnLayout layout;
    if (d.blob) {
        layout.medianWidth = static_cast<int>(d.blob->cols);
        layout.medianHeight = static_cast<int>(d.blob->rows);
        return layout;
    }
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < d.samples.size() && (limit == 0 || rows.size() < limit); ++i)
        if (d.samples[i].fields[static_cast<std::size_t>(column)].present)
            rows.push_back(i);
    std::vector<ImageHeader> headers(rows.size());
    parallelFor(static_cast<std::int64_t>(rows.size()), threads, [&](std::int64_t k) {
        const Field &f = d.samples[rows[static_cast<std::size_t>(k)]].fields[static_cast<std::size_t>(column)];
        try {
            // Headers sit at the start; a JPEG with large metadata segments (EXIF thumbnail,
            // ICC profile) may need the whole file to reach its frame header.
            constexpr std::size_t prefix = 1 << 16;
            const std::string head = readFilePrefix(f.value, prefix);
            ImageHeader h = probeImage(head, head.size() < prefix);
            if (!h.error.empty() && head.size() == prefix)
                h = probeImage(readFile(f.value));
            headers[static_cast<std::size_t>(k)] = h;
        } catch (const Error &e) {
            headers[static_cast<std::size_t>(k)].error = messageOf(e); // reported when the file is decoded
        }
    }, observer, "reading image headers");
    std::vector<int> widths, heights;
    for (const ImageHeader &h : headers) {
        if (!h.error.empty())
            continue;
        layout.channels = std::max(layout.channels, h.channels >= 3 ? 3 : 1);
        layout.bitDepth = std::max(layout.bitDepth, h.bitDepth > 8 ? 16 : 8);
        widths.push_back(static_cast<int>(h.width));
        heights.push_back(static_cast<int>(h.height));
    }
    if (!widths.empty()) {
        std::nth_element(widths.begin(), widths.begin() + static_cast<std::ptrdiff_t>(widths.size() / 2), widths.end());
        std::nth_element(heights.begin(), heights.begin() + static_cast<std::ptrdiff_t>(heights.size() / 2), heights.end());
        layout.medianWidth = widths[widths.size() / 2];
        layout.medianHeight = heights[heights.size() / 2];
    }
    return layout;
}

namespace {

// Restores LibTorch's intra-op thread count when preprocessing ends: each pool worker runs
// its own small ops, so nested parallelism would only oversubscribe the cores.
class SingleThreadedTorch {
public:
    SingleThreadedTorch() : m_saved(at::get_num_threads()) { at::set_num_threads(1); }
    ~SingleThreadedTorch() { at::set_num_threads(m_saved); }

private:
    int m_saved;
};

struct Column {
    CacheColumn meta;
    MappedFile data;
    std::shared_ptr<Tokenizer> tokenizer;
    std::unique_ptr<FieldEncoder> encoder;
    int channels = 1, bitDepth = 8;
};

} // namespace

CacheBuildResult buildTensorCache(const Dataset &d, const PreprocessSettings &settings, const CacheBuildOptions &options,
                                  ProgressObserver *observer)
{
    if (d.samples.empty())
        throw Error(Message(FL_TR("Cache", "%1: no samples to preprocess"), d.source));
    const int threads = resolveThreadCount(options.threads);
    CacheBuildResult result;

    const std::vector<Hash128> hashes = hashFields(d, threads, observer);
    Hasher keyHash;
    keyHash.add(static_cast<std::uint64_t>(kTensorCacheVersion));
    keyHash.add(datasetFingerprint(d, hashes));
    // The settings, with a WordPiece vocabulary by its contents rather than its path: another
    // vocabulary at the same path is another cache, a moved project the same one.
    nlohmann::json keyed = settings.toJson();
    if (settings.text.tokenizer == TokenizerKind::WordPiece && !settings.text.vocabFile.empty()) {
        keyed["text"].erase("vocab_file");
        keyed["text"]["vocab_digest"] = hashBytes(readFile(settings.text.vocabFile, 256u << 20)).hex();
    }
    keyHash.add(keyed.dump());
    result.key = keyHash.digest().hex();

    const fs::path root(options.cacheRoot.empty() ? defaultCacheRoot() : options.cacheRoot);
    const fs::path dir = root / result.key;
    result.dir = dir.string();
    std::error_code ec;
    if (!options.force && fs::exists(dir / "meta.json", ec)) {
        try {
            TensorCache::open(dir.string());
            const nlohmann::json meta = nlohmann::json::parse(readFile((dir / "meta.json").string()));
            for (const auto &i : meta.value("issues", nlohmann::json::array()))
                result.issues.push_back({i.value("file", ""), 0, reasonFromJson(i),
                                         i.value("severity", "") == "warning" ? DataIssue::Severity::Warning : DataIssue::Severity::Error});
            result.reused = true;
            return result;
        } catch (const std::exception &) {
            // Unreadable or incomplete: rebuild it below.
        }
    }
    fs::create_directories(root, ec);
    if (ec)
        throw Error(Message(FL_TR("Cache", "cannot create the cache folder %1: %2 (choose a writable cache folder)"),
                            root.string(), ec.message()));
    const fs::path tmp = root / (result.key + ".tmp-" + std::to_string(::getpid()));
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec)
        throw Error(Message(FL_TR("Cache", "cannot create %1: %2"), tmp.string(), ec.message()));

    // Whatever happens from here on (an error, a cancel), leave no half-built folder behind.
    struct RemoveOnFailure {
        fs::path path;
        bool armed = true;
        ~RemoveOnFailure()
        {
            std::error_code ignored;
            if (armed)
                fs::remove_all(path, ignored);
        }
    } cleanup{tmp};

    const auto N = static_cast<std::int64_t>(d.samples.size());
    const std::size_t M = d.columns.size();
    std::mutex issueMutex;
    auto addIssue = [&](const std::string &file, Message reason) {
        std::lock_guard<std::mutex> lock(issueMutex);
        result.issues.push_back({file, 0, std::move(reason)});
    };
    useSingleThreadedOpenCv();
    SingleThreadedTorch singleThreaded;

    // Decide per-column layouts; fit tokenizers on the train split.
    std::vector<Column> cols(M);
    for (std::size_t m = 0; m < M; ++m) {
        Column &c = cols[m];
        c.meta.name = d.columns[m].name;
        c.meta.kind = d.columns[m].kind;
        c.meta.file = "col" + std::to_string(m) + ".bin";
        if (c.meta.kind == Modality::Image) {
            const ImageColumnLayout layout = probeImageColumn(d, static_cast<int>(m), threads, 0, observer);
            const int channels = settings.image.channels ? settings.image.channels : layout.channels;
            const int depth = layout.bitDepth;
            c.channels = channels;
            c.bitDepth = depth;
            c.meta.dtype = depth > 8 ? CacheDType::U16 : CacheDType::U8;
            c.meta.shape = {channels, settings.image.height, settings.image.width};
        } else if (c.meta.kind == Modality::Audio) {
            c.meta.dtype = CacheDType::F32;
            c.meta.shape = {settings.audio.mel.nMels, settings.audio.mel.frames(settings.audio.samples())};
        } else {
            c.meta.dtype = CacheDType::I32;
            c.meta.shape = {settings.text.maxLength};
            c.tokenizer = Tokenizer::create(settings.text);
            std::vector<std::string> train;
            std::int64_t read = 0;
            for (const Sample &s : d.samples) {
                if (observer && ++read % 256 == 0) {
                    observer->onProgress("reading text", read, N);
                    observer->checkpoint();
                }
                if (s.split != Split::Train || !s.fields[m].present)
                    continue;
                Message err;
                std::string text = readTextField(s.fields[m], &err);
                if (err.empty())
                    train.push_back(std::move(text));
            }
            if (observer) {
                observer->onProgress("fitting tokenizer", 0, 1);
                observer->checkpoint();
            }
            c.tokenizer->fit(train);
            checkpoint(observer);
            c.meta.tokenizer = tokenizerKindName(settings.text.tokenizer);
            c.meta.tokenizerFile = "col" + std::to_string(m) + ".tokenizer";
            c.meta.vocabSize = c.tokenizer->vocabSize();
            writeFileAtomically((tmp / c.meta.tokenizerFile).string(), c.tokenizer->serialize());
        }
        c.data = MappedFile::create((tmp / c.meta.file).string(), static_cast<std::size_t>(N * c.meta.recordBytes()));
        c.encoder = std::make_unique<FieldEncoder>(settings, c.meta, c.tokenizer);
    }

    // Labels: one int64 class index per sample, in a multi-label dataset one 0/1 byte per
    // sample and class, in a regression dataset one float64 target per sample.
    // In a sequence dataset, the target's token ids (int32): BOS, the tokens, EOS, then
    // padding, target.max_length + 2 per sample, and the texts themselves for the metrics.
    const bool regression = d.task == Task::Regression, sequence = d.task == Task::Sequence;
    std::vector<std::string> classes = d.classes;
    std::optional<TargetVocabulary> vocab;
    const std::int64_t targetLength = settings.target.maxLength + 2;
    if (sequence) {
        vocab = fitTargetVocabulary(d, settings.target);
        classes = vocab->tokens();
    }
    const auto C = static_cast<std::int64_t>(classes.size());
    MappedFile labels = d.multiLabel ? MappedFile::create((tmp / "labels.u8").string(), static_cast<std::size_t>(N * C))
                      : sequence     ? MappedFile::create((tmp / "targets.i32").string(), static_cast<std::size_t>(N * targetLength) * 4)
                                     : MappedFile::create((tmp / (regression ? "targets.f64" : "labels.i64")).string(), static_cast<std::size_t>(N) * 8);
    std::atomic<std::int64_t> truncated{0};
    MappedFile splits = MappedFile::create((tmp / "splits.u8").string(), static_cast<std::size_t>(N));
    MappedFile present = MappedFile::create((tmp / "present.u8").string(), static_cast<std::size_t>(N) * M);

    parallelFor(N, threads, [&](std::int64_t i) {
        const Sample &s = d.samples[static_cast<std::size_t>(i)];
        bool any = false;
        for (std::size_t m = 0; m < M; ++m) {
            const Field &f = s.fields[m];
            if (!f.present)
                continue;
            Column &c = cols[m];
            Message error;
            const bool ok = c.encoder->encode(f, d.blob.get(), c.data.mutableData() + i * c.meta.recordBytes(), &error);
            if (!ok)
                addIssue(d.displayName(f), std::move(error));
            present.mutableData()[i * static_cast<std::int64_t>(M) + static_cast<std::int64_t>(m)] = ok;
            any = any || ok;
        }
        if (d.multiLabel) {
            std::uint8_t *hot = labels.mutableData() + i * C;
            std::memset(hot, 0, static_cast<std::size_t>(C));
            for (int c : s.labels)
                hot[c] = 1;
        } else if (sequence) {
            const TargetVocabulary::Encoded e = vocab->encode(s.targetText, settings.target.maxLength);
            std::vector<std::int32_t> ids(static_cast<std::size_t>(targetLength), TargetVocabulary::kPad);
            ids[0] = TargetVocabulary::kBos;
            std::copy(e.ids.begin(), e.ids.end(), ids.begin() + 1);
            ids[e.ids.size() + 1] = TargetVocabulary::kEos;
            std::memcpy(labels.mutableData() + i * targetLength * 4, ids.data(), ids.size() * 4);
            truncated += e.truncated;
        } else if (regression) {
            std::memcpy(labels.mutableData() + i * 8, &s.target, 8);
        } else {
            const std::int64_t label = s.label;
            std::memcpy(labels.mutableData() + i * 8, &label, 8);
        }
        splits.mutableData()[i] = any ? static_cast<std::uint8_t>(s.split) : static_cast<std::uint8_t>(Split::None);
    }, observer, "preprocessing");

    // Normalisation statistics from the train split only.
    const std::int64_t blocks = std::max<std::int64_t>(1, std::min<std::int64_t>(N, 256));
    for (std::size_t m = 0; m < M; ++m) {
        Column &c = cols[m];
        if (c.meta.kind == Modality::Text)
            continue;
        const std::int64_t groups = c.meta.kind == Modality::Image ? c.meta.shape[0] : 1;
        const std::int64_t perGroup = c.meta.recordBytes() / static_cast<std::int64_t>(cacheDTypeSize(c.meta.dtype)) / groups;
        std::vector<double> sum(static_cast<std::size_t>(blocks * groups)), sq(sum.size());
        std::vector<std::int64_t> count(static_cast<std::size_t>(blocks));
        parallelFor(blocks, threads, [&](std::int64_t b) {
            for (std::int64_t i = b * N / blocks; i < (b + 1) * N / blocks; ++i) {
                if (splits.data()[i] != static_cast<std::uint8_t>(Split::Train) || !present.data()[i * static_cast<std::int64_t>(M) + static_cast<std::int64_t>(m)])
                    continue;
                ++count[static_cast<std::size_t>(b)];
                const std::uint8_t *rec = c.data.data() + i * c.meta.recordBytes();
                for (std::int64_t g = 0; g < groups; ++g) {
                    double s = 0, q = 0;
                    for (std::int64_t k = g * perGroup; k < (g + 1) * perGroup; ++k) {
                        double v;
                        if (c.meta.dtype == CacheDType::U8) v = rec[k] / 255.0;
                        else if (c.meta.dtype == CacheDType::U16) { std::uint16_t u; std::memcpy(&u, rec + 2 * k, 2); v = u / 65535.0; }
                        else { float f; std::memcpy(&f, rec + 4 * k, 4); v = f; }
                        s += v;
                        q += v * v;
                    }
                    sum[static_cast<std::size_t>(b * groups + g)] += s;
                    sq[static_cast<std::size_t>(b * groups + g)] += q;
                }
            }
        }, observer, "normalising");
        std::int64_t n = 0;
        for (auto k : count) n += k;
        for (std::int64_t g = 0; g < groups; ++g) {
            double s = 0, q = 0;
            for (std::int64_t b = 0; b < blocks; ++b) {
                s += sum[static_cast<std::size_t>(b * groups + g)];
                q += sq[static_cast<std::size_t>(b * groups + g)];
            }
            const double total = double(n) * double(perGroup);
            const double mean = total > 0 ? s / total : 0.0;
            const double var = total > 0 ? std::max(0.0, q / total - mean * mean) : 1.0;
            c.meta.mean.push_back(mean);
            c.meta.std.push_back(var > 1e-12 ? std::sqrt(var) : 1.0);
        }
    }

    nlohmann::json meta;
    meta["format"] = "fuselab-tensor-cache";
    meta["version"] = kTensorCacheVersion;
    meta["key"] = result.key;
    meta["count"] = N;
    meta["classes"] = classes;
    if (sequence) {
        if (truncated > 0)
            result.issues.push_back({d.source, 0,
                                     Message(FL_TR("Cache", "%1 target texts are longer than target.max_length (%2 tokens) and were truncated "
                                                           "to it; raise target.max_length to keep them whole"),
                                             std::to_string(truncated.load()), std::to_string(settings.target.maxLength)),
                                     DataIssue::Severity::Warning});
        meta["target"] = {{"tokens", settings.target.tokens}, {"lowercase", settings.target.lowercase}, {"length", targetLength},
                          {"file", "targets.i32"}, {"texts", "targets.jsonl"}};
        std::string texts;
        for (const Sample &smp : d.samples)
            texts += nlohmann::json(smp.targetText).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        writeFileAtomically((tmp / "targets.jsonl").string(), texts);
    }
    meta["multi_label"] = d.multiLabel;
    meta["task"] = taskName(d.task);
    meta["dataset"] = {{"source", d.source}, {"format", d.format}, {"root", d.root}};
    meta["settings"] = settings.toJson();
    meta["columns"] = nlohmann::json::array();
    for (auto &c : cols) {
        nlohmann::json jc = {{"name", c.meta.name}, {"kind", modalityName(c.meta.kind)}, {"dtype", cacheDTypeName(c.meta.dtype)},
                             {"shape", c.meta.shape}, {"file", c.meta.file}};
        if (!c.meta.mean.empty()) {
            jc["mean"] = c.meta.mean;
            jc["std"] = c.meta.std;
        }
        if (c.meta.kind == Modality::Text) {
            jc["tokenizer"] = c.meta.tokenizer;
            jc["tokenizer_file"] = c.meta.tokenizerFile;
            jc["vocab_size"] = c.meta.vocabSize;
        }
        meta["columns"].push_back(jc);
    }
    meta["issues"] = nlohmann::json::array();
    for (auto &i : result.issues)
        meta["issues"].push_back({{"file", i.file},
                                  {"reason", i.reason.str()},
                                  {"message", messageToJson(i.reason)},
                                  {"severity", i.severity == DataIssue::Severity::Warning ? "warning" : "skipped"}});

    for (auto &c : cols)
        c.data.flush();
    labels.flush();
    splits.flush();
    present.flush();
    writeFileAtomically((tmp / "meta.json").string(), meta.dump(1));

    fs::remove_all(dir, ec);
    fs::rename(tmp, dir, ec);
    if (ec)
        throw Error(Message(FL_TR("Cache", "cannot move the finished cache into %1: %2"), dir.string(), ec.message()));
    cleanup.armed = false;
    return result;
}

} // namespace fuselab
