// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/data/Splitter.h"

#include <QTest>

using namespace fuselab;

namespace {
Dataset makeDataset(const std::vector<int> &perClass)
{
    Dataset d;
    d.columns.push_back({"text", Modality::Text});
    for (std::size_t c = 0; c < perClass.size(); ++c) {
        d.classes.push_back("c" + std::to_string(c));
        for (int i = 0; i < perClass[c]; ++i) {
            Sample s;
            s.id = std::to_string(c) + "/" + std::to_string(i);
            s.label = static_cast<int>(c);
            s.fields.push_back({true, "x", false, -1});
            d.samples.push_back(s);
        }
    }
    return d;
}

std::vector<int> count(const Dataset &d, int label, Split split)
{
    int n = 0;
    for (auto &s : d.samples)
        n += s.label == label && s.split == split;
    return {n};
}
} // namespace

class TestSplit final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // A regression dataset is stratified by tenths of its targets' ranks: with targets
    // 0..99 (given in a shuffled order), val and test each hold one value of every decade.
    void regressionSplitsSpreadTheTargets()
    {
        Dataset d;
        d.task = Task::Regression;
        d.classes = {"y"};
        d.columns.push_back({"text", Modality::Text});
        for (int i = 0; i < 100; ++i) {
            Sample s;
            s.target = double((i * 37) % 100);
            s.fields.push_back({true, "x", false, -1});
            d.samples.push_back(s);
        }
        assignSplits(d, {});
        for (Split split : {Split::Val, Split::Test}) {
            std::vector<int> perDecade(10, 0);
            for (const Sample &s : d.samples)
                if (s.split == split)
                    ++perDecade[static_cast<std::size_t>(s.target) / 10];
            QCOMPARE(perDecade, std::vector<int>(10, 1));
        }
    }

    void stratifiedEightyTenTen()
    {
        Dataset d = makeDataset({100, 50, 20});
        assignSplits(d, {});
        QCOMPARE(count(d, 0, Split::Train)[0], 80);
        QCOMPARE(count(d, 0, Split::Val)[0], 10);
        QCOMPARE(count(d, 0, Split::Test)[0], 10);
        QCOMPARE(count(d, 1, Split::Train)[0], 40);
        QCOMPARE(count(d, 1, Split::Val)[0], 5);
        QCOMPARE(count(d, 2, Split::Test)[0], 2);
        for (auto &s : d.samples)
            QVERIFY(s.split != Split::None);
    }
    void sameSeedSameSplitOtherSeedOther()
    {
        Dataset a = makeDataset({60, 60}), b = makeDataset({60, 60}), c = makeDataset({60, 60});
        assignSplits(a, {7});
        assignSplits(b, {7});
        assignSplits(c, {8});
        bool allSame = true, anyDiff = false;
        for (std::size_t i = 0; i < a.samples.size(); ++i) {
            allSame = allSame && a.samples[i].split == b.samples[i].split;
            anyDiff = anyDiff || a.samples[i].split != c.samples[i].split;
        }
        QVERIFY(allSame);
        QVERIFY(anyDiff);
    }
    void tinyClassesKeepATrainingSample()
    {
        Dataset d = makeDataset({1, 2, 3});
        assignSplits(d, {1, 0.4, 0.3, 0.3});
        for (int c = 0; c < 3; ++c)
            QVERIFY(count(d, c, Split::Train)[0] >= 1);
    }
    void valIsCarvedFromGivenTrain()
    {
        Dataset d = makeDataset({90, 90});
        d.splitGiven = true;
        for (std::size_t i = 0; i < d.samples.size(); ++i)
            d.samples[i].split = i % 10 == 0 ? Split::Test : Split::Train;
        assignSplits(d, {});
        // 81 train per class given; val = 1/9 of it.
        QCOMPARE(count(d, 0, Split::Val)[0], 9);
        QCOMPARE(count(d, 0, Split::Test)[0], 9);
        QCOMPARE(count(d, 0, Split::Train)[0], 72);
    }
    void givenValIsKept()
    {
        Dataset d = makeDataset({10});
        d.splitGiven = true;
        for (std::size_t i = 0; i < d.samples.size(); ++i)
            d.samples[i].split = i < 2 ? Split::Val : Split::Train;
        assignSplits(d, {});
        QCOMPARE(count(d, 0, Split::Val)[0], 2);
        QCOMPARE(count(d, 0, Split::Train)[0], 8);
    }
    void multiLabelSplitsReachRareClasses()
    {
        // 200 samples of class 0; 20 of them also have the rare class 1; 10 have no class.
        Dataset d;
        d.multiLabel = true;
        d.classes = {"common", "rare"};
        d.columns.push_back({"text", Modality::Text});
        for (int i = 0; i < 210; ++i) {
            Sample s;
            s.id = std::to_string(i);
            if (i < 200)
                s.labels.push_back(0);
            if (i % 10 == 0 && i < 200)
                s.labels.push_back(1);
            s.fields.push_back({true, "x", false, -1});
            d.samples.push_back(s);
        }
        assignSplits(d, {});
        int rare[3] = {0, 0, 0}, none[3] = {0, 0, 0}, all[3] = {0, 0, 0};
        for (auto &s : d.samples) {
            QVERIFY(s.split != Split::None);
            const auto k = static_cast<std::size_t>(s.split);
            ++all[k];
            rare[k] += s.labels.size() == 2;
            none[k] += s.labels.empty();
        }
        // Stratified by the rarest class: the rare class splits 16/2/2, no-class samples 8/1/1.
        QCOMPARE(rare[0], 16);
        QCOMPARE(rare[1], 2);
        QCOMPARE(rare[2], 2);
        QCOMPARE(none[0], 8);
        QCOMPARE(all[0], 168);
    }

    void badFractionsAreRefused()
    {
        Dataset d = makeDataset({10});
        QVERIFY_THROWS_EXCEPTION(Error, assignSplits(d, {1, 0.0, 0.5, 0.5}));
    }
};

QTEST_APPLESS_MAIN(TestSplit)
#include "test_split.moc"
