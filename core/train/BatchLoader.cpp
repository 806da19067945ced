// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/train/BatchLoader.h"

#include <algorithm>

namespace fuselab {

std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c)
{
    std::uint64_t x = seed ^ 0x9E3779B97F4A7C15ull;
    for (std::uint64_t v : {a, b, c}) {
        x ^= v + 0x9E3779B97F4A7C15ull + (x << 6) + (x >> 2);
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 29;
    }
    return x;
}

std::vector<std::vector<std::int64_t>> chunk(const std::vector<std::int64_t> &rows, std::int64_t size)
{
    std::vector<std::vector<std::int64_t>> out;
    for (std::size_t i = 0; i < rows.size(); i += static_cast<std::size_t>(size))
        out.emplace_back(rows.begin() + static_cast<std::ptrdiff_t>(i),
                         rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), i + static_cast<std::size_t>(size))));
    return out;
}

void moveBatch(CacheBatch &b, const torch::Device &device)
{
    const bool async = device.is_cuda();
    for (auto &x : b.inputs)
        x = x.to(device, async);
    b.present = b.present.to(device, async);
    b.labels = b.labels.to(device, async);
}

void BatchPrefetcher::produce()
{
    try {
        for (std::size_t i = 0; i < m_batches.size(); ++i) {
            CacheBatch b = m_cache.batch(m_batches[i], m_augment, mix(m_seed, 7, m_first + i));
            if (m_pin) {
                for (auto &x : b.inputs)
                    x = x.pin_memory();
                b.present = b.present.pin_memory();
                b.labels = b.labels.pin_memory();
            }
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [&] { return m_ready.size() < m_depth || m_quit; });
            if (m_quit)
                return;
            m_ready.push_back(std::move(b));
            m_cv.notify_all();
        }
    } catch (...) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_done = true;
    m_cv.notify_all();
}

} // namespace fuselab
