// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/cache/ImageAugment.h"
#include "core/cache/TensorCache.h"
#include "core/cache/TensorCacheBuilder.h"
#include "core/data/DatasetLoader.h"
#include "core/media/ImageDecoder.h"
#include "tests/support/TestFiles.h"

#include <ATen/ATen.h>
#include <QTemporaryDir>
#include <QTest>

#include <set>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace fuselab;
using namespace fuselab::test;
namespace fs = std::filesystem;

class TestCache final : public QObject {
    Q_OBJECT
    QTemporaryDir m_data, m_cache;
    std::string data() const { return m_data.path().toStdString(); }
    std::string cacheRoot() const { return m_cache.path().toStdString(); }

    PreprocessSettings settings() const
    {
        PreprocessSettings s;
        s.image.width = 16;
        s.image.height = 12;
        s.audio.durationSeconds = 0.25;
        s.audio.mel.sampleRate = 8000;
        s.audio.mel.nFft = 256;
        s.audio.mel.nMels = 20;
        s.text.maxLength = 6;
        return s;
    }
    CacheBuildResult build(const PreprocessSettings &s, bool force = false)
    {
        CacheBuildOptions o;
        o.cacheRoot = cacheRoot();
        o.force = force;
        return buildTensorCache(loadDataset(data()), s, o);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const char *classes[] = {"low", "mid", "high"};
        for (int c = 0; c < 3; ++c)
            for (int i = 0; i < 10; ++i) {
                const std::string stem = data() + "/" + classes[c] + "/" + std::to_string(i);
                writeImage(stem + ".png", 20 + i, 15, 3, 8, c * 10 + i);
                writeWav(stem + ".wav", 200.0 * (c + 1), 16000, 0.2 + 0.01 * i);
                writeFile(stem + ".txt", std::string("sample ") + classes[c] + " number " + std::to_string(i));
            }
        writeFile(data() + "/mid/3.png", "corrupt, not a png"); // its image must be absent
    }

    // Big files: the column scan reads only the first 64 KiB of each, yet must get every
    // header right — including a JPEG whose frame header sits beyond that (a large comment
    // segment standing in for an EXIF thumbnail or ICC profile).
    void columnScanReadsHeadersOfLargeFiles()
    {
        QTemporaryDir dir;
        const std::string root = dir.path().toStdString();
        const std::string jpeg = encodeImage(".jpg", 1500, 1000, 3, 8, 1), png = encodeImage(".png", 1500, 1000, 3, 8, 2);
        QVERIFY(jpeg.size() > 65536 && png.size() > 65536);
        std::string padded = jpeg.substr(0, 2); // SOI, then three 60000-byte comment segments
        for (int k = 0; k < 3; ++k)
            padded += std::string("\xFF\xFE\xEA\x62", 4) + std::string(60000, 'x');
        padded += jpeg.substr(2);
        writeFile(root + "/a.jpg", jpeg);
        writeFile(root + "/b.png", png);
        writeFile(root + "/c.jpg", padded);
        writeFile(root + "/m.csv", "image,label\na.jpg,x\nb.png,y\nc.jpg,x\n");
        const Dataset d = loadDataset(root + "/m.csv");
        const ImageColumnLayout layout = probeImageColumn(d, 0, 1);
        QCOMPARE(layout.channels, 3);
        QCOMPARE(layout.medianWidth, 1500);
        QCOMPARE(layout.medianHeight, 1000);
        Message err;
        std::vector<std::uint8_t> out(3 * 64 * 64);
        QVERIFY2(decodeImage(padded, ImageSettings(), 3, 8, out.data(), &err), err.str().c_str());
    }

