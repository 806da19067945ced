// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Progress.h"

#include <chrono>
#include <string>

namespace fuselab::cli {

// A progress bar on stderr: redrawn in place on a terminal, one line per stage otherwise
// (so logs of a headless run stay readable). Silent when `quiet`.
class ProgressBar final : public ProgressObserver {
public:
    explicit ProgressBar(bool quiet = false);
    ~ProgressBar() override;
    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override;
    // Ends the current line so that normal output can follow.
    void finishLine();

private:
    bool m_quiet, m_tty;
    std::string m_stage;
    bool m_open = false;
    bool m_reported = false;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace fuselab::cli
