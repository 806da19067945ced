// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the libFuzzer targets (docs/reliability.md): a scratch folder of the fuzzer's own
// for parsers that read files, and the rule every target follows: FuseLab's parsers may
// refuse an input only with fuselab::Error (or return false); anything else escaping, a
// crash, a hang, a leak or unbounded allocation is a finding.
#include "core/util/Error.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace fuzz {

// A folder under $TMPDIR for this process, made once.
inline const std::string &scratch()
{
    static const std::string dir = [] {
        const char *t = std::getenv("TMPDIR");
        const std::string d = std::string(t && *t ? t : "/tmp") + "/fuselab-fuzz-" + std::to_string(::getpid());
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::string writeScratch(const std::string &name, std::string_view bytes)
{
    const std::string path = scratch() + "/" + name;
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

inline std::string_view asText(const std::uint8_t *data, std::size_t size) { return {reinterpret_cast<const char *>(data), size}; }

// Splits an input into `n` parts at the separator line "\n----\n" (missing parts are empty):
// one fuzz input becomes several files.
inline std::vector<std::string> parts(std::string_view text, std::size_t n)
{
    std::vector<std::string> out;
    const std::string_view sep = "\n----\n";
    while (out.size() + 1 < n) {
        const auto at = text.find(sep);
        if (at == std::string_view::npos)
            break;
        out.emplace_back(text.substr(0, at));
        text.remove_prefix(at + sep.size());
    }
    out.emplace_back(text);
    out.resize(n);
    return out;
}

} // namespace fuzz
