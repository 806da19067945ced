// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/CliArgs.h"

namespace fuselab::cli {

CliArgs::CliArgs(const std::vector<std::string> &args, const std::set<std::string> &flags,
                 const std::set<std::string> &options, const std::set<std::string> &repeatable)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
            m_positional.push_back(a);
            continue;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name.resize(eq);
        }
        if (flags.count(name)) {
            if (inlineValue)
                throw UsageError("--" + name + " takes no value");
            m_flags.insert(name);
        } else if (options.count(name) || repeatable.count(name)) {
            std::string v;
            if (inlineValue)
                v = *inlineValue;
            else if (i + 1 < args.size())
                v = args[++i];
            else
                throw UsageError("--" + name + " needs a value");
            auto &slot = m_values[name];
            if (!slot.empty() && !repeatable.count(name))
                throw UsageError("--" + name + " given twice");
            slot.push_back(v);
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
}

std::optional<std::string> CliArgs::value(const std::string &name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> CliArgs::values(const std::string &name) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

long long CliArgs::intValue(const std::string &name, long long fallback, long long min, long long max) const
{
    const auto v = value(name);
    if (!v)
        return fallback;
    try {
        std::size_t used = 0;
        const long long n = std::stoll(*v, &used);
        if (used != v->size() || n < min || n > max)
            throw std::out_of_range(name);
        return n;
    } catch (const std::exception &) {
        throw UsageError("--" + name + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max)
                         + ", not \"" + *v + "\"");
    }
}

std::string cliHint(const Error &error)
{
    const std::string &text = error.message().text;
    if (text.empty())
        return {};
    static const std::pair<const char *, const char *> hints[] = {
        {"say which column holds the labels", " (--label-column NAME)"},
        {"choose a writable cache folder", " (--cache-dir DIR, or the FUSELAB_CACHE_DIR environment variable)"},
        {"prepare the tensor cache on a full build", " (fuselab-cli cache there, then train with --cache DIR)"},
        {"already holds a run", " (--out DIR for a new run, or --resume DIR to continue it)"},
        {"there is nothing to resume", " (train EXPERIMENT --out DIR)"},
        {"no CUDA support or no GPU", " (--device cpu or --device auto)"},
        {"but this machine has", " (--device cuda:0, or --device cpu)"},
    };
    for (auto &[key, hint] : hints)
        if (text.find(key) != std::string::npos)
            return hint;
    return {};
}

} // namespace fuselab::cli