    void buildsAndReads()
    {
        const CacheBuildResult r = build(settings());
        QVERIFY(!r.reused);
        QCOMPARE(r.issues.size(), std::size_t(1));
        QVERIFY(r.issues[0].file.find("mid/3.png") != std::string::npos);
        // Only the finished folder is left: no temporary build folder.
        int entries = 0;
        for (auto &e : fs::directory_iterator(cacheRoot())) {
            ++entries;
            QVERIFY(e.path().filename().string().find(".tmp") == std::string::npos);
        }
        QCOMPARE(entries, 1);

        const TensorCache c = TensorCache::open(r.dir);
        QCOMPARE(c.size(), std::int64_t(30));
        QCOMPARE(c.classes(), (std::vector<std::string>{"high", "low", "mid"}));
        QCOMPARE(c.columns().size(), std::size_t(3));
        QCOMPARE(c.columns()[0].shape, (std::vector<std::int64_t>{3, 12, 16}));
        QCOMPARE(c.columns()[1].shape, (std::vector<std::int64_t>{20, 1 + 2000 / 128}));
        QCOMPARE(c.columns()[2].shape, (std::vector<std::int64_t>{6}));
        const auto train = c.rows(Split::Train), val = c.rows(Split::Val), test = c.rows(Split::Test);
        QCOMPARE(train.size() + val.size() + test.size(), std::size_t(30));
        QCOMPARE(train.size(), std::size_t(24));

        std::vector<std::int64_t> all(30);
        for (int i = 0; i < 30; ++i)
            all[i] = i;
        const CacheBatch b = c.batch(all);
        QCOMPARE(b.inputs[0].sizes().vec(), (std::vector<std::int64_t>{30, 3, 12, 16}));
        QCOMPARE(b.inputs[1].sizes().vec(), (std::vector<std::int64_t>{30, 20, 16}));
        QCOMPARE(b.inputs[2].sizes().vec(), (std::vector<std::int64_t>{30, 6}));
        QCOMPARE(b.inputs[2].scalar_type(), at::kLong);
        QCOMPARE(b.labels.sizes().vec(), (std::vector<std::int64_t>{30}));
        // The corrupt image: absent, all zeros, while its audio and text are there.
        int absent = 0;
        for (int i = 0; i < 30; ++i)
            if (!b.present[i][0].item<bool>()) {
                ++absent;
                QCOMPARE(b.inputs[0][i].abs().sum().item<double>(), 0.0);
                QVERIFY(b.present[i][1].item<bool>());
                QVERIFY(b.present[i][2].item<bool>());
            }
        QCOMPARE(absent, 1);
        // Normalised with train statistics: the train images have mean ~0, std ~1 per channel.
        const CacheBatch tb = c.batch(train);
        const at::Tensor img = tb.inputs[0].index_select(0, tb.present.select(1, 0).nonzero().squeeze(1));
        for (int ch = 0; ch < 3; ++ch) {
            QVERIFY(std::abs(img.select(1, ch).mean().item<double>()) < 1e-3);
            QVERIFY(std::abs(img.select(1, ch).std(false).item<double>() - 1.0) < 1e-2);
        }
        QVERIFY(std::abs(tb.inputs[1].mean().item<double>()) < 1e-3);
        // Text ids are the tokenizer's: padding at the end, no unknowns for training text.
        QVERIFY(tb.inputs[2].select(1, 0).gt(1).all().item<bool>());
    }

    void secondBuildReusesTheCache()
    {
        build(settings()); // built here or by an earlier slot: either way the next build reuses it
        const CacheBuildResult a = build(settings());
        QVERIFY(a.reused);
        QCOMPARE(a.issues.size(), std::size_t(1));
        const CacheBuildResult forced = build(settings(), true);
        QVERIFY(!forced.reused);
        QCOMPARE(forced.dir, a.dir);
        // A reused cache gives its issues back (from meta.json) as the translatable messages
        // they were built with.
        QCOMPARE(forced.issues.size(), std::size_t(1));
        QVERIFY(!a.issues[0].reason.context.empty());
        QVERIFY(a.issues[0].reason == forced.issues[0].reason);
        QCOMPARE(a.issues[0].toString(), forced.issues[0].toString());
    }

    void keyFollowsSettingsAndContent()
    {
        const std::string before = build(settings()).key;
        PreprocessSettings s = settings();
        s.image.width = 8;
        QVERIFY(build(s).key != before);
        s = settings();
        s.text.tokenizer = TokenizerKind::Char;
        QVERIFY(build(s).key != before);
        // One changed word in one text file changes the dataset's fingerprint.
        const std::string file = data() + "/low/0.txt";
        const std::string old = readAll(file);
        writeFile(file, old + " changed");
        const std::string changed = build(settings()).key;
        writeFile(file, old);
        QVERIFY(changed != before);
        QCOMPARE(build(settings()).key, before);
    }

    void refusesOtherVersionsAndTruncatedFiles()
    {
        const std::string dir = build(settings()).dir;
        QTemporaryDir copy;
        const std::string c = copy.path().toStdString() + "/c";
        fs::copy(dir, c);
        auto meta = nlohmann::json::parse(readAll(c + "/meta.json"));
        meta["version"] = kTensorCacheVersion + 1;
        writeFile(c + "/meta.json", meta.dump());
        QVERIFY_THROWS_EXCEPTION(Error, TensorCache::open(c));
        meta["version"] = kTensorCacheVersion;
        writeFile(c + "/meta.json", meta.dump());
        QVERIFY(TensorCache::open(c).size() == 30);
        fs::resize_file(c + "/col0.bin", 100);
        QVERIFY_THROWS_EXCEPTION(Error, TensorCache::open(c));
        QVERIFY_THROWS_EXCEPTION(Error, TensorCache::open(copy.path().toStdString()));
    }

