// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/DatasetLoader.h"
#include "core/data/IdxReader.h"
#include "tests/support/TestFiles.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <zlib.h>

using namespace fuselab;
using namespace fuselab::test;

namespace {
std::string idx(const std::vector<std::uint32_t> &dims, const std::vector<std::uint8_t> &data)
{
    std::string s;
    s += '\0';
    s += '\0';
    s += '\x08';
    s += static_cast<char>(dims.size());
    for (auto d : dims)
        for (int k = 3; k >= 0; --k)
            s += static_cast<char>((d >> (8 * k)) & 0xFF);
    s.append(data.begin(), data.end());
    return s;
}

void writeGz(const std::string &path, const std::string &bytes)
{
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

void writeSet(const std::string &dir, const std::string &prefix, int n, bool gz)
{
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(n) * 4 * 3), labels(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < pixels.size(); ++i)
        pixels[i] = static_cast<std::uint8_t>(i * 7);
    for (int i = 0; i < n; ++i)
        labels[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i % 3);
    const std::string img = idx({static_cast<std::uint32_t>(n), 4, 3}, pixels);
    const std::string lab = idx({static_cast<std::uint32_t>(n)}, labels);
    if (gz) {
        writeGz(dir + "/" + prefix + "-images-idx3-ubyte.gz", img);
        writeGz(dir + "/" + prefix + "-labels-idx1-ubyte.gz", lab);
    } else {
        writeFile(dir + "/" + prefix + "-images-idx3-ubyte", img);
        writeFile(dir + "/" + prefix + "-labels-idx1-ubyte", lab);
    }
}
} // namespace

class TestIdx final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gzippedAndPlainPairsBecomeSplits()
    {
        QTemporaryDir t;
        const std::string d = t.path().toStdString();
        writeSet(d, "train", 90, true);
        writeSet(d, "t10k", 30, false);
        const Dataset ds = loadDataset(d);
        QCOMPARE(ds.format, std::string("idx"));
        QCOMPARE(ds.samples.size(), std::size_t(120));
        QCOMPARE(ds.classes, (std::vector<std::string>{"0", "1", "2"}));
        QCOMPARE(ds.blob->rows, std::int64_t(4));
        QCOMPARE(ds.blob->cols, std::int64_t(3));
        int train = 0, val = 0, test = 0;
        for (auto &s : ds.samples) {
            train += s.split == Split::Train;
            val += s.split == Split::Val;
            test += s.split == Split::Test;
        }
        QCOMPARE(test, 30);
        // Val is carved from the 90 training images, 1/9 of each class: round(30/9) = 3.
        QCOMPARE(val, 9);
        QCOMPARE(train, 81);
        // Each test sample points at its own image of the t10k file, in order.
        int k = 0;
        for (auto &s : ds.samples)
            if (s.split == Split::Test) {
                QCOMPARE(int(ds.blob->image(s.fields[0].blobIndex)[0]), (k * 12 * 7) & 0xFF);
                QCOMPARE(s.label, k % 3);
                ++k;
            }
    }

    void classesTxtNamesTheClasses()
    {
        QTemporaryDir t;
        const std::string d = t.path().toStdString();
        writeSet(d, "train", 9, false);
        writeFile(d + "/classes.txt", "zero\none\ntwo\n");
        QCOMPARE(loadDataset(d).classes, (std::vector<std::string>{"zero", "one", "two"}));
    }

    void countMismatchAndTruncationAreReported()
    {
        QTemporaryDir t;
        const std::string d = t.path().toStdString();
        writeSet(d, "train", 9, false);
        // Labels promise 5 items but the images file has 9.
        writeFile(d + "/train-labels-idx1-ubyte", idx({5}, {0, 1, 2, 0, 1}));
        QVERIFY_THROWS_EXCEPTION(Error, loadDataset(d));
        // Truncated data section.
        std::string img = idx({9, 4, 3}, std::vector<std::uint8_t>(9 * 12));
        img.resize(img.size() - 5);
        QVERIFY_THROWS_EXCEPTION(Error, IdxReader::readArray((writeFile(d + "/x", img), d + "/x")));
        writeFile(d + "/y", "garbage!");
        QVERIFY_THROWS_EXCEPTION(Error, IdxReader::readArray(d + "/y"));
    }

    void debianFashionMnist()
    {
        const std::string d = "/usr/share/datasets/fashion-mnist";
        if (!std::filesystem::exists(d))
            QSKIP("dataset-fashion-mnist is not installed");
        const Dataset ds = loadDataset(d);
        QCOMPARE(ds.samples.size(), std::size_t(70000));
        QCOMPARE(ds.classes.size(), std::size_t(10));
        QCOMPARE(ds.classes[9], std::string("Ankle boot"));
        int test = 0;
        for (auto &s : ds.samples)
            test += s.split == Split::Test;
        QCOMPARE(test, 10000);
    }
};

QTEST_APPLESS_MAIN(TestIdx)
#include "test_idx.moc"
