// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/DatasetLoader.h"
#include "tests/support/TestFiles.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>

using namespace fuselab;
using namespace fuselab::test;

namespace {
bool hasIssue(const Dataset &d, const std::string &needle)
{
    for (auto &i : d.issues)
        if (i.reason.str().find(needle) != std::string::npos)
            return true;
    return false;
}
} // namespace

class TestFolderTree final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void filesSharingAStemAreOneSample()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        writeImage(r + "/cat/a.png", 8, 8);
        writeFile(r + "/cat/a.txt", "a cat");
        writeWav(r + "/cat/a.wav", 440, 8000, 0.1);
        writeImage(r + "/cat/b.png", 8, 8);          // image only: audio/text missing
        writeFile(r + "/dog/c.txt", "a dog");
        writeImage(r + "/dog/c.jpg", 8, 8);
        writeFile(r + "/dog/notes.xyz", "?");         // unknown extension
        const Dataset d = loadDataset(r);
        QCOMPARE(d.format, std::string("folder"));
        QCOMPARE(d.classes, (std::vector<std::string>{"cat", "dog"}));
        QCOMPARE(d.columns.size(), std::size_t(3));
        QCOMPARE(d.samples.size(), std::size_t(3));
        const Sample &a = d.samples[0];
        QCOMPARE(a.id, std::string("cat/a"));
        for (auto &f : a.fields)
            QVERIFY(f.present);
        QVERIFY(!d.samples[1].fields[1].present);
        QVERIFY(hasIssue(d, "unknown extension \".xyz\""));
        QVERIFY(!d.splitGiven);
        for (auto &s : d.samples)
            QVERIFY(s.split != Split::None);
    }

    void splitFoldersGiveTheSplit()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        for (int i = 0; i < 10; ++i) {
            writeImage(r + "/train/a/" + std::to_string(i) + ".png", 4, 4);
            writeImage(r + "/train/b/" + std::to_string(i) + ".png", 4, 4);
        }
        writeImage(r + "/test/a/t.png", 4, 4);
        writeImage(r + "/test/b/t.png", 4, 4);
        writeImage(r + "/val/a/v.png", 4, 4);
        const Dataset d = loadDataset(r);
        QVERIFY(d.splitGiven);
        int train = 0, val = 0, test = 0;
        for (auto &s : d.samples) {
            train += s.split == Split::Train;
            val += s.split == Split::Val;
            test += s.split == Split::Test;
        }
        QCOMPARE(train, 20);
        QCOMPARE(val, 1);
        QCOMPARE(test, 2);
        QCOMPARE(d.columns.size(), std::size_t(1));
    }

    void audioOnlyTreeWithNestedFolders()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        writeWav(r + "/yes/spk1/0.wav", 300, 8000, 0.1);
        writeWav(r + "/yes/spk2/0.wav", 300, 8000, 0.1);
        writeWav(r + "/no/0.wav", 500, 8000, 0.1);
        const Dataset d = loadDataset(r);
        QCOMPARE(d.columns.size(), std::size_t(1));
        QCOMPARE(d.columns[0].kind, Modality::Audio);
        QCOMPARE(d.samples.size(), std::size_t(3)); // same stem in two sub-folders: two samples
    }

    void symlinkLoopIsDetected()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        writeImage(r + "/a/x.png", 4, 4);
        writeImage(r + "/b/y.png", 4, 4);
        std::filesystem::create_directory_symlink(r + "/a", r + "/a/loop");
        const Dataset d = loadDataset(r);
        QVERIFY(hasIssue(d, "symbolic link loop"));
        QCOMPARE(d.samples.size(), std::size_t(2));
    }

    void symlinkOutOfTheDatasetIsRefused()
    {
        QTemporaryDir t, outside;
        const std::string r = t.path().toStdString();
        writeImage(outside.path().toStdString() + "/secret.png", 4, 4);
        writeImage(r + "/a/x.png", 4, 4);
        writeImage(r + "/b/y.png", 4, 4);
        std::filesystem::create_symlink(outside.path().toStdString() + "/secret.png", r + "/a/secret.png");
        const Dataset d = loadDataset(r);
        QCOMPARE(d.samples.size(), std::size_t(2));
        QVERIFY(hasIssue(d, "outside the dataset folder"));
    }

    void emptyFolderHasNoSamples()
    {
        QTemporaryDir t;
        const Dataset d = loadDataset(t.path().toStdString());
        QVERIFY(d.samples.empty());
        QVERIFY(d.classes.empty());
    }

    void emptyClassFolderIsReported()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        writeImage(r + "/a/x.png", 4, 4);
        writeImage(r + "/b/x.png", 4, 4);
        makeDirs(r + "/empty");
        const Dataset d = loadDataset(r);
        QCOMPARE(d.classes.size(), std::size_t(2));
        QVERIFY(hasIssue(d, "holds no usable files"));
    }

    void singleClassIsFlagged()
    {
        QTemporaryDir t;
        writeImage(t.path().toStdString() + "/only/x.png", 4, 4);
        QVERIFY(hasIssue(loadDataset(t.path().toStdString()), "only one class"));
    }

    void twoImagesWithOneStemKeepTheFirst()
    {
        QTemporaryDir t;
        const std::string r = t.path().toStdString();
        writeImage(r + "/a/x.jpg", 4, 4);
        writeImage(r + "/a/x.png", 4, 4);
        writeImage(r + "/b/y.png", 4, 4);
        const Dataset d = loadDataset(r);
        QCOMPARE(d.samples.size(), std::size_t(2));
        QVERIFY(hasIssue(d, "same name"));
    }
};

QTEST_APPLESS_MAIN(TestFolderTree)
#include "test_folder_tree.moc"
