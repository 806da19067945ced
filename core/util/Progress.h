// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>

namespace fuselab {

// How long-running engine work reports to whoever drives it (CLI progress bar, GUI thread).
// Called from the thread that started the work, never from pool workers, at most a few
// dozen times per second.
class ProgressObserver {
public:
    virtual ~ProgressObserver() = default;
    virtual void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) = 0;
    // Polled between work items; returning true abandons the work with fuselab::Cancelled.
    virtual bool isCancelled() const { return false; }
};

class Cancelled : public std::exception {
public:
    const char *what() const noexcept override { return "cancelled"; }
};

} // namespace fuselab