    void augmentationIsSeededAndTrainOnly()
    {
        const TensorCache c = TensorCache::open(build(settings()).dir);
        const auto train = c.rows(Split::Train);
        AugmentSettings a;
        a.cropPadding = 2;
        a.flipProbability = 0.5;
        a.rotationDegrees = 10;
        a.brightness = 0.1;
        a.contrast = 0.2;
        const at::Tensor x1 = c.batch(train, &a, 5).inputs[0];
        const at::Tensor x2 = c.batch(train, &a, 5).inputs[0];
        const at::Tensor x3 = c.batch(train, &a, 6).inputs[0];
        const at::Tensor plain = c.batch(train).inputs[0];
        QVERIFY(at::equal(x1, x2));
        QVERIFY(!at::equal(x1, x3));
        QVERIFY(!at::equal(x1, plain));
        QVERIFY(at::equal(c.batch(train, nullptr, 5).inputs[0], plain));
    }

    void flipAndCropAreExact()
    {
        const at::Tensor img = at::arange(2 * 1 * 2 * 3, at::kFloat).view({2, 1, 2, 3}) / 20.0;
        AugmentSettings flip;
        flip.flipProbability = 1.0;
        QVERIFY(at::equal(augmentImages(img, flip, 1), img.flip({3})));
        AugmentSettings none;
        QVERIFY(at::equal(augmentImages(img, none, 1), img));
        // A random crop of a zero-padded image: each output is the input shifted by some
        // (dy, dx) in [-p, p]^2, zeros coming in at the edges, shifts drawn per image. The
        // shifted copies are made here by hand, pixel by pixel.
        AugmentSettings crop;
        crop.cropPadding = 1;
        const std::int64_t B = 16, H = 3, W = 4;
        const at::Tensor many = (at::arange(B * H * W, at::kFloat).view({B, 1, H, W}) + 1) / 256.0; // in (0, 1): no clamping
        const at::Tensor out = augmentImages(many, crop, 3);
        QCOMPARE(out.sizes(), many.sizes());
        std::set<std::pair<int, int>> shifts;
        for (std::int64_t b = 0; b < B; ++b) {
            std::vector<std::pair<int, int>> matches;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    bool same = true;
                    for (std::int64_t y = 0; y < H && same; ++y)
                        for (std::int64_t x = 0; x < W && same; ++x) {
                            const std::int64_t sy = y + dy, sx = x + dx;
                            const float want = sy >= 0 && sy < H && sx >= 0 && sx < W ? many[b][0][sy][sx].item<float>() : 0.0f;
                            same = out[b][0][y][x].item<float>() == want;
                        }
                    if (same)
                        matches.emplace_back(dy, dx);
                }
            QVERIFY2(matches.size() == 1, qPrintable(QString("image %1 is no shift of its input").arg(b)));
            shifts.insert(matches[0]);
        }
        // 16 draws from 9 shifts: several different ones, not only the identity.
        QVERIFY2(shifts.size() >= 4, qPrintable(QString::number(shifts.size())));
        QVERIFY(!at::equal(out, many));
        QVERIFY_THROWS_EXCEPTION(Error, AugmentSettings::fromJson({{"flip", 2.0}}));
    }

    void sixteenBitImagesStaySixteenBit()
    {
        QTemporaryDir t, root;
        const std::string r = t.path().toStdString();
        for (int i = 0; i < 4; ++i) {
            writeImage(r + "/a/" + std::to_string(i) + ".png", 8, 8, 1, 16, i);
            writeImage(r + "/b/" + std::to_string(i) + ".png", 8, 8, 1, 8, i); // mixed depths: u16 wins
        }
        PreprocessSettings s;
        s.image.width = 8;
        s.image.height = 8;
        CacheBuildOptions o;
        o.cacheRoot = root.path().toStdString();
        const Dataset ds = loadDataset(r);
        const TensorCache c = TensorCache::open(buildTensorCache(ds, s, o).dir);
        QCOMPARE(c.columns()[0].dtype, CacheDType::U16);
        QCOMPARE(c.columns()[0].shape[0], std::int64_t(1));
        // Undo the normalisation and compare with the file's own 16-bit values.
        const CacheBatch b = c.batch({0});
        const double mean = c.columns()[0].mean[0], stdv = c.columns()[0].std[0];
        const at::Tensor back = (b.inputs[0][0] * stdv + mean) * 65535.0;
        const std::string bytes = readAll(ds.samples[0].fields[0].value);
        std::vector<std::uint16_t> expect(64);
        QVERIFY(decodeImage(bytes, s.image, 1, 16, expect.data(), nullptr));
        for (int k = 0; k < 64; ++k)
            QVERIFY(std::abs(back.flatten()[k].item<double>() - expect[static_cast<std::size_t>(k)]) < 0.5);
        QVERIFY(expect[5] > 255); // really 16-bit content
    }

    void cancellingLeavesNothingBehind()
    {
        // Cancel once preprocessing has started, i.e. with the temporary folder in place.
        struct CancelWhilePreprocessing final : ProgressObserver {
            std::string stage;
            void onProgress(const std::string &s, std::int64_t, std::int64_t) override { stage = s; }
            bool isCancelled() const override { return stage == "preprocessing"; }
        } cancel;
        QTemporaryDir root;
        CacheBuildOptions o;
        o.cacheRoot = root.path().toStdString();
        QVERIFY_THROWS_EXCEPTION(Cancelled, buildTensorCache(loadDataset(data()), settings(), o, &cancel));
        QVERIFY(fs::is_empty(o.cacheRoot));
    }

    void fashionMnistCacheMatchesTheIdxPixels()
    {
        const std::string d = "/usr/share/datasets/fashion-mnist";
        if (!fs::exists(d))
            QSKIP("dataset-fashion-mnist is not installed");
        const Dataset ds = loadDataset(d);
        PreprocessSettings s;
        s.image.width = 28;
        s.image.height = 28;
        CacheBuildOptions o;
        o.cacheRoot = cacheRoot();
        const TensorCache c = TensorCache::open(buildTensorCache(ds, s, o).dir);
        QCOMPARE(c.size(), std::int64_t(70000));
        QCOMPARE(c.columns()[0].shape, (std::vector<std::int64_t>{1, 28, 28}));
        QCOMPARE(c.rows(Split::Test).size(), std::size_t(10000));
        const double mean = c.columns()[0].mean[0], stdv = c.columns()[0].std[0];
        QVERIFY(std::abs(mean - 0.286) < 0.002); // Fashion-MNIST's well-known statistics
        QVERIFY(std::abs(stdv - 0.353) < 0.002);
        const CacheBatch b = c.batch({12345});
        const at::Tensor raw = at::from_blob(const_cast<std::uint8_t *>(ds.blob->image(12345)), {1, 28, 28}, at::kByte).to(at::kFloat) / 255.0;
        QVERIFY(at::allclose(b.inputs[0][0], (raw - mean) / stdv, 1e-5, 1e-5));
        QCOMPARE(b.labels[0].item<std::int64_t>(), std::int64_t(ds.samples[12345].label));
    }

    // Found by fuzz_cache_index (ASan: a null read in LibTorch): a meta.json giving an image
    // column's mean without its std. The fuzzer's input is the cache's files separated by
    // "\n----\n"; opening it is refused with the reason, and a hand-made case too.
    void fuzzRegressionNormalisationWithoutStd()
    {
        QTemporaryDir dir;
        const std::string input = test::readAll(FUSELAB_TEST_DATA_DIR "/fuzz/cache_index/mean-without-std");
        test::writeFuzzParts(input, dir.path().toStdString(), {"meta.json", "col0.bin", "col1.bin", "present.u8", "labels.i64", "splits.u8"});
        try {
            const TensorCache cache = TensorCache::open(dir.path().toStdString());
            if (cache.size() > 0)
                (void)cache.batch({0});
            QFAIL("a cache with a damaged normalisation opened");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("meta.json") != std::string::npos, e.what());
        }
        auto meta = nlohmann::json::parse(test::readAll(dir.path().toStdString() + "/meta.json"), nullptr, false);
        if (meta.is_object() && meta.contains("columns") && meta["columns"].is_array() && !meta["columns"].empty()) {
            meta["columns"][0]["mean"] = {0.5};
            meta["columns"][0]["std"] = {0.0}; // a zero std would divide by zero
            test::writeFile(dir.path().toStdString() + "/meta.json", meta.dump());
            QVERIFY_THROWS_EXCEPTION(Error, (void)TensorCache::open(dir.path().toStdString()));
        }
    }
};

QTEST_APPLESS_MAIN(TestCache)
#include "test_cache.moc"
