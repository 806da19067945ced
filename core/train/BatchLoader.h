// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How the trainer and the evaluators read a tensor cache: batches of rows, loaded and
// augmented on a background thread, moved to the device.
#include "core/cache/TensorCache.h"

#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace fuselab {

struct AugmentSettings;

// Independent, reproducible streams from (seed, purpose, epoch, step).
std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0);

// `rows` in consecutive batches of `size` (the last one shorter).
std::vector<std::vector<std::int64_t>> chunk(const std::vector<std::int64_t> &rows, std::int64_t size);

// To the device; from pinned host memory (the prefetcher's, for CUDA) without waiting.
void moveBatch(CacheBatch &b, const torch::Device &device);

// Loads batches on a background thread so the model does not wait on memory copies and
// augmentation in steady state.
class BatchPrefetcher {
public:
    // `first`: the index of batches[0] in its epoch (a resumed epoch skips the batches it
    // had trained), which seeds its augmentation.
    // `pin`: batches in page-locked memory, for asynchronous copies to a GPU.
    BatchPrefetcher(const TensorCache &cache, std::vector<std::vector<std::int64_t>> batches, const AugmentSettings *augment,
                    std::uint64_t seed, std::size_t first = 0, std::size_t depth = 3, bool pin = false)
        : m_cache(cache), m_batches(std::move(batches)), m_augment(augment), m_seed(seed), m_first(first), m_depth(depth), m_pin(pin),
          m_thread([this] { produce(); })
    {
    }
    ~BatchPrefetcher()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_quit = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    // Next batch, or nullopt at the end; rethrows a loader failure.
    std::optional<CacheBatch> next()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_cv.wait(lock, [&] { return !m_ready.empty() || m_done || m_error; });
        if (m_error)
            std::rethrow_exception(m_error);
        if (m_ready.empty())
            return std::nullopt;
        CacheBatch b = std::move(m_ready.front());
        m_ready.pop_front();
        m_cv.notify_all();
        return b;
    }

private:
    void produce();

    const TensorCache &m_cache;
    std::vector<std::vector<std::int64_t>> m_batches;
    const AugmentSettings *m_augment;
    std::uint64_t m_seed;
    std::size_t m_first;
    std::size_t m_depth;
    bool m_pin;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<CacheBatch> m_ready;
    bool m_done = false, m_quit = false;
    std::exception_ptr m_error;
    std::thread m_thread;
};

} // namespace fuselab
