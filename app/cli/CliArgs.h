// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Error.h"

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace fuselab::cli {

// Exit codes shared by every command.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;   // the work itself failed
constexpr int kExitUsage = 2;    // bad usage or bad input

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A small getopt-like parser: "--name value", "--name=value", boolean flags and
// repeatable options; everything else is positional.
class CliArgs {
public:
    CliArgs(const std::vector<std::string> &args, const std::set<std::string> &flags,
            const std::set<std::string> &options, const std::set<std::string> &repeatable = {});

    bool flag(const std::string &name) const { return m_flags.count(name) > 0; }
    std::optional<std::string> value(const std::string &name) const;
    std::vector<std::string> values(const std::string &name) const;
    const std::vector<std::string> &positional() const { return m_positional; }

    long long intValue(const std::string &name, long long fallback, long long min, long long max) const;

private:
    std::set<std::string> m_flags;
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positional;
};

// The command-line option that answers a core message, appended to it (core speaks in the
// user's terms; only the CLI knows its flags). "" when none.
std::string cliHint(const Error &error);

// Runs a command body, turning exceptions into the documented exit codes and messages:
// usage errors and bad input (fuselab::Error) exit 2, anything else 1.
template <typename Body>
int runCommand(const char *command, Body body)
{
    try {
        return body();
    } catch (const UsageError &e) {
        std::fprintf(stderr, "fuselab-cli %s: %s\nRun 'fuselab-cli %s --help' for the options.\n", command, e.what(), command);
        return kExitUsage;
    } catch (const Error &e) {
        std::fprintf(stderr, "fuselab-cli %s: %s%s\n", command, e.what(), cliHint(e).c_str());
        return kExitUsage;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fuselab-cli %s: internal error: %s\n", command, e.what());
        return kExitFailed;
    }
}

} // namespace fuselab::cli
