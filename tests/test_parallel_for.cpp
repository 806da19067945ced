// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/ParallelFor.h"

#include <QTest>

#include <atomic>
#include <stdexcept>
#include <vector>

using namespace fuselab;

namespace {
struct Recorder final : ProgressObserver {
    std::int64_t last = -1, total = -1;
    int calls = 0;
    bool cancel = false;
    void onProgress(const std::string &, std::int64_t done, std::int64_t t) override
    {
        last = done;
        total = t;
        ++calls;
    }
    bool isCancelled() const override { return cancel; }
};
} // namespace

class TestParallelFor final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyIndexExactlyOnce_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("count");
        QTest::newRow("1 thread") << 1 << 1000;
        QTest::newRow("4 threads") << 4 << 10007;
        QTest::newRow("more threads than items") << 8 << 3;
        QTest::newRow("nothing to do") << 2 << 0;
    }
    void everyIndexExactlyOnce()
    {
        QFETCH(int, threads);
        QFETCH(int, count);
        std::vector<std::atomic<int>> hits(static_cast<std::size_t>(count));
        Recorder progress;
        parallelFor(count, threads, [&](std::int64_t i) { hits[static_cast<std::size_t>(i)]++; }, &progress, "x");
        for (auto &h : hits)
            QCOMPARE(h.load(), 1);
        QCOMPARE(progress.last, std::int64_t(count));
        QCOMPARE(progress.total, std::int64_t(count));
    }
    void aThrowingBodyStopsTheWorkAndRethrows()
    {
        std::atomic<int> ran{0};
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, parallelFor(100000, 2, [&](std::int64_t i) {
            ++ran;
            if (i == 10)
                throw std::runtime_error("boom");
        }));
        QVERIFY(ran.load() < 100000);
    }
    void cancellationThrowsCancelled()
    {
        Recorder progress;
        progress.cancel = true;
        QVERIFY_THROWS_EXCEPTION(Cancelled, parallelFor(1000, 2, [](std::int64_t) {}, &progress, "x"));
    }
    void threadCount()
    {
        QCOMPARE(resolveThreadCount(3), 3);
        QVERIFY(resolveThreadCount(0) >= 1);
    }
};

QTEST_APPLESS_MAIN(TestParallelFor)
#include "test_parallel_for.moc"
