// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/ProgressBar.h"

#include <cstdio>
#include <unistd.h>

namespace fuselab::cli {

ProgressBar::ProgressBar(bool quiet) : m_quiet(quiet), m_tty(::isatty(STDERR_FILENO) != 0) {}

ProgressBar::~ProgressBar() { finishLine(); }

void ProgressBar::finishLine()
{
    if (m_open && m_tty)
        std::fputc('\n', stderr);
    m_open = false;
}

void ProgressBar::onProgress(const std::string &stage, std::int64_t done, std::int64_t total)
{
    if (m_quiet)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (stage != m_stage) {
        finishLine();
        m_stage = stage;
        m_start = now;
        m_reported = false;
    }
    const double secs = std::chrono::duration<double>(now - m_start).count();
    if (m_tty) {
        const int width = 30;
        const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        const double rate = secs > 0 ? done / secs : 0;
        std::fprintf(stderr, "\r%-22s [%s] %lld/%lld  %.0f/s  %.1fs ", stage.c_str(), bar.c_str(),
                     static_cast<long long>(done), static_cast<long long>(total), rate, secs);
        m_open = true;
    } else if (done == total && !m_reported) {
        m_reported = true;
        // Not a terminal (a log, CI): one line per stage when it ends.
        std::fprintf(stderr, "%s: %lld items in %.1fs\n", stage.c_str(), static_cast<long long>(total), secs);
    }
    std::fflush(stderr);
}

} // namespace fuselab::cli
