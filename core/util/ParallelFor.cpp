// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/ParallelFor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace fuselab {

int resolveThreadCount(int requested)
{
    if (requested > 0)
        return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

void parallelFor(std::int64_t count, int threads, const std::function<void(std::int64_t)> &body,
                 ProgressObserver *observer, const std::string &stage)
{
    if (count <= 0) {
        if (observer)
            observer->onProgress(stage, 0, 0);
        return;
    }
    threads = std::max(1, std::min<int>(resolveThreadCount(threads), static_cast<int>(std::min<std::int64_t>(count, 1024))));
    // Small chunks keep the load balanced when items differ a lot in cost (a 4K JPEG beside
    // a thumbnail) while keeping the atomic traffic negligible.
    const std::int64_t chunk = std::max<std::int64_t>(1, std::min<std::int64_t>(64, count / (threads * 16)));
    std::atomic<std::int64_t> next{0};
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::atomic<bool> paused{false}; // the observer's pause, mirrored for the workers
    std::exception_ptr failure; // first exception thrown by a body, rethrown to the caller
    std::mutex mutex;
    std::condition_variable finished;
    int running = threads;

    auto worker = [&] {
        for (;;) {
            while (paused.load(std::memory_order_relaxed) && !stop.load(std::memory_order_relaxed))
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            if (stop.load(std::memory_order_relaxed))
                break;
            const std::int64_t begin = next.fetch_add(chunk);
            if (begin >= count)
                break;
            const std::int64_t end = std::min(count, begin + chunk);
            try {
                for (std::int64_t i = begin; i < end; ++i)
                    body(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!failure)
                    failure = std::current_exception();
                stop = true;
                break;
            }
            done.fetch_add(end - begin, std::memory_order_relaxed);
        }
        std::lock_guard<std::mutex> lock(mutex);
        if (--running == 0)
            finished.notify_all();
    };

    // A stop asked for before the work starts is honoured whatever the timing (found by the
    // TSan build, whose slower threads let the work finish before the first poll).
    if (observer && observer->isCancelled())
        throw Cancelled();
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads - 1));
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker);

    if (!observer) {
        worker();
    } else {
        // The caller reports progress instead of working, so observers stay single-threaded.
        pool.emplace_back(worker);
        std::unique_lock<std::mutex> lock(mutex);
        while (running > 0) {
            finished.wait_for(lock, std::chrono::milliseconds(100));
            lock.unlock();
            observer->onProgress(stage, done.load(), count);
            if (observer->isCancelled())
                stop = true;
            paused = observer->isPaused();
            lock.lock();
        }
    }
    for (auto &t : pool)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
    if (stop)
        throw Cancelled();
    if (observer)
        observer->onProgress(stage, count, count);
}

} // namespace fuselab
