// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>

namespace fuselab {

class Cancelled : public std::exception {
public:
    const char *what() const noexcept override { return "cancelled"; }
};

// How long-running engine work reports to whoever drives it (CLI progress bar, GUI worker)
// and how that driver stops or pauses it: the one progress-and-control interface of core,
// used by the dataset scan, the health check, the cache build (tokenizer fitting and the
// normalisation pass included), training, evaluation and prediction.
//
// onProgress is called from the thread that started the work, never from pool workers, at
// most a few dozen times per second. isCancelled and isPaused are polled between work items
// (files, rows, batches) — at least once a second — and may read atomics set by any thread.
class ProgressObserver {
public:
    virtual ~ProgressObserver() = default;
    // `total` is 0 when unknown (a folder scan counts files as it finds them).
    virtual void onProgress(const std::string & /*stage*/, std::int64_t /*done*/, std::int64_t /*total*/) {}
    // Returning true abandons the work: it throws fuselab::Cancelled, or, for training,
    // stops the run after saving a checkpoint that resumes exactly.
    virtual bool isCancelled() const { return false; }
    // Returning true holds the work between items until it returns false (or cancel).
    virtual bool isPaused() const { return false; }

    // Between two work items: waits while paused, then throws Cancelled if cancelled.
    // Returns whether it waited (a pause happened).
    bool checkpoint() const
    {
        bool waited = false;
        while (isPaused() && !isCancelled()) {
            waited = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (isCancelled())
            throw Cancelled();
        return waited;
    }
};

// checkpoint() on an observer that may be null.
inline void checkpoint(const ProgressObserver *observer)
{
    if (observer)
        observer->checkpoint();
}

} // namespace fuselab
